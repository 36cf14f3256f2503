"""Monitoring on the shared layer (issue 8): one validation, related records by visibility and
link rules, decisions through core.workflow bound to a revision, notifications to the people concerned."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from core.access import Principal
from core.models import Sensitivity, StatusChange
from core.tests.factories import SpeciesFactory, make_member
from core.workflow import StaleRevision, perform
from monitoring import services
from monitoring.models import DataRequest, Deployment, Individual, MatchProposal, Survey

from .factories import make_deployment


@pytest.fixture
def expert_ru(ru_agency):
    return make_member(ru_agency, "expert", username="ru_expert", language="ru")


@pytest.fixture
def tiger_species(db):
    return SpeciesFactory(scientific_name="Panthera tigris altaica", common_name_en="Amur tiger")


def _individual(agency, code, species, **extra):
    return Individual.objects.create(owner_agency=agency, species=species, catalogue_code=code, **extra)


@pytest.fixture
def cats(cn_agency, ru_agency, leopard, tiger_species):
    """A Chinese tiger, the Russian tiger it may be, and a Russian leopard."""
    return (
        _individual(cn_agency, "AT-CN-1", tiger_species),
        _individual(ru_agency, "AT-RU-1", tiger_species),
        _individual(ru_agency, "AL-RU-1", leopard),
    )


def _in(language, text, record):
    """What a subject says in `language` (the record's own labels are translated already)."""
    from django.utils import translation

    with translation.override(language):
        return translation.gettext(text) % {"record": str(record)}


def _proposal(cn_staff, ours, theirs):
    return services.propose_match(Principal.for_user(cn_staff), ours, theirs, "stripes")


# --- validation once: the same-species rule on every path -------------------------------------------


@pytest.mark.django_db
def test_patch_replacing_one_individual_by_another_species_is_refused(api_client, cn_staff, cats):
    tiger_cn, tiger_ru, leopard_ru = cats
    proposal = _proposal(cn_staff, tiger_cn, tiger_ru)
    api_client.force_authenticate(cn_staff)
    url = f"/api/v1/monitoring/match-proposals/{proposal.pk}/"
    response = api_client.patch(url, {"other": str(leopard_ru.pk)}, format="json")
    assert response.status_code == 400, response.data
    assert "same species" in str(response.data["other"])
    response = api_client.patch(url, {"individual": str(tiger_ru.pk)}, format="json")
    assert response.status_code == 400 and "itself" in str(response.data["other"])
    proposal.refresh_from_db()
    assert proposal.other_id == tiger_ru.pk and proposal.individual_id == tiger_cn.pk


@pytest.mark.django_db
def test_page_proposal_of_another_species_is_refused(client, cn_staff, cats):
    tiger_cn, _tiger_ru, leopard_ru = cats
    client.force_login(cn_staff)
    response = client.post(
        reverse("monitoring:individual-propose-match", args=[tiger_cn.pk]),
        {"other": str(leopard_ru.pk), "evidence": "?"},
        follow=True,
    )
    assert "same species" in response.content.decode()
    assert not MatchProposal.objects.exists()


@pytest.mark.django_db
def test_admin_change_to_another_species_is_refused(client, cn_staff, cats, cn_agency):
    from core.tests.factories import UserFactory

    tiger_cn, tiger_ru, leopard_ru = cats
    proposal = _proposal(cn_staff, tiger_cn, tiger_ru)
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    url = reverse("admin:monitoring_matchproposal_change", args=[proposal.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update(
        owner_agency=cn_agency.pk,
        sensitivity=proposal.sensitivity,
        individual=tiger_cn.pk,
        other=leopard_ru.pk,
        evidence="x",
        # the status history inline (read-only, no rows to post)
        **{
            "core-statuschange-content_type-object_id-TOTAL_FORMS": "0",
            "core-statuschange-content_type-object_id-INITIAL_FORMS": "0",
        },
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert "same species" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.other_id == tiger_ru.pk


@pytest.mark.django_db
def test_catalogue_holds_tigers_and_leopards_only(api_client, cn_staff, boar):
    api_client.force_authenticate(cn_staff)
    response = api_client.post(
        "/api/v1/monitoring/individuals/", {"species": boar.scientific_name, "catalogue_code": "B-1"}, format="json"
    )
    assert response.status_code == 400 and "tigers and leopards" in str(response.data["species"])


# --- related records: visibility and link rules -------------------------------------------------------


def _deployment_body(survey):
    return {
        "deployment_id": "NEW-1",
        "latitude": 43.1,
        "longitude": 131.0,
        "start": "2024-01-01T00:00:00Z",
        "end": "2024-02-01T00:00:00Z",
        "survey": str(survey.pk),
    }


@pytest.mark.django_db
def test_deployment_cannot_join_an_invisible_or_foreign_survey(api_client, cn_agency, ru_agency, ru_staff):
    secret = Survey.objects.create(
        owner_agency=cn_agency, name_en="Owner only", start_date=datetime.date(2024, 1, 1), sensitivity="owner"
    )
    shared = Survey.objects.create(
        owner_agency=cn_agency, name_en="Visible", start_date=datetime.date(2024, 1, 1), sensitivity="partners"
    )
    joint = Survey.objects.create(
        owner_agency=cn_agency, name_en="Joint", start_date=datetime.date(2024, 1, 1), kind="joint"
    )
    joint.participating_agencies.add(cn_agency, ru_agency)
    api_client.force_authenticate(ru_staff)
    url = "/api/v1/monitoring/deployments/"
    response = api_client.post(url, _deployment_body(secret), format="json")
    assert response.status_code == 400 and "does not exist" in str(response.data["survey"])
    response = api_client.post(url, _deployment_body(shared), format="json")
    assert response.status_code == 400 and "You cannot link" in str(response.data["survey"]), response.data
    assert not Deployment.objects.exists()
    response = api_client.post(url, _deployment_body(joint), format="json")
    assert response.status_code == 201, response.data
    assert response.data["owner_agency"] == "RUPARK"
    # The natural key is the model's constraint, checked once the owning agency is known.
    response = api_client.post(url, _deployment_body(joint), format="json")
    assert response.status_code == 400 and Deployment.objects.count() == 1


@pytest.mark.django_db
def test_match_naming_an_invisible_individual_is_answered_as_nonexistent(
    api_client, cn_agency, ru_agency, cn_staff, tiger_species
):
    ours = _individual(cn_agency, "AT-CN-1", tiger_species)
    hidden = _individual(ru_agency, "AT-RU-9", tiger_species, sensitivity=Sensitivity.OWNER)
    api_client.force_authenticate(cn_staff)
    body = {"individual": str(ours.pk), "other": str(hidden.pk)}
    response = api_client.post("/api/v1/monitoring/match-proposals/", body, format="json")
    missing = api_client.post(
        "/api/v1/monitoring/match-proposals/",
        {"individual": str(ours.pk), "other": "00000000-0000-0000-0000-000000000000"},
        format="json",
    )
    assert response.status_code == missing.status_code == 400
    assert str(response.data["other"][0]).replace(str(hidden.pk), "X") == str(missing.data["other"][0]).replace(
        "00000000-0000-0000-0000-000000000000", "X"
    )
    assert not MatchProposal.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url_name, field",
    [
        ("monitoring:deployment-create", "survey"),
        ("monitoring:transect-create", "survey"),
        ("monitoring:survey-create", "protected_area"),
        ("monitoring:project-create", "datasets_used"),
    ],
)
def test_create_forms_list_only_what_the_user_may_see(client, cn_agency, ru_agency, ru_staff, url_name, field):
    from reserves.models import ProtectedArea

    hidden_survey = Survey.objects.create(
        owner_agency=cn_agency, name_en="Owner only", start_date=datetime.date(2024, 1, 1), sensitivity="owner"
    )
    own_survey = Survey.objects.create(owner_agency=ru_agency, name_en="Ours", start_date=datetime.date(2024, 1, 1))
    area_fields = {f.name for f in ProtectedArea._meta.concrete_fields}
    hidden_area = ProtectedArea.objects.create(
        owner_agency=cn_agency,
        sensitivity="owner",
        **{k: v for k, v in {"name_en": "Secret", "name": "Secret"}.items() if k in area_fields},
    )
    client.force_login(ru_staff)
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    choices = set(response.context["form"].fields[field].queryset)
    assert hidden_survey not in choices and hidden_area not in choices
    if field in ("survey", "datasets_used"):
        assert own_survey in choices


@pytest.mark.django_db
def test_propose_form_lists_only_visible_individuals(client, cn_agency, ru_agency, cn_staff, tiger_species):
    ours = _individual(cn_agency, "AT-CN-1", tiger_species)
    hidden = _individual(ru_agency, "AT-RU-9", tiger_species, sensitivity=Sensitivity.OWNER)
    visible = _individual(ru_agency, "AT-RU-1", tiger_species)
    client.force_login(cn_staff)
    page = client.get(ours.get_absolute_url()).content.decode()
    assert visible.catalogue_code in page and hidden.catalogue_code not in page
    response = client.post(reverse("monitoring:individual-propose-match", args=[ours.pk]), {"other": str(hidden.pk)})
    assert response.status_code == 404 and not MatchProposal.objects.exists()


# --- workflow: decisions bound to the revision the decider saw ---------------------------------------


@pytest.mark.django_db
def test_stale_match_decision_is_refused(api_client, cn_staff, expert_ru, cats):
    tiger_cn, tiger_ru, _leopard = cats
    proposal = _proposal(cn_staff, tiger_cn, tiger_ru)
    seen = proposal.revision
    api_client.force_authenticate(cn_staff)
    assert (
        api_client.patch(
            f"/api/v1/monitoring/match-proposals/{proposal.pk}/", {"evidence": "other photos"}, format="json"
        ).status_code
        == 200
    )
    api_client.force_authenticate(expert_ru)
    url = f"/api/v1/monitoring/match-proposals/{proposal.pk}/transitions/confirm/"
    response = api_client.post(url, {"revision": seen}, format="json")
    assert response.status_code == 409 and "changed since you opened it" in str(response.data["detail"])
    assert api_client.post(url, {}, format="json").status_code == 400  # a decision without a revision
    proposal.refresh_from_db()
    assert proposal.status == "proposed" and tiger_ru.pk != tiger_cn.pk
    assert Individual.objects.get(pk=tiger_ru.pk).status == "active"
    response = api_client.post(url, {"revision": proposal.revision, "note": "same"}, format="json")
    assert response.status_code == 200, response.data
    assert Individual.objects.get(pk=tiger_ru.pk).merged_into_id == tiger_cn.pk
    proposal.refresh_from_db()
    assert proposal.reviewed_by == expert_ru and proposal.review_note == "same"
    # Decided: no more edits.
    api_client.force_authenticate(cn_staff)
    response = api_client.patch(
        f"/api/v1/monitoring/match-proposals/{proposal.pk}/", {"evidence": "late"}, format="json"
    )
    assert response.status_code == 400


@pytest.mark.django_db
def test_stale_request_decision_is_refused_on_the_page(client, cn_agency, ru_agency, ru_staff):
    coordinator = make_member(cn_agency, "agency_coordinator", username="cn_coord")
    request = services.submit_data_request(
        Principal.for_user(ru_staff), cn_agency, "monitoring.deployment", "why", datetime.date(2030, 1, 1)
    )
    seen = request.revision
    DataRequest.objects.filter(pk=request.pk).update(purpose="changed", revision=seen + 1)
    client.force_login(coordinator)
    response = client.post(
        reverse("core:workflow-transition", args=["monitoring.datarequest", request.pk, "approve"]),
        {"revision": seen},
        follow=True,
    )
    assert "changed since you opened it" in response.content.decode()
    request.refresh_from_db()
    assert request.status == "submitted" and request.grant is None
    with pytest.raises(StaleRevision):
        perform(request, "decline", Principal.for_user(coordinator), revision=seen)


# --- notifications ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_data_request_reaches_the_coordinators_asked_and_the_decision_goes_back(
    cn_agency, ru_agency, django_capture_on_commit_callbacks
):
    requester = make_member(ru_agency, "agency_staff", username="ru_researcher", language="ru")
    coordinator = make_member(cn_agency, "agency_coordinator", username="cn_coord", language="zh-hans")
    bystander = make_member(cn_agency, "agency_staff", username="cn_bystander")
    with django_capture_on_commit_callbacks(execute=True):
        request = services.submit_data_request(
            Principal.for_user(requester), cn_agency, "monitoring.deployment", "Home ranges", datetime.date(2030, 1, 1)
        )
    assert [m.to for m in mail.outbox] == [[coordinator.email]]
    assert mail.outbox[0].subject == _in("zh-hans", "Data request: %(record)s", request)  # the coordinator's language
    assert mail.outbox[0].subject != _in("en", "Data request: %(record)s", request)
    assert bystander.email not in {m.to[0] for m in mail.outbox}
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        perform(request, "approve", Principal.for_user(coordinator), revision=request.revision, note="OK")
    assert [m.to for m in mail.outbox] == [[requester.email]]
    request.refresh_from_db()
    assert mail.outbox[0].subject == _in("ru", "Your data request was approved: %(record)s", request)
    assert mail.outbox[0].subject != _in("en", "Your data request was approved: %(record)s", request)
    steps = StatusChange.objects.filter(object_id=str(request.pk)).order_by("at")
    assert [s.transition for s in steps] == ["created", "approve"]


@pytest.mark.django_db
def test_match_proposal_reaches_the_other_country_experts_and_the_review_goes_back(
    cn_agency, ru_agency, cats, expert_ru, django_capture_on_commit_callbacks
):
    tiger_cn, tiger_ru, _leopard = cats
    proposer = make_member(cn_agency, "agency_staff", username="cn_proposer", language="zh-hans")
    make_member(cn_agency, "expert", username="cn_expert")  # same country: not asked
    with django_capture_on_commit_callbacks(execute=True):
        proposal = services.propose_match(Principal.for_user(proposer), tiger_cn, tiger_ru)
    assert [m.to for m in mail.outbox] == [[expert_ru.email]]
    assert mail.outbox[0].subject == _in("ru", "New match proposal: %(record)s", proposal)
    assert mail.outbox[0].subject != _in("en", "New match proposal: %(record)s", proposal)  # the status label
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        perform(proposal, "reject", Principal.for_user(expert_ru), revision=proposal.revision, note="No")
    assert [m.to for m in mail.outbox] == [[proposer.email]]


# --- pages, widgets, figures, maps -------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url_name, field, geometry",
    [
        ("monitoring:deployment-create", "point", "Point"),
        ("monitoring:transect-create", "route", "LineString"),
        ("monitoring:survey-create", "area", "Polygon"),
    ],
)
def test_geometry_is_picked_on_a_map_and_titles_say_what_is_created(client, cn_staff, url_name, field, geometry):
    from core.widgets import MapPicker

    client.force_login(cn_staff)
    response = client.get(reverse(url_name))
    widget = response.context["form"].fields[field].widget
    assert isinstance(widget, MapPicker) and geometry in widget.geometry_types
    assert "New record" not in response.content.decode()
    assert str(response.context["page_title"]).startswith("New ")


@pytest.mark.django_db
def test_deployment_from_a_point_picked_on_the_map(client, cn_staff, cn_agency):
    client.force_login(cn_staff)
    response = client.post(
        reverse("monitoring:deployment-create"),
        {
            "owner_agency": cn_agency.pk,
            "sensitivity": "partners",
            "deployment_id": "MAP-1",
            "point": '{"type": "Point", "coordinates": [131.25, 43.2]}',
            "start": "2024-01-01T00:00",
            "end": "2024-02-01T00:00",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    deployment = Deployment.objects.get(deployment_id="MAP-1")
    assert (deployment.latitude, deployment.longitude) == (43.2, 131.25)
    response = client.post(
        reverse("monitoring:deployment-create"),
        {
            "owner_agency": cn_agency.pk,
            "sensitivity": "partners",
            "deployment_id": "MAP-2",
            "point": '{"type": "Point", "coordinates": [231.25, 43.2]}',
            "start": "2024-02-01T00:00",
            "end": "2024-01-01T00:00",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) >= {"end", "latitude"}  # both rules of the model, in one answer


@pytest.mark.django_db
def test_survey_report_reads_the_registered_figures(client, cn_agency, ru_agency, cn_staff, leopard):
    from core.figures import figure_table

    from .factories import make_observation

    survey = Survey.objects.create(owner_agency=cn_agency, name_en="Joint", start_date=datetime.date(2024, 1, 1))
    cn_site = make_deployment(cn_agency, 43.0, 130.8, code="CN-1", days=50, survey=survey)
    ru_site = make_deployment(ru_agency, 43.1, 131.2, code="RU-1", days=100, survey=survey)
    make_observation(cn_site, leopard)
    make_observation(ru_site, leopard)
    make_observation(ru_site, leopard)
    table = figure_table("monitoring.survey_effort", Principal.for_user(cn_staff), group_by=("survey", "country"))
    ru = table.row(survey=survey, country="RU")
    assert (ru["deployments"], ru["trap_nights"], ru["detections"], ru["rate_per_100"]) == (1, 100.0, 2, 2.0)
    assert table.row(survey=survey, country="CN")["rate_per_100"] == 2.0
    by_country = figure_table("monitoring.survey_effort", Principal.for_user(cn_staff), group_by=("country",))
    assert by_country.row(country="RU")["detections"] == 2
    client.force_login(cn_staff)
    page = client.get(survey.get_absolute_url())
    assert [side["detections"] for side in page.context["effort"].rows] == [1, 2]
    assert 'id="joint-report"' in page.content.decode()


@pytest.mark.django_db
def test_detection_chart_is_core_chart_and_maps_use_core_geojson(client, cn_agency, cn_staff, leopard):
    from core.charts import Chart

    from .factories import make_observation

    site = make_deployment(cn_agency, 43.0, 130.8, code="CN-1")
    make_observation(site, leopard)
    client.force_login(cn_staff)
    response = client.get(site.get_absolute_url())
    assert isinstance(response.context["chart"], Chart) and response.context["chart"]
    (feature,) = response.context["map_geojson"]["features"]
    assert {"generalized", "grid_degrees", "uncertainty_m", "note"} <= set(feature["properties"])
    assert 'style="' not in response.content.decode().split("<main", 1)[-1]


@pytest.mark.django_db
def test_people_named_on_a_deployment_are_personal_data(api_client, cn_agency, cn_staff, ru_staff):
    site = make_deployment(cn_agency, 43.0, 130.8, code="CN-P", setup_by="Li Wei")
    api_client.force_authenticate(cn_staff)
    assert api_client.get(f"/api/v1/monitoring/deployments/{site.pk}/").data["setup_by"] == "Li Wei"
    api_client.force_authenticate(ru_staff)  # a partner sees the camera, not who set it up
    assert api_client.get(f"/api/v1/monitoring/deployments/{site.pk}/").data["setup_by"] == ""


@pytest.mark.django_db
def test_transect_observers_are_shown_to_the_owner_only(client, cn_agency, cn_staff, ru_staff):
    from monitoring.models import SnowTrackTransect

    transect = SnowTrackTransect.objects.create(
        owner_agency=cn_agency,
        name="Route 9",
        date=datetime.date(2025, 1, 5),
        route={"type": "LineString", "coordinates": [[130.0, 43.0], [130.1, 43.0]]},
        observers="Wang Fang",
    )
    services.transect_saved(transect)
    client.force_login(cn_staff)
    assert "Wang Fang" in client.get(transect.get_absolute_url()).content.decode()
    client.force_login(ru_staff)
    page = client.get(transect.get_absolute_url())
    assert page.status_code == 200 and "Wang Fang" not in page.content.decode()


@pytest.mark.django_db
def test_data_request_by_an_api_key(api_client, cn_agency, ru_agency):
    from core.tests.factories import make_api_key

    _key, secret = make_api_key(ru_agency)
    api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {secret}")
    response = api_client.post(
        "/api/v1/monitoring/data-requests/",
        {
            "requested_from": "CNPARK",
            "requested_dataset": "monitoring.deployment",
            "purpose": "x",
            "needed_until": "2030-01-01",
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    assert [s["transition"] for s in response.data["status_history"]] == ["created"]
    own = api_client.post(
        "/api/v1/monitoring/data-requests/",
        {
            "requested_from": "RUPARK",
            "requested_dataset": "monitoring.deployment",
            "purpose": "x",
            "needed_until": "2030-01-01",
        },
        format="json",
    )
    assert own.status_code == 400 and "own data" in str(own.data["requested_from"])
