"""One stage through all three faces: the CLI, the HTML report section and the web page show
the same figures, written the same way, because each renders the stage's presentation model."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import pytest
from markupsafe import escape
from rich.console import Console
from typer.testing import CliRunner

from tests.web.conftest import WebApp, login
from turnaround.access import create_demo_users
from turnaround.cli import app as cli
from turnaround.cli.workforce import workforce_tables
from turnaround.measures.present import MeasureRow, measure_rows
from turnaround.measures.report import measures_section
from turnaround.measures.summary import summarise
from turnaround.present.format import MINUS
from turnaround.settings import Settings
from turnaround.store import Store, open_store
from turnaround.web import create_app
from turnaround.web.cache import DataCache
from turnaround.web.views.forecast import BudgetRun
from turnaround.workforce.present import WorkforceView, workforce_view
from turnaround.workforce.report import workforce_section

PERCENT = re.compile(rf"{MINUS}?\d[\d,]*\.\d%")
MONEY = re.compile(rf"{MINUS}?£[\d,]+(?:\.\d)?m?")


@dataclass
class Faces:
    """Each face's output for the measures and the workforce, over one copy of the city."""

    measures: tuple[MeasureRow, ...]
    workforce: WorkforceView
    cli_measures: str
    cli_workforce: str
    report_measures: str
    report_workforce: str
    web_measures: str
    web_workforce: str


def _text(html: str) -> str:
    """What a reader sees of some HTML: the tags gone, entities read, spaces collapsed."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


@pytest.fixture(scope="module")
def faces(
    city_store: Store, budget_run: BudgetRun, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Faces]:
    workspace = tmp_path_factory.mktemp("faces")
    city_store.execute("checkpoint")
    path = city_store.scalar(
        "select path from duckdb_databases() where database_name = current_database()"
    )
    shutil.copy(Path(str(path)), workspace / "turnaround.duckdb")

    # The CLI first, on its own connection, as a person at a terminal would run it.
    done = CliRunner().invoke(
        cli, ["--workspace", str(workspace), "measures"], env={"COLUMNS": "500"}
    )
    assert done.exit_code == 0, done.output
    assessment = budget_run[1]
    assert assessment is not None
    terminal = io.StringIO()
    console = Console(file=terminal, width=500)
    for table in workforce_tables(assessment):
        console.print(table)
    cli_workforce = terminal.getvalue()

    store = open_store(workspace / "turnaround.duckdb")
    try:
        by_name = create_demo_users(store)
        passwords = {n.removeprefix("demo_"): p for n, p in by_name.items()}
        web = WebApp(create_app(Settings(workspace=workspace), store=store), store, passwords)
        cache: DataCache = web.app.state.cache
        cache.get(("forecast-run",), lambda: budget_run)  # the tests' quicker forecast
        client = web.client()
        login(web, client, "analyst")
        web_measures = client.get("/measures")
        web_workforce = client.get("/workforce")
        assert web_measures.status_code == web_workforce.status_code == 200
        summaries = summarise(store)
        yield Faces(
            measures=measure_rows(summaries),
            workforce=workforce_view(assessment),
            cli_measures=done.output,
            cli_workforce=cli_workforce,
            report_measures=str(measures_section(summaries).body),
            report_workforce=str(workforce_section(assessment).body),
            web_measures=web_measures.text,
            web_workforce=web_workforce.text,
        )
    finally:
        store.close()


def _html_row(html: str, title: str) -> str:
    """The text of the table row that names ``title``."""
    escaped = str(escape(title))
    for row in re.findall(r"<tr[ >].*?</tr>", html, flags=re.S):
        if f">{escaped}<" in row:
            return _text(row)
    raise AssertionError(f"no row for {title!r}")


def _cli_row(output: str, title: str) -> str:
    lines = [line for line in output.splitlines() if line.startswith(f"│ {title} ")]
    assert len(lines) == 1, f"no single row for {title!r}"
    return lines[0]


def test_every_measure_reads_the_same_in_the_cli_the_report_and_the_web(faces: Faces) -> None:
    assert faces.measures
    for m in faces.measures:
        cli = _cli_row(faces.cli_measures, m.title)
        report = _html_row(faces.report_measures, m.title)
        web = _html_row(faces.web_measures, m.title)
        for shown in (cli, report, web):
            cells = shown.replace("│", " ").split()
            for figure in (m.value, m.england, m.region, m.neighbours):
                assert figure in cells, (m.title, figure, shown)
        # The figure written one way is in all three: no '25%' here and '25.0%' there.
        assert PERCENT.findall(cli)[:1] == PERCENT.findall(report)[:1] == PERCENT.findall(web)[:1]


def test_the_workforce_reads_the_same_in_the_cli_the_report_and_the_web(faces: Faces) -> None:
    view = faces.workforce
    report, web = _text(faces.report_workforce), _text(faces.web_workforce)
    cli = faces.cli_workforce
    for label, value in view.headline:
        assert value in cli and value in report and value in web, (label, value)
    for cost in view.costs:
        for figure in (cost.permanent, cost.agency, cost.recruitment, cost.total):
            assert figure in cli and figure in report and figure in web, figure
    # Every percentage and sum of money the CLI prints, the report and the web print alike.
    for pattern in (PERCENT, MONEY):
        printed = set(pattern.findall(cli))
        assert printed, pattern.pattern
        assert printed <= set(pattern.findall(report)), pattern.pattern
        assert printed <= set(pattern.findall(web)), pattern.pattern
    assert view.at in cli and view.at in report and view.at in web


def test_no_face_keeps_an_old_format(faces: Faces) -> None:
    html = (faces.report_measures, faces.report_workforce, faces.web_measures, faces.web_workforce)
    for output in (faces.cli_measures, faces.cli_workforce, *map(_text, html)):
        assert not re.search(r"£[\d.]+k\b|-£|£\d+\.\d\dm", output)
    # A missing figure is an em dash everywhere, not the en dash some faces used.
    assert " – " not in faces.cli_measures + faces.cli_workforce
    assert not any(re.search(r">\s*–\s*<", page) for page in html)
