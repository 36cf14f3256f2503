import datetime
from decimal import Decimal

import pytest

from antipoaching import services
from antipoaching.models import Incident, PatrolLeg, Waypoint
from antipoaching.tests.conftest import body
from core.access import Principal

from .conftest import TRACK, make_patrol


@pytest.fixture
def field_data(cn_agency, ru_agency, vocabulary):
    for agency, count in ((cn_agency, 3), (ru_agency, 2)):
        for day in range(count):
            start = datetime.datetime(2026, 3, 2 + day, 8, tzinfo=datetime.UTC)
            patrol = make_patrol(agency, start=start)
            services.save_leg(
                PatrolLeg(patrol=patrol, start=start, end=start + datetime.timedelta(hours=5), track=TRACK)
            )
            Waypoint.objects.create(
                patrol=patrol,
                time=start,
                latitude=43.1,
                longitude=131.2,
                incident_type=vocabulary["snare"],
                count=4,
                removed=3,
            )
    Incident.objects.create(
        owner_agency=ru_agency,
        incident_type=vocabulary["carcass"],
        occurred_on=datetime.date(2026, 3, 3),
        arrests=2,
        is_seizure=True,
    )


@pytest.mark.django_db
def test_kpis_same_definition_both_sides(field_data, cn_staff, vocabulary, django_assert_max_num_queries):
    principal = Principal.for_user(cn_staff)
    with django_assert_max_num_queries(5):
        table = services.compute_kpis(principal, start=datetime.date(2026, 3, 1), end=datetime.date(2026, 3, 31))
    cn, ru = table.row(country="CN"), table.row(country="RU")
    assert (cn["patrols"], ru["patrols"]) == (3, 2)
    assert cn["patrol_days"] == 3 and cn["person_days"] == 9  # three people a day
    assert cn["removed"] == 9 and ru["removed"] == 6
    km = float(cn["distance_km"])
    assert 15 < km < 16.5
    rate = cn["rates"][vocabulary["snare"].pk]
    assert rate["count"] == 12
    assert rate["per_100km"] == pytest.approx(12 / km * 100, rel=1e-3)
    assert rate["per_patrol_day"] == 4
    assert (ru["incidents"], ru["arrests"], ru["seizures"]) == (1, 2, 1)


@pytest.mark.django_db
def test_kpi_query_count_does_not_grow_with_patrols(field_data, cn_agency, cn_staff, django_assert_max_num_queries):
    for day in range(20):
        make_patrol(
            cn_agency, start=datetime.datetime(2026, 3, 10, 8, tzinfo=datetime.UTC) + datetime.timedelta(days=day)
        )
    principal = Principal.for_user(cn_staff)
    # Grants (once per principal), vocabulary, effort, observations, incidents: five, for any number of patrols.
    with django_assert_max_num_queries(5):
        table = services.compute_kpis(principal, group=("country", "month"))
    assert sum(r["patrols"] for r in table.rows) == 25


@pytest.mark.django_db
def test_kpi_api_and_exports(api_client, field_data, cn_staff):
    api_client.force_authenticate(cn_staff)
    data = api_client.get("/api/v1/antipoaching/kpis/", {"group": "agency"}).data
    rows = {r["key"]["agency"]: r for r in data["rows"]}
    assert rows["CNPARK"]["encounter_rates"]["snare"]["count"] == 12
    csv = api_client.get("/api/v1/antipoaching/kpis/", {"export": "csv"})
    assert csv["Content-Type"].startswith("text/csv") and "Patrol km" in body(csv).decode("utf-8-sig")
    xlsx = api_client.get("/api/v1/antipoaching/kpis/", {"export": "xlsx"})
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(body(xlsx))).active
    assert sheet.cell(1, 2).value == "Patrols" and sheet.max_row == 3
    assert api_client.get("/api/v1/antipoaching/kpis/", {"group": "planet"}).status_code == 400


@pytest.mark.django_db
def test_plan_evaluation_targets_against_achievement(field_data, cn_agency, ru_agency, cn_staff):
    from antipoaching.models import ActionPlan, PlanTarget

    plan = ActionPlan.objects.create(
        owner_agency=cn_agency,
        title_en="Plan",
        period_start=datetime.date(2026, 3, 1),
        period_end=datetime.date(2026, 4, 30),
    )
    plan.participating_agencies.set([cn_agency, ru_agency])
    PlanTarget.objects.create(plan=plan, metric="removed", value=Decimal("10"), per="month")
    PlanTarget.objects.create(plan=plan, metric="patrols", value=Decimal("4"), per="total")
    result = services.plan_evaluation(plan, Principal.for_user(cn_staff))
    removed = next(r for r in result["rows"] if r["target"].metric == "removed")
    assert removed["goal"] == 20 and removed["achieved"] == 15 and removed["by_country"] == {"CN": 9, "RU": 6}
    patrols = next(r for r in result["rows"] if r["target"].metric == "patrols")
    assert patrols["percent"] == 125.0


@pytest.mark.django_db
def test_kpi_filter_by_an_area_the_caller_cannot_see_is_answered_as_missing(api_client, cn_staff, ru_agency):
    from reserves.models import ProtectedArea

    hidden = ProtectedArea.objects.create(
        owner_agency=ru_agency, name_en="Hidden ranger post", country="RU", sensitivity="owner"
    )
    api_client.force_authenticate(cn_staff)
    response = api_client.get("/api/v1/antipoaching/kpis/", {"area": str(hidden.pk)})
    missing = api_client.get("/api/v1/antipoaching/kpis/", {"area": "00000000-0000-0000-0000-000000000000"})
    assert response.status_code == missing.status_code == 400
    # The same answer as for an id that exists nowhere, but for the id itself.
    assert str(response.json()["area"]).replace(str(hidden.pk), "X") == str(missing.json()["area"]).replace(
        "00000000-0000-0000-0000-000000000000", "X"
    )
