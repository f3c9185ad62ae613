"""The measures list, one measure's page, and its audited drill-down."""

from __future__ import annotations

import pytest
from jinja2 import Environment
from markupsafe import escape

from turnaround.access import Actor, find_user
from turnaround.errors import NotFound, PermissionDenied
from turnaround.measures.compute import compute_measures
from turnaround.measures.present import figure
from turnaround.measures.summary import summarise
from turnaround.store import Store
from turnaround.web.views import percent
from turnaround.web.views.measures import (
    measure_context,
    measure_records_context,
    measures_context,
)

from .conftest import identifiers_in

MEASURE = "lac_per_10k"


def _audit_rows(store: Store) -> int:
    row = store.fetchone("select count(*) from audit_log")
    return int(row[0]) if row else 0


def test_figures_read_as_people_write_them() -> None:
    assert figure(12.345, "percent") == "12.3%"
    assert figure(1234.0, "count") == "1,234"
    assert figure(66.44, "per10k") == "66.4"
    assert figure(None, "days") == "—"
    assert percent(0.2504) == "25.0%"


def test_the_list_has_every_measure_with_its_latest_figure(city_store: Store) -> None:
    summaries = summarise(city_store)
    rows = measures_context(city_store)["measures"]
    assert [r.id for r in rows] == [s.measure.id for s in summaries]
    for row, s in zip(rows, summaries, strict=True):
        latest = s.latest
        assert latest is not None
        assert row.value == figure(latest.value, s.measure.unit)
        assert [t.year for t in row.trend] == [v.year for v in s.values[-5:]]


def test_one_measures_page_matches_the_computed_figures(city_store: Store) -> None:
    values = compute_measures(city_store, [MEASURE])
    analyst = find_user(city_store, "ana")
    board = find_user(city_store, "bea")
    context = measure_context(city_store, MEASURE, user=analyst)
    assert [f.year for f in context["figures"]] == [v.year for v in values]
    assert context["figures"][-1].value == figure(values[-1].value, "per10k")
    assert context["can_drill_down"] is True
    assert measure_context(city_store, MEASURE, user=board)["can_drill_down"] is False
    assert measure_context(city_store, MEASURE)["can_drill_down"] is False


def test_an_unknown_measure_is_not_found(city_store: Store) -> None:
    with pytest.raises(NotFound):
        measure_context(city_store, "no_such_measure")


def test_the_drill_down_needs_view_identifiable_and_writes_nothing_when_refused(
    city_store: Store,
) -> None:
    before = _audit_rows(city_store)
    for who in ("bea", "tom", None):
        with pytest.raises(PermissionDenied):
            measure_records_context(city_store, Actor.web(who, "10.0.0.9"), MEASURE)
    assert _audit_rows(city_store) == before


def test_the_drill_down_is_the_figure_and_writes_one_audit_row(city_store: Store) -> None:
    before = _audit_rows(city_store)
    value = compute_measures(city_store, [MEASURE])[-1]
    context = measure_records_context(
        city_store,
        Actor.web("ana", "10.0.0.9"),
        MEASURE,
        year=value.year,
        reason="checking the figure",
    )
    assert _audit_rows(city_store) == before + 1
    last = city_store.fetchone(
        "select username, action, target, reason, origin from audit_log order by rowid desc limit 1"
    )
    assert last == (
        "ana",
        "view-identifiable",
        f"measure {MEASURE} {value.year}",
        "checking the figure",
        "web 10.0.0.9",
    )
    assert context["total_rows"] == value.numerator
    assert context["numerator"] == f"{value.numerator:,.0f}"
    assert len(context["rows"]) == min(context["total_rows"], context["shown_rows"])


def test_the_drill_down_defaults_to_the_latest_year(city_store: Store) -> None:
    latest = max(v.year for v in compute_measures(city_store, [MEASURE]) if v.value is not None)
    assert measure_records_context(city_store, Actor.cli("ana"), MEASURE)["year"] == latest


def test_aggregate_pages_show_no_children_and_the_drill_down_does(
    city_store: Store, env: Environment, identities: tuple[set[str], set[str]]
) -> None:
    listing = measures_context(city_store)
    html = env.get_template("pages/measures.html").render(**listing)
    assert all(str(escape(r.title)) in html for r in listing["measures"])
    assert identifiers_in(html, identities) == set()

    analyst = find_user(city_store, "ana")
    page = measure_context(city_store, MEASURE, user=analyst)
    html = env.get_template("pages/measure.html").render(**page)
    assert f'aria-label="{page["measure"].title}: trend"' in html  # Markup, not escaped again
    assert "Show the figures" in html and "Definition" in html
    assert f"/measures/{MEASURE}/records/{page['drill_down_years'][0]}" in html
    assert identifiers_in(html, identities) == set()

    records = measure_records_context(city_store, Actor.cli("ana"), MEASURE)
    html = env.get_template("pages/measure_records.html").render(**records)
    assert records["rows"][0]["subject_id"] in html
    assert identifiers_in(html, identities)
