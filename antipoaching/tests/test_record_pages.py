"""The app's pages on core.pages and the core widgets (issue 8, "pages people can use")."""

import datetime

import pytest

from antipoaching.models import ActionPlan, Incident
from antipoaching.tests.conftest import make_patrol


@pytest.mark.django_db
def test_create_pages_say_what_is_created_and_use_the_core_widgets(client, cn_staff, vocabulary):
    client.force_login(cn_staff)
    plan = client.get("/en/antipoaching/plans/new/").content.decode()
    assert "New joint action plan" in plan and "New record" not in plan
    assert "data-portal-map-picker" in plan and "Polygon" in plan  # the plan area is drawn on a map
    assert 'type="date"' in plan
    patrol = client.get("/en/antipoaching/patrols/new/").content.decode()
    assert "New patrol" in patrol and 'type="datetime-local"' in patrol
    assert "data-portal-list-input" in patrol  # team members: a list input, not a JSON textarea
    assert "&quot;[]&quot;" not in patrol and ">[]<" not in patrol
    incident = client.get("/en/antipoaching/incidents/new/").content.decode()
    assert "New incident" in incident and incident.count("data-portal-list-input") >= 2  # suspects, transit


@pytest.mark.django_db
def test_the_leg_form_draws_a_line_and_the_link_form_takes_a_reference(client, cn_staff, cn_agency, vocabulary):
    patrol = make_patrol(cn_agency)
    incident = Incident.objects.create(
        owner_agency=cn_agency, incident_type=vocabulary["snare"], occurred_on=datetime.date(2026, 3, 1)
    )
    client.force_login(cn_staff)
    page = client.get(patrol.get_absolute_url()).content.decode()
    assert "data-portal-map-picker" in page and "LineString" in page
    case = client.get(incident.get_absolute_url()).content.decode()
    assert "antipoaching/incidents/lookup/" in case


@pytest.mark.django_db
def test_list_pages_filter_sort_and_link(client, cn_staff, cn_agency):
    ActionPlan.objects.create(
        owner_agency=cn_agency,
        title_en="Spring plan",
        period_start=datetime.date(2026, 3, 1),
        period_end=datetime.date(2026, 5, 31),
    )
    client.force_login(cn_staff)
    page = client.get("/en/antipoaching/plans/?ordering=-period_start").content.decode()
    assert "Spring plan" in page and "/en/antipoaching/plans/" in page
    edit = client.get(f"/en/antipoaching/plans/{ActionPlan.objects.get().pk}/edit/").content.decode()
    assert "Edit joint action plan" in edit


@pytest.mark.django_db
def test_operation_detail_is_a_core_page_with_only_visible_patrols(client, cn_staff, cn_agency, ru_agency):
    from antipoaching.models import JointOperation

    operation = JointOperation.objects.create(
        owner_agency=cn_agency,
        kind="raid",
        title_en="Night raid",
        start=datetime.datetime(2026, 3, 2, tzinfo=datetime.UTC),
    )
    operation.agencies.set([cn_agency, ru_agency])
    make_patrol(cn_agency, operation=operation, title="Own patrol")
    make_patrol(ru_agency, operation=operation, title="Hidden patrol", sensitivity="owner_only")
    client.force_login(cn_staff)
    page = client.get(f"/en/antipoaching/operations/{operation.pk}/").content.decode()
    assert "Night raid" in page and "Own patrol" in page and "Hidden patrol" not in page
    assert "Raid" in page and 'id="operation-patrols"' in page
