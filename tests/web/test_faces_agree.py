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

import pandas as pd
import pytest
from markupsafe import escape
from rich.console import Console
from rich.table import Table
from typer.testing import CliRunner

from tests.web.conftest import WebApp, login, make_web
from turnaround.access import add_user, create_demo_users
from turnaround.budget.present import BudgetView, result_view
from turnaround.budget.report import forecast_section
from turnaround.cli import app as cli
from turnaround.measures.present import MeasureRow, measure_rows
from turnaround.measures.report import measures_section
from turnaround.measures.summary import summarise
from turnaround.present.format import MINUS
from turnaround.returns.present import DataQualityView, data_quality_view
from turnaround.returns.report import data_quality, data_quality_section
from turnaround.settings import Settings
from turnaround.store import Store, open_store
from turnaround.web import create_app
from turnaround.web.cache import DataCache
from turnaround.web.views.forecast import BudgetRun
from turnaround.workforce.present import WorkforceView, workforce_view
from turnaround.workforce.report import workforce_section
from turnaround.worklist.build import worklist_summary
from turnaround.worklist.present import WorklistView, worklist_view
from turnaround.worklist.report import unknown_section

PERCENT = re.compile(rf"{MINUS}?\d[\d,]*\.\d%")
MONEY = re.compile(rf"{MINUS}?£[\d,]+(?:\.\d)?m?")


@dataclass
class Faces:
    """Each face's output for each stage, over one copy of the city."""

    measures: tuple[MeasureRow, ...]
    workforce: WorkforceView
    budget: BudgetView
    worklist: WorklistView
    cli_measures: str
    cli_workforce: str
    cli_budget: str
    cli_unknown: str
    report_measures: str
    report_workforce: str
    report_budget: str
    report_unknown: str
    web_measures: str
    web_workforce: str
    web_budget: str
    web_unknown: str


def _printed(tables: list[Table]) -> str:
    """What a wide terminal shows of some tables."""
    terminal = io.StringIO()
    console = Console(file=terminal, width=500)
    for table in tables:
        console.print(table)
    return terminal.getvalue()


def _text(html: str) -> str:
    """What a reader sees of some HTML: the tags gone, entities read, spaces collapsed."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


@pytest.fixture(scope="module")
def faces(
    city_store: Store, budget_run: BudgetRun, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Faces]:
    # Imported here, not at collection: importing a command module registers its commands, and
    # tests/cli checks the order the CLI's lazy table gives them.
    from turnaround.cli.forecast import budget_tables
    from turnaround.cli.workforce import workforce_tables

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
    unknown = CliRunner().invoke(
        cli,
        ["--workspace", str(workspace), "unknown", "--no-rebuild", "--user", "test"],
        env={"COLUMNS": "500"},
    )
    assert unknown.exit_code == 0, unknown.output
    result, assessment = budget_run
    assert assessment is not None
    # The forecast is the tests' quicker one, so the CLI's tables are printed from it directly.
    cli_workforce = _printed(workforce_tables(assessment))
    cli_budget = _printed(budget_tables(result))

    store = open_store(workspace / "turnaround.duckdb")
    try:
        by_name = create_demo_users(store)
        passwords = {n.removeprefix("demo_"): p for n, p in by_name.items()}
        web = WebApp(create_app(Settings(workspace=workspace), store=store), store, passwords)
        cache: DataCache = web.app.state.cache
        cache.get(("forecast-run",), lambda: budget_run)  # the tests' quicker forecast
        client = web.client()
        login(web, client, "analyst")
        pages = {path: client.get(path) for path in ("/measures", "/workforce", "/forecast")}
        pages["/unknown"] = client.get("/unknown")
        assert {p.status_code for p in pages.values()} == {200}
        summaries = summarise(store)
        report_budget = forecast_section(result.projection, result.budget, result.comparison)
        report_unknown = unknown_section(store)
        yield Faces(
            measures=measure_rows(summaries),
            workforce=workforce_view(assessment),
            budget=result_view(result),
            worklist=worklist_view(worklist_summary(store)),
            cli_measures=done.output,
            cli_workforce=cli_workforce,
            cli_budget=cli_budget,
            cli_unknown=unknown.output,
            report_measures=str(measures_section(summaries).body),
            report_workforce=str(workforce_section(assessment).body),
            report_budget=f"{report_budget.body} {report_budget.summary}",
            report_unknown=f"{report_unknown.body} {report_unknown.summary}",
            web_measures=pages["/measures"].text,
            web_workforce=pages["/workforce"].text,
            web_budget=pages["/forecast"].text,
            web_unknown=pages["/unknown"].text,
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


def test_the_budget_reads_the_same_in_the_cli_the_report_and_the_web(faces: Faces) -> None:
    view = faces.budget
    cli, report, web = faces.cli_budget, _text(faces.report_budget), _text(faces.web_budget)
    assert view.rows and view.scenarios
    for shown in (cli, report, web):
        # Every line of every year, each year's total, and the whole period's.
        for row in view.rows:
            for figure in (*row.cells, row.total):
                assert figure in shown, (row.period, figure)
        for band in view.totals:
            assert band.p10 in shown and band.p90 in shown, band
        # Each scenario over all the years, against the baseline, with its band.
        for scenario in view.scenarios:
            for figure in (scenario.mean, scenario.difference, scenario.pct):
                assert figure in shown, (scenario.label, figure)
            assert f"{scenario.d10} to {scenario.d90}" in shown or (
                scenario.d10 in shown and scenario.d90 in shown
            )
        for period in view.scenario_rows:
            for figure in period.cells:
                assert figure in shown, (period.period, figure)
    assert view.headline.total in report and view.headline.total in web
    # Every sum of money and percentage the CLI prints, the report and the web print alike.
    for pattern in (PERCENT, MONEY):
        printed = set(pattern.findall(cli))
        assert printed, pattern.pattern
        assert printed <= set(pattern.findall(report)), pattern.pattern
        assert printed <= set(pattern.findall(web)), pattern.pattern
    # A scenario that costs less shows a true minus sign, in every face.
    cheaper = [s for s in view.scenarios if s.difference.startswith(MINUS)]
    for scenario in cheaper:
        assert scenario.pct.startswith(MINUS), scenario


def test_the_unknown_children_read_the_same_in_the_cli_the_report_and_the_web(
    faces: Faces,
) -> None:
    view = faces.worklist
    cli, report, web = faces.cli_unknown, _text(faces.report_unknown), _text(faces.web_unknown)
    assert view.entries != "0"
    for line in view.counts:
        assert re.search(rf"{re.escape(line.label)}\s+│?\s*{re.escape(line.value)}\b", cli), line
        assert f"{line.label} {line.value}" in report, line
    # The web counts only the children still waiting for review: none is decided here, so
    # its total and its breakdown by involvement are the worklist's.
    assert f"On the worklist {view.entries}" in web
    for line in view.counts:
        if line.part:
            involvement = line.label.rsplit(": ", 1)[1].capitalize()
            assert f"{involvement} {line.value}" in web, line
    assert view.as_of in cli and view.as_of in report and view.as_of in web
    # The indicators: the web's children per indicator are the report's people on the list.
    for row in re.findall(r"<tr[ >].*?</tr>", faces.report_unknown, flags=re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
        if len(cells) == 4:
            label, weight, _, on_list = (unescape(c) for c in cells)
            assert f"{label} {weight} {on_list}" in web, (label, weight, on_list)


def test_no_face_keeps_an_old_format(faces: Faces) -> None:
    html = (
        faces.report_measures,
        faces.report_workforce,
        faces.report_budget,
        faces.report_unknown,
        faces.web_measures,
        faces.web_workforce,
        faces.web_budget,
        faces.web_unknown,
    )
    cli = (faces.cli_measures, faces.cli_workforce, faces.cli_budget, faces.cli_unknown)
    for output in (*cli, *map(_text, html)):
        assert not re.search(r"£[\d.]+k\b|-£|£\d+\.\d\dm|[+-]\d+\.\d%", output)
    # A missing figure is an em dash everywhere, not the en dash some faces used.
    assert not any(" – " in output for output in cli)
    assert not any(re.search(r">\s*–\s*<", page) for page in html)
    # Dates are written one way: '3 December 2026', never '03 December 2026'.
    for output in (*cli, *map(_text, html)):
        assert not re.search(
            r"\b0\d (?:January|February|March|April|May|June|July|August|"
            r"September|October|November|December) \d{4}",
            output,
        )


@dataclass
class QualityFaces:
    """Each face's output for the data quality of one lenient load with planted failures."""

    view: DataQualityView
    cli: str
    report: str
    web: str


@pytest.fixture(scope="module")
def quality(city_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[QualityFaces]:
    path = city_store.scalar(
        "select path from duckdb_databases() where database_name = current_database()"
    )
    returns = Path(str(path)).parent / "city" / "returns" / "ssda903"
    latest = sorted(p for p in returns.iterdir() if p.is_dir())[-1]
    folder = tmp_path_factory.mktemp("quality") / latest.name
    shutil.copytree(latest, folder)
    # Two episodes in no placement there is (one of them ending before it starts, too), and a
    # child of no ethnicity there is: four errors on three rows, which a lenient load sets aside.
    episodes = pd.read_csv(folder / "episodes.csv", dtype=str, keep_default_na=False)
    closed = episodes.index[episodes["DEC"] != ""]
    episodes.loc[closed[:2], "PLACE"] = "Q9"
    episodes.loc[closed[0], "DEC"] = "01/01/2000"
    episodes.to_csv(folder / "episodes.csv", index=False, lineterminator="\n")
    header = pd.read_csv(folder / "header.csv", dtype=str, keep_default_na=False)
    header.loc[0, "ETHNIC"] = "XXXX"
    header.to_csv(folder / "header.csv", index=False, lineterminator="\n")

    workspace = folder.parent / "ws"
    store = open_store(workspace / "turnaround.duckdb")
    add_user(store, "admin", "administrator")
    store.close()
    done = CliRunner().invoke(
        cli,
        ["--workspace", str(workspace), "load", str(folder), "--lenient", "--user", "admin"],
        env={"COLUMNS": "500"},
    )
    assert done.exit_code == 0, done.output
    web = make_web(workspace)
    try:
        client = web.client()
        login(web, client, "analyst")
        page = client.get("/data")
        assert page.status_code == 200
        section = data_quality_section(web.store)
        yield QualityFaces(
            view=data_quality_view(data_quality(web.store)),
            cli=done.output,
            report=f"{section.body} {section.summary}",
            web=page.text,
        )
    finally:
        web.store.close()


def test_data_quality_reads_the_same_in_the_cli_the_report_and_the_web(
    quality: QualityFaces,
) -> None:
    (line,) = quality.view.loads
    # Distinct counts, so a face that swapped two columns would show it.
    assert len({line.quarantined, line.errors, line.queries, line.rows}) == 4, line
    assert line.quarantined != "0" and line.errors != "0"
    figures = [line.year, line.rows, line.quarantined, line.errors, line.queries]
    # the "Loaded" table, before the per-table one that follows it
    loaded = quality.cli.split("By table")[0]
    cli = _cli_row(loaded, line.kind).replace("│", " ").split()
    assert cli == [line.kind, *figures]
    report = _html_row(quality.report, line.kind)
    web = _html_row(quality.web, line.kind)
    assert report.split() == [line.kind, *figures]
    assert f"{line.kind} {line.year} " in web
    assert f" {line.rows} {line.quarantined} {line.errors} {line.queries} " in web
    # The rows set aside, in all: one load, so its count is the store's.
    assert quality.view.quarantined_total == line.quarantined
    assert f"Quarantined rows ({line.quarantined})" in _text(quality.web)
    assert f"{line.quarantined} rows set aside in all" in _text(quality.report)
    assert f"{line.errors} errors" in quality.report
    # Every failing rule the report lists carries the year the way the load table writes it.
    assert quality.view.failures
    assert all(f.where == f"{line.kind} {line.year}" for f in quality.view.failures)
