"""The shared individual catalogue: agency IDs, cross-border matches, merges and splits, and reports."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from core.access import Principal
from core.tests.factories import make_member
from core.workflow import TransitionError, perform
from monitoring import services
from monitoring.models import CatalogueEvent, Individual, IndividualAlias, MatchProposal, Survey

from .factories import make_deployment, make_observation


@pytest.fixture
def expert_ru(ru_agency):
    return make_member(ru_agency, "expert", username="ru_expert")


@pytest.fixture
def expert_cn(cn_agency):
    return make_member(cn_agency, "expert", username="cn_expert")


@pytest.fixture
def two_sides(cn_agency, ru_agency, leopard):
    """Leopard T-17 photographed in China, the same animal as Л-3 in Russia, and one more on each side."""
    cn_site = make_deployment(cn_agency, 43.0, 130.8, code="CN-1")
    ru_site = make_deployment(ru_agency, 43.13, 131.23, code="RU-1")
    make_observation(cn_site, leopard, individual_local_id="T-17", when=cn_site.start + datetime.timedelta(days=3))
    make_observation(ru_site, leopard, individual_local_id="Л-3", when=ru_site.start + datetime.timedelta(days=5))
    make_observation(cn_site, leopard, individual_local_id="T-20")
    make_observation(ru_site, leopard, individual_local_id="Л-9")
    for obs_agency, local in ((cn_agency, "T-17"), (ru_agency, "Л-3"), (cn_agency, "T-20"), (ru_agency, "Л-9")):
        individual = services.individual_for_alias(obs_agency, local, leopard)
        from monitoring.models import Observation

        Observation.objects.filter(owner_agency=obs_agency, individual_local_id=local).update(individual=individual)
    return cn_site, ru_site


def _review(principal, proposal, confirm, note=""):
    """A reviewer's decision, bound to the revision they saw (the workflow's only way)."""
    return perform(proposal, "confirm" if confirm else "reject", principal, revision=proposal.revision, note=note)


def _individual(agency, local_id):
    return IndividualAlias.objects.get(agency=agency, local_id=local_id).individual.current()


@pytest.mark.django_db
def test_alias_is_unique_per_agency(cn_agency, ru_agency, leopard):
    individual = services.individual_for_alias(cn_agency, "T-1", leopard)
    IndividualAlias.objects.create(
        individual=individual, agency=ru_agency, local_id="T-1"
    )  # another agency may reuse it
    with pytest.raises(IntegrityError), transaction.atomic():
        IndividualAlias.objects.create(individual=individual, agency=cn_agency, local_id="T-1")


@pytest.mark.django_db
def test_import_links_individual_ids_to_catalogue(cn_agency, leopard, tmp_path, example_species):
    import shutil

    from monitoring.tests.conftest import EXAMPLE, import_example
    from monitoring.tests.test_camtrap_import import _edit_csv

    package = tmp_path / "pkg"
    shutil.copytree(EXAMPLE, package)
    _edit_csv(package / "observations.csv", 1, "scientificName", "Panthera pardus orientalis")
    _edit_csv(package / "observations.csv", 1, "individualID", "T-17")
    import_example(package, cn_agency)
    individual = _individual(cn_agency, "T-17")
    assert individual.species == leopard
    assert individual.first_detected == datetime.date(2020, 5, 30)
    assert individual.observations.count() == 1


@pytest.mark.django_db
def test_match_needs_an_expert_of_the_other_country(cn_agency, ru_agency, cn_staff, expert_cn, expert_ru, two_sides):
    ours, theirs = _individual(cn_agency, "T-17"), _individual(ru_agency, "Л-3")
    proposal = services.propose_match(Principal.for_user(cn_staff), ours, theirs, "Same rosettes on the left flank")
    assert proposal.status == "proposed"
    # Nothing takes effect before confirmation.
    assert _individual(ru_agency, "Л-3").pk == theirs.pk
    with pytest.raises(TransitionError):
        _review(Principal.for_user(expert_cn), proposal, True)  # same country as the proposer
    with pytest.raises(TransitionError):
        _review(Principal.for_user(make_member(ru_agency, "agency_staff")), proposal, True)  # not an expert
    _review(Principal.for_user(expert_ru), proposal, True, "Agreed")
    proposal.refresh_from_db()
    assert proposal.status == "confirmed"
    merged = Individual.objects.get(pk=theirs.pk)
    assert merged.status == "merged" and merged.merged_into_id == ours.pk
    assert {a.local_id for a in ours.aliases.all()} == {"T-17", "Л-3"}
    assert ours.observations.count() == 2
    event = CatalogueEvent.objects.get(kind="merge")
    assert event.source_id == theirs.pk and event.target_id == ours.pk and event.moved_observations
    with pytest.raises(ValidationError):
        _review(Principal.for_user(expert_ru), proposal, False)


@pytest.mark.django_db
def test_split_keeps_history(cn_agency, ru_agency, cn_staff, expert_ru, two_sides):
    ours, theirs = _individual(cn_agency, "T-17"), _individual(ru_agency, "Л-3")
    proposal = services.propose_match(Principal.for_user(cn_staff), ours, theirs)
    _review(Principal.for_user(expert_ru), proposal, True)
    alias = IndividualAlias.objects.get(agency=ru_agency, local_id="Л-3")
    new = services.split_individual(Principal.for_user(expert_ru), ours, [alias.pk], note="Different animal after all")
    assert _individual(ru_agency, "Л-3").pk == new.pk
    assert new.observations.count() == 1 and ours.observations.count() == 1
    kinds = list(CatalogueEvent.objects.order_by("created_at").values_list("kind", flat=True))
    assert kinds == ["merge", "split"]


@pytest.mark.django_db
def test_match_api_confirm_by_other_country_expert(
    api_client, cn_agency, ru_agency, cn_staff, expert_cn, expert_ru, two_sides
):
    ours, theirs = _individual(cn_agency, "T-17"), _individual(ru_agency, "Л-3")
    api_client.force_authenticate(cn_staff)
    response = api_client.post(
        "/api/v1/monitoring/match-proposals/",
        {"individual": str(ours.pk), "other": str(theirs.pk), "evidence": "flank"},
        format="json",
    )
    assert response.status_code == 201, response.data
    revision = response.data["revision"]
    url = f"/api/v1/monitoring/match-proposals/{response.data['id']}/transitions/confirm/"
    api_client.force_authenticate(expert_cn)
    assert api_client.post(url, {"revision": revision}, format="json").status_code == 400  # the guard's reason
    api_client.force_authenticate(expert_ru)
    response = api_client.post(url, {"note": "ok", "revision": revision}, format="json")
    assert response.status_code == 200, response.data
    assert response.data["status"] == "confirmed"
    history = api_client.get(f"/api/v1/monitoring/individuals/{ours.pk}/history/").data
    assert history[0]["kind"] == "merge"


@pytest.mark.django_db
def test_cross_border_table(cn_agency, ru_agency, cn_staff, expert_ru, two_sides, leopard):
    principal = Principal.for_user(cn_staff)
    start, end = datetime.date(2024, 1, 1), datetime.date(2024, 12, 31)
    before = services.cross_border_table(principal, start, end)
    assert before["totals"] == {"china_only": 2, "russia_only": 2, "both": 0, "total": 4}
    proposal = services.propose_match(principal, _individual(cn_agency, "T-17"), _individual(ru_agency, "Л-3"))
    _review(Principal.for_user(expert_ru), proposal, True)
    after = services.cross_border_table(principal, start, end)
    assert after["totals"] == {"china_only": 1, "russia_only": 1, "both": 1, "total": 3}
    row = after["rows"][0]
    assert row["species"] == leopard and len(row["individuals"]["both"]) == 1
    assert (
        services.cross_border_table(principal, datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))["totals"][
            "total"
        ]
        == 0
    )


@pytest.mark.django_db
def test_cross_border_api_and_page(api_client, client, cn_staff, two_sides):
    api_client.force_authenticate(cn_staff)
    data = api_client.get("/api/v1/monitoring/reports/cross-border/", {"start": "2024-01-01", "end": "2024-12-31"}).data
    assert data["totals"]["total"] == 4 and data["rows"][0]["scientific_name"] == "Panthera pardus orientalis"
    client.force_login(cn_staff)
    body = client.get("/en/monitoring/reports/cross-border/", {"start": "2024-01-01"}).content.decode()
    assert 'id="cross-border-table"' in body and "China only" in body


@pytest.mark.django_db
def test_joint_survey_report(api_client, client, cn_agency, ru_agency, cn_staff, leopard, boar):
    survey = Survey.objects.create(
        owner_agency=cn_agency, name_en="Joint winter 2024", kind="joint", start_date=datetime.date(2024, 1, 1)
    )
    survey.participating_agencies.set([cn_agency, ru_agency])
    cn_site = make_deployment(cn_agency, 43.0, 130.8, survey=survey, days=50)
    ru_site = make_deployment(ru_agency, 43.1, 131.2, survey=survey, days=100)
    make_observation(cn_site, leopard, individual_local_id="T-1")
    make_observation(cn_site, boar)
    make_observation(ru_site, leopard)
    make_observation(ru_site, leopard)
    from monitoring.models import Observation

    Observation.objects.filter(individual_local_id="T-1").update(
        individual=services.individual_for_alias(cn_agency, "T-1", leopard)
    )
    report = services.joint_survey_report(Principal.for_user(cn_staff), survey)
    sides = {s["country"]: s for s in report["sides"]}
    assert sides["CN"]["deployments"] == 1 and sides["CN"]["trap_nights"] == 50
    assert sides["RU"]["trap_nights"] == 100
    ru_leopard = sides["RU"]["species"][0]
    assert ru_leopard["detections"] == 2 and ru_leopard["rate_per_100"] == 2.0
    cn_rates = {r["species"].scientific_name: r["rate_per_100"] for r in sides["CN"]["species"]}
    assert cn_rates == {"Panthera pardus orientalis": 2.0, "Sus scrofa": 2.0}
    assert report["individuals_total"] == 1
    api_client.force_authenticate(cn_staff)
    data = api_client.get(f"/api/v1/monitoring/surveys/{survey.pk}/report/").data
    assert {s["country"] for s in data["sides"]} == {"CN", "RU"}
    client.force_login(cn_staff)
    body = client.get(survey.get_absolute_url()).content.decode()
    assert 'id="joint-report"' in body and "100.0" in body


@pytest.mark.django_db
def test_individual_page_shows_both_sides_and_chart(client, cn_agency, ru_agency, cn_staff, expert_ru, two_sides):
    ours, theirs = _individual(cn_agency, "T-17"), _individual(ru_agency, "Л-3")
    proposal = services.propose_match(Principal.for_user(cn_staff), ours, theirs)
    _review(Principal.for_user(expert_ru), proposal, True)
    client.force_login(cn_staff)
    body = client.get(ours.get_absolute_url()).content.decode()
    cn_part = body.split('id="detections-cn"')[1].split("</ul>")[0]
    ru_part = body.split('id="detections-ru"')[1].split("</ul>")[0]
    assert "CN-1" in cn_part and "RU-1" in ru_part
    # The Russian camera's point is generalized for a Chinese viewer.
    assert "43.150000" in ru_part and "131.250000" in ru_part and "131.23" not in ru_part
    assert "<svg" in body and "<rect" in body


@pytest.mark.django_db
def test_propose_and_review_pages(client, cn_agency, ru_agency, cn_staff, expert_ru, two_sides):
    ours, theirs = _individual(cn_agency, "T-17"), _individual(ru_agency, "Л-3")
    client.force_login(cn_staff)
    response = client.post(
        f"/en/monitoring/individuals/{ours.pk}/propose-match/", {"other": str(theirs.pk), "evidence": "flank"}
    )
    proposal = MatchProposal.objects.get()
    assert response.status_code == 302
    client.force_login(expert_ru)
    assert "Confirm" in client.get(proposal.get_absolute_url()).content.decode()
    client.post(
        reverse("core:workflow-transition", args=["monitoring.matchproposal", proposal.pk, "confirm"]),
        {"revision": proposal.revision},
    )
    proposal.refresh_from_db()
    assert proposal.status == "confirmed"


@pytest.mark.django_db
def test_a_body_that_is_not_an_object_is_a_400_not_a_server_error(api_client, cn_agency, cn_staff, two_sides):
    api_client.force_authenticate(cn_staff)
    individual = _individual(cn_agency, "T-17")
    response = api_client.post(
        f"/api/v1/monitoring/individuals/{individual.pk}/split/", '"just a string"', content_type="application/json"
    )
    assert response.status_code == 400
