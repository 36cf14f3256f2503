"""The figure registry: one table shape, honouring the access policy, grouped and linked; the dashboard reads it."""

import datetime
from urllib.parse import parse_qs, urlparse

import pytest
from django.utils import translation

from core.access import Principal
from core.figures import (
    Column,
    FigureError,
    FigureTable,
    Period,
    PeriodError,
    Row,
    dashboard_items,
    figure_table,
    figures,
    legacy_figure_key,
    queryset_figure,
    register_figure,
    register_map_layer,
    scalar_figure,
    unregister_figure,
    unregister_map_layer,
)
from core.models import ExchangeVisit
from core.tests.factories import make_member

KEY = "test.exchange_visits"


def _visit(owner, host, day, sensitivity="partners", shared_with=()):
    visit = ExchangeVisit.objects.create(
        owner_agency=owner,
        title_en=f"Visit {day}",
        topic="monitoring",
        delegation_agency=owner,
        host_agency=host,
        start_date=day,
        end_date=day,
        purpose_en="Learn",
        sensitivity=sensitivity,
    )
    visit.shared_with.set(shared_with)
    return visit


@pytest.fixture
def visits_figure():
    register_figure(
        KEY,
        "Exchange visits",
        "visits",
        queryset_figure(
            lambda principal: ExchangeVisit.objects.visible_to(principal),
            date_field="start_date",
            url_name="core:exchange-visit-list",
            link_params={"start": "start_after", "end": "start_before"},
        ),
        app_label="core",
        url_name="core:exchange-visit-list",
        dimensions=("country", "agency", "month", "year"),
        dashboard=True,
        order=1,
    )
    yield KEY
    unregister_figure(KEY)


@pytest.fixture
def visits(cn_agency, ru_agency, ngo_agency):
    _visit(cn_agency, ru_agency, datetime.date(2026, 3, 5))
    _visit(cn_agency, ru_agency, datetime.date(2026, 3, 20))
    _visit(ru_agency, cn_agency, datetime.date(2026, 4, 2))
    _visit(ru_agency, cn_agency, datetime.date(2025, 4, 2))
    # Restricted to the Chinese agency: counted for China and the owner, never for the NGO.
    _visit(ru_agency, cn_agency, datetime.date(2026, 5, 1), sensitivity="restricted", shared_with=[cn_agency])
    _visit(ru_agency, cn_agency, datetime.date(2026, 5, 2), sensitivity="owner")


@pytest.mark.django_db
def test_a_restricted_record_is_counted_only_for_who_may_see_it(
    visits_figure, visits, cn_agency, ru_agency, ngo_agency
):
    def total(agency):
        principal = Principal.for_user(make_member(agency, "agency_staff"))
        return figure_table(KEY, principal).value

    assert total(cn_agency) == 5  # the restricted one listed for China, not Russia's owner-only one
    assert total(ru_agency) == 6
    assert total(ngo_agency) == 4
    assert figure_table(KEY, Principal.anonymous()).value == 0


@pytest.mark.django_db
def test_grouping_by_country_and_month_in_a_year_with_links(visits_figure, visits, ngo_agency, cn_agency):
    principal = Principal.for_user(make_member(ngo_agency, "agency_staff"))
    table = figure_table(KEY, principal, Period.year(2026), ("country", "month"))
    assert [c.key for c in table.columns] == ["country", "month", "count"]
    assert [c.is_dimension for c in table.columns] == [True, True, False]
    assert [(r["country"], r["month"], r["count"]) for r in table.rows] == [
        ("CN", datetime.date(2026, 3, 1), 2),
        ("RU", datetime.date(2026, 4, 1), 1),
    ]
    link = urlparse(table.rows[0].url)
    assert link.path == "/en/exchange-visits/"
    assert parse_qs(link.query) == {
        "owner_country": ["CN"],
        "start_after": ["2026-03-01"],
        "start_before": ["2026-03-31"],
    }
    assert table.url == "/en/exchange-visits/"
    by_agency = figure_table(KEY, principal, Period.between(datetime.date(2025, 1, 1), None), ("agency",))
    assert {r["agency"]: r["count"] for r in by_agency.rows} == {"CNPARK": 2, "RUPARK": 2}
    assert parse_qs(urlparse(by_agency.row(agency="RUPARK").url).query) == {
        "owner_agency": ["RUPARK"],
        "start_after": ["2025-01-01"],
    }
    assert [r[0] for r in by_agency.value_rows()] == ["CNPARK", "RUPARK"]
    by_year = figure_table(KEY, principal, group_by=("year",))
    assert {r["year"]: r["count"] for r in by_year.rows} == {2025: 1, 2026: 3}
    with translation.override("ru"):
        assert list(table.value_rows())[0][1].startswith("Март")
    measures = FigureTable(
        columns=[Column("country", "Country", True), Column("patrols", "Patrols"), Column("km", "Patrol km")],
        rows=[Row({"country": "CN", "patrols": 3, "km": 12.5}), Row({"country": "RU", "patrols": 2, "km": None})],
    )
    assert measures.by_columns("country") == (["Patrols", "Patrol km"], {"CN": [3, 12.5], "RU": [2, 0]})
    assert measures.total("patrols") == 5
    categories, groups = table.series("month", "country")
    assert categories == [datetime.date(2026, 3, 1), datetime.date(2026, 4, 1)]
    assert groups == {"CN": [2, 0], "RU": [0, 1]}


@pytest.mark.django_db
def test_an_undeclared_grouping_and_an_unknown_figure_are_clear_errors(visits_figure):
    principal = Principal.anonymous()
    register_figure("test.scalar", "Open things", "", scalar_figure(lambda p: 3), periodic=False)
    try:
        with pytest.raises(FigureError, match="cannot be grouped by Month"):
            figure_table("test.scalar", principal, group_by=("month",))
        with pytest.raises(FigureError, match="no figure"):
            figure_table("test.missing", principal)
        assert figure_table("test.scalar", principal).value == 3
    finally:
        unregister_figure("test.scalar")
    with pytest.raises(ValueError):
        register_figure("test.bad", "Bad", "", scalar_figure(lambda p: 1), dimensions=("planet",))


def test_period_parsing():
    assert Period.parse(year="2026") == Period(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    assert Period.parse(start="2026-02-01", end="") == Period(datetime.date(2026, 2, 1), None)
    assert Period.parse() == Period.all_time()
    assert Period.year(2026).label() == "2026" and Period.year(2026).contains(datetime.date(2026, 7, 1))
    for bad in (
        {"year": "abc"},
        {"year": "20260"},
        {"start": "1.2.2026"},
        {"start": "2026-03-01", "end": "2026-02-01"},
    ):
        with pytest.raises(PeriodError):
            Period.parse(**bad)


@pytest.mark.django_db
def test_the_dashboard_reads_the_registry_and_the_legacy_figures(client, visits_figure, visits, cn_agency):
    user = make_member(cn_agency, "agency_staff")
    items = dashboard_items(Principal.for_user(user))
    keys = [item.key for item in items]
    assert keys[0] == KEY and items[0].value == 5
    # core.navigation.register_dashboard_figure still works (the legacy path) and is not shown twice.
    assert legacy_figure_key("core", "Partner agencies") in keys
    assert len(keys) == len(set(keys))
    assert KEY in [f.key for f in figures(dashboard=True)]
    client.force_login(user)
    html = client.get("/ru/").content.decode()
    assert f'data-figure-key="{KEY}" data-figure="core">5<' in html


@pytest.mark.django_db
def test_dashboard_map_layers_come_from_the_registry(client, cn_agency):
    calls = []

    def layer(principal):
        calls.append(principal.agency)
        return {
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "geometry": None, "properties": {"name": "<b>x</b>"}}],
        }

    register_map_layer("test.layer", "Test layer", layer, app_label="core")
    try:
        client.force_login(make_member(cn_agency, "agency_staff"))
        html = client.get("/en/").content.decode()
    finally:
        unregister_map_layer("test.layer")
    assert calls == [cn_agency]
    assert '<script id="test-layer-geojson" type="application/json">' in html
    assert 'data-layers="' in html and "test-layer-geojson" in html
    assert "<b>x</b>" not in html  # json_script escapes markup


def test_core_imports_neither_reserves_nor_the_project_package():
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    offenders = []
    for path in root.rglob("*.py"):
        # core/testing is the test layer over every app (contract suite, sweep): not runtime code.
        if {"tests", "migrations", "testing"} & set(path.parts):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in {"reserves", "tumen_portal"}]
    assert offenders == []


@pytest.mark.django_db
def test_a_legacy_figure_moved_into_the_registry_is_shown_once(cn_agency):
    # What core.navigation.register_dashboard_figure will do: register the same key in the registry.
    key = legacy_figure_key("core", "Partner agencies")
    register_figure(key, "Partner agencies", "", scalar_figure(lambda p: 42), periodic=False, dashboard=True)
    try:
        items = [i for i in dashboard_items(Principal.for_user(make_member(cn_agency))) if i.key == key]
    finally:
        unregister_figure(key)
    assert [(i.value, i.url_name) for i in items] == [(42, None)]
