"""The admin saves every monitoring model it registers, and keeps the derived fields."""

import datetime
import itertools

import pytest
from django.contrib import admin
from django.db.models.fields.files import FieldFile
from django.forms import CheckboxInput, MultiWidget, NullBooleanSelect
from django.urls import reverse
from django.utils import timezone

from core.tests.factories import AgencyFactory
from monitoring import models as m
from monitoring.services import individual_for_alias

from .factories import make_deployment, make_observation

_n = itertools.count(1)
ROUTE = {"type": "LineString", "coordinates": [[130.2, 43.2], [130.3, 43.2]]}


def _registered():
    return sorted(
        (model for model in admin.site._registry if model._meta.app_label == "monitoring"),
        key=lambda model: model._meta.model_name,
    )


def _build(model, agency, species, user):
    """A saved instance of `model`, with whatever it needs."""
    n = next(_n)
    day = datetime.date(2025, 1, 1)
    survey = m.Survey.objects.create(owner_agency=agency, name_en=f"S{n}", start_date=day)
    protocol = m.Protocol.objects.create(owner_agency=agency, key=f"p{n}", method="snow_track", title_en="P")
    deployment = make_deployment(agency, 43.5, 130.5, code=f"D{n}")
    individual = individual_for_alias(agency, f"T-{n}", species)
    project = m.ResearchProject.objects.create(owner_agency=agency, title_en="R", start_date=day)
    when = timezone.make_aware(datetime.datetime(2024, 1, 2))
    builders = {
        m.Protocol: lambda: protocol,
        m.ProtocolVersion: lambda: m.ProtocolVersion.objects.create(
            protocol=protocol, version=f"{n}.0", title_en="V", effective_from=day
        ),
        m.ObservationType: lambda: m.ObservationType.objects.create(key=f"type{n}", label_en="T"),
        m.FeatureType: lambda: m.FeatureType.objects.create(key=f"feature{n}", label_en="F"),
        m.EffortUnit: lambda: m.EffortUnit.objects.create(key=f"unit{n}", label_en="U"),
        m.Crosswalk: lambda: m.Crosswalk.objects.create(
            agency=agency, vocabulary="sex", local_code=f"c{n}", shared_key="male"
        ),
        m.Survey: lambda: survey,
        m.ImportRun: lambda: m.ImportRun.objects.create(owner_agency=agency, source="x.zip"),
        m.ImportJob: lambda: m.ImportJob.objects.create(owner_agency=agency, original_name="x.zip"),
        m.Deployment: lambda: deployment,
        m.Media: lambda: m.Media.objects.create(
            owner_agency=agency,
            deployment=deployment,
            media_id=f"M{n}",
            timestamp=when,
            file_path="a.jpg",
            file_mediatype="image/jpeg",
        ),
        m.Observation: lambda: make_observation(deployment, species),
        m.SnowTrackTransect: lambda: m.SnowTrackTransect.objects.create(
            owner_agency=agency, survey=survey, name=f"R{n}", date=day, route=ROUTE
        ),
        m.TransectTrack: lambda: m.TransectTrack.objects.create(
            transect=m.SnowTrackTransect.objects.create(owner_agency=agency, name="R", date=day, route=ROUTE),
            species=species,
            tracks=2,
        ),
        m.Individual: lambda: individual,
        m.IndividualAlias: lambda: m.IndividualAlias.objects.create(
            individual=individual, agency=agency, local_id=f"L-{n}"
        ),
        m.MatchProposal: lambda: m.MatchProposal.objects.create(
            owner_agency=agency, individual=individual, other=individual_for_alias(agency, f"O-{n}", species)
        ),
        m.CatalogueEvent: lambda: m.CatalogueEvent.objects.create(kind="merge", source=individual, target=individual),
        m.ResearchProject: lambda: project,
        m.Publication: lambda: m.Publication.objects.create(project=project, title="P", authors="A", year=2024),
        m.DataRequest: lambda: m.DataRequest.objects.create(
            owner_agency=agency,
            requested_from=AgencyFactory(code=f"ASK{n}"),
            requester=user,
            requested_dataset="monitoring.deployment",
            purpose="Density",
            needed_until=day,
        ),
    }
    return builders[model]()


def _post_data(form, inline_formsets):
    """What a browser would send back for an unchanged form: its initial values."""
    data = {}
    for bound in form:
        if bound.field.disabled:
            continue
        value, widget = bound.value(), bound.field.widget
        if isinstance(widget, MultiWidget):
            for index, part in enumerate(widget.decompress(value)):
                data[f"{bound.html_name}_{index}"] = "" if part is None else str(part)
        elif isinstance(widget, NullBooleanSelect):
            data[bound.html_name] = {True: "true", False: "false"}.get(value, "unknown")
        elif isinstance(widget, CheckboxInput):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(value, (list, tuple)):
            data[bound.html_name] = [str(v) for v in value]
        elif value is not None and not isinstance(value, FieldFile):
            data[bound.html_name] = str(value)
    for formset in inline_formsets:
        management = formset.formset.management_form
        for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
            data[f"{management.prefix}-{name}"] = "0" if name != "MAX_NUM_FORMS" else "1000"
    return data


@pytest.fixture
def superuser(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("root", "root@example.org", "pw")


@pytest.fixture
def park(cn_agency):
    from reserves.models import ProtectedArea

    return ProtectedArea.objects.create(
        owner_agency=cn_agency,
        name_en="Park",
        country="CN",
        boundary={
            "type": "Polygon",
            "coordinates": [[[130.0, 43.0], [131.0, 43.0], [131.0, 44.0], [130.0, 44.0], [130.0, 43.0]]],
        },
    )


def test_every_monitoring_model_is_registered():
    from django.apps import apps

    assert set(_registered()) == set(apps.get_app_config("monitoring").get_models())


@pytest.mark.django_db
@pytest.mark.parametrize("model", _registered(), ids=lambda model: model._meta.model_name)
def test_admin_adds_and_changes_each_model(client, superuser, cn_agency, leopard, park, model):
    client.force_login(superuser)
    template = _build(model, cn_agency, leopard, superuser)
    info = model._meta.app_label, model._meta.model_name
    change_url = reverse("admin:{}_{}_change".format(*info), args=[template.pk])
    assert client.get(change_url).status_code == 200
    add_url = reverse("admin:{}_{}_add".format(*info))
    page = client.get(add_url)
    model_admin = admin.site._registry[model]
    if not model_admin.has_add_permission(page.wsgi_request):
        assert page.status_code == 403  # a log written by the portal, never typed in
        return
    assert page.status_code == 200
    # Add: the template's values, posted again once the template is gone (unique fields).
    form = model_admin.get_form(page.wsgi_request, template)(instance=template)
    data = _post_data(form, page.context["inline_admin_formsets"])
    template.delete()
    before = model.objects.count()
    response = client.post(add_url, data)
    assert response.status_code == 302, (response.context or {}).get("adminform") and response.context[
        "adminform"
    ].form.errors
    assert model.objects.count() == before + 1
    saved = model.objects.latest("created_at")
    # Change: the saved object posted back unchanged.
    change_url = reverse("admin:{}_{}_change".format(*info), args=[saved.pk])
    page = client.get(change_url)
    form = page.context["adminform"].form
    response = client.post(change_url, _post_data(form, page.context["inline_admin_formsets"]))
    assert response.status_code == 302, response.context["adminform"].form.errors
    saved.refresh_from_db()
    if model is m.Deployment:
        assert saved.protected_area == park
    if model is m.SnowTrackTransect:
        assert saved.protected_area == park and saved.length_km > 8
    if model is m.Observation:
        saved.deployment.refresh_from_db()
        assert saved.deployment.location_category == 2


@pytest.mark.django_db
def test_admin_transect_with_tracks_is_generalized(client, superuser, cn_agency, leopard, park):
    """Regression: a snow-track transect saved in the admin was never generalized."""
    client.force_login(superuser)
    response = client.post(
        reverse("admin:monitoring_snowtracktransect_add"),
        {
            "owner_agency": cn_agency.pk,
            "sensitivity": "partners",
            "name": "Route 4",
            "date": "2025-01-20",
            "route": '{"type": "LineString", "coordinates": [[130.2, 43.2], [130.3, 43.2]]}',
            "tracks-TOTAL_FORMS": "1",
            "tracks-INITIAL_FORMS": "0",
            "tracks-MIN_NUM_FORMS": "0",
            "tracks-MAX_NUM_FORMS": "1000",
            "tracks-0-species": leopard.pk,
            "tracks-0-tracks": "3",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    transect = m.SnowTrackTransect.objects.get()
    assert transect.tracks.get().tracks == 3
    assert transect.location_category == 2 and transect.protected_area == park
    assert transect.revision == 1
    # Outsiders see only a generalized centre.
    from core.access import Principal
    from core.tests.factories import AgencyFactory, make_member
    from monitoring.services import transect_location

    outsider = make_member(AgencyFactory(code="RUX", country="RU"), "agency_staff", username="ru_x")
    route, centre = transect_location(Principal.for_user(outsider), transect)
    assert route is None and centre.generalized


@pytest.mark.django_db
def test_admin_track_delete_ungeneralizes_the_transect(client, superuser, cn_agency, leopard):
    transect = m.SnowTrackTransect.objects.create(
        owner_agency=cn_agency, name="R", date=datetime.date(2025, 1, 1), route=ROUTE
    )
    from monitoring.services import replace_transect_tracks

    replace_transect_tracks(transect, [{"species": leopard, "tracks": 1}])
    assert transect.location_category == 2
    client.force_login(superuser)
    track = transect.tracks.get()
    response = client.post(reverse("admin:monitoring_transecttrack_delete", args=[track.pk]), {"post": "yes"})
    assert response.status_code == 302
    transect.refresh_from_db()
    assert transect.location_category == 0


@pytest.mark.django_db
def test_admin_observation_bulk_delete_ungeneralizes_the_deployment(client, superuser, cn_agency, leopard):
    deployment = make_deployment(cn_agency, 43.5, 130.5)
    observation = make_observation(deployment, leopard)
    assert deployment.location_category == 2
    client.force_login(superuser)
    response = client.post(
        reverse("admin:monitoring_observation_changelist"),
        {"action": "delete_selected", "_selected_action": [observation.pk], "post": "yes"},
    )
    assert response.status_code == 302
    deployment.refresh_from_db()
    assert deployment.location_category == 0
