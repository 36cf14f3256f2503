"""The admin saves every model it registers, through the same write path as the API and the pages."""

import datetime
import json
from decimal import Decimal

import pytest
from django import forms
from django.contrib import admin
from django.forms import MultiWidget
from django.urls import reverse
from django.utils import timezone

from antipoaching import models, services
from core import reminders
from core.access import Principal
from core.models import ObligationStatus
from core.workflow import history, perform

from .conftest import TRACK, make_patrol

START = timezone.make_aware(datetime.datetime(2026, 3, 2, 8, 0))


# --- POST data from an admin page's forms ------------------------------------------------------


def _scalar(value):
    if hasattr(value, "pk"):
        return str(value.pk)
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _field_data(bound_field, value=None):
    """{html name: value} as the browser would send the field, from its current value."""
    field, name = bound_field.field, bound_field.html_name
    value = bound_field.value() if value is None else field.prepare_value(value)
    if field.disabled or value is None or getattr(field.widget, "input_type", "") == "file":
        return {}
    if isinstance(field.widget, MultiWidget):
        parts = field.widget.decompress(value) if not isinstance(value, list) else value
        return {f"{name}_{i}": _scalar(part) for i, part in enumerate(parts) if part is not None}
    if isinstance(value, bool):
        return {name: "on"} if value else {}
    if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        return {name: [_scalar(v) for v in value or []]}
    if isinstance(value, list | tuple | dict):
        return {name: json.dumps(value)}
    return {name: _scalar(value)}


def form_data(form, values=None):
    data = {}
    for bound_field in form:
        override = (values or {}).get(bound_field.name)
        data.update(_field_data(bound_field, override))
    return data


def page_data(response, values=None, keep_inline_rows=True):
    """The POST data of an admin add/change page: its main form and its inline formsets as shown."""
    context = response.context
    data = form_data(context["adminform"].form, values)
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        rows = list(formset.initial_forms) if keep_inline_rows else []
        data.update(
            {
                f"{formset.prefix}-TOTAL_FORMS": str(len(rows)),
                f"{formset.prefix}-INITIAL_FORMS": str(len(rows)),
                f"{formset.prefix}-MIN_NUM_FORMS": "0",
                f"{formset.prefix}-MAX_NUM_FORMS": "1000",
            }
        )
        for row in rows:
            data.update(form_data(row))
    return data


def _errors(response):
    context = response.context or {}
    errors = [context["adminform"].form.errors] if "adminform" in context else []
    errors += [inline.formset.errors for inline in context.get("inline_admin_formsets", [])]
    return errors


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


# --- one valid new record per registered model ------------------------------------------------


@pytest.fixture
def world(cn_agency, ru_agency, vocabulary):
    plan = models.ActionPlan.objects.create(
        owner_agency=cn_agency,
        title_en="Admin plan",
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 12, 31),
    )
    plan.participating_agencies.set([cn_agency])
    patrol = make_patrol(cn_agency)
    incidents = [
        models.Incident.objects.create(
            owner_agency=cn_agency, incident_type=vocabulary["snare"], occurred_on=datetime.date(2026, 3, day)
        )
        for day in (1, 2)
    ]
    alert = models.Alert.objects.create(owner_agency=cn_agency, title_en="Crossing", message_en="Now")
    return {
        "cn": cn_agency,
        "ru": ru_agency,
        "types": vocabulary,
        "plan": plan,
        "patrol": patrol,
        "incidents": incidents,
        "alert": alert,
    }


def new_records(w):
    """{model: (unsaved instance, {many-to-many field: values})}; a new registered model needs one."""
    return {
        models.IncidentType: (models.IncidentType(code="admin-type", name_en="Admin type", category="other"), {}),
        models.ActionPlan: (
            models.ActionPlan(
                owner_agency=w["cn"],
                title_en="Plan from the admin",
                period_start=datetime.date(2026, 1, 1),
                period_end=datetime.date(2026, 6, 30),
            ),
            {"participating_agencies": [w["cn"], w["ru"]]},
        ),
        models.PlanTarget: (models.PlanTarget(plan=w["plan"], metric="patrols", value=Decimal("4")), {}),
        models.PlanActivity: (
            models.PlanActivity(
                plan=w["plan"], title_en="Admin activity", agency=w["cn"], due_date=datetime.date(2026, 5, 1)
            ),
            {},
        ),
        models.JointOperation: (
            models.JointOperation(owner_agency=w["cn"], kind="raid", title_en="Admin raid", start=START),
            {"agencies": [w["cn"]]},
        ),
        models.Patrol: (
            models.Patrol(
                owner_agency=w["cn"],
                leader="Wang",
                members=["Li"],
                start=START,
                end=START + datetime.timedelta(hours=6),
            ),
            {},
        ),
        models.PatrolLeg: (
            models.PatrolLeg(patrol=w["patrol"], start=START, end=START + datetime.timedelta(hours=4), track=TRACK),
            {},
        ),
        models.Waypoint: (
            models.Waypoint(
                patrol=w["patrol"],
                time=START,
                latitude=Decimal("43.1"),
                longitude=Decimal("131.2"),
                incident_type=w["types"]["snare"],
                count=2,
                removed=1,
                actions=["removed"],
            ),
            {},
        ),
        models.Incident: (
            models.Incident(
                owner_agency=w["cn"], incident_type=w["types"]["camp"], occurred_on=datetime.date(2026, 3, 5)
            ),
            {},
        ),
        models.IncidentLink: (
            models.IncidentLink(from_incident=w["incidents"][0], to_incident=w["incidents"][1], note="same group"),
            {},
        ),
        models.Alert: (models.Alert(owner_agency=w["cn"], title_en="Admin alert", message_en="Watch post 14"), {}),
        models.AlertReceipt: (models.AlertReceipt(alert=w["alert"], agency=w["ru"]), {}),
    }


def _registered():
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label == "antipoaching"
    ]


@pytest.mark.django_db
def test_every_registered_model_is_added_and_changed_in_the_admin(admin_client, world):
    records = new_records(world)
    registered = _registered()
    assert len(registered) >= 12
    for model, _model_admin in registered:
        assert model in records, f"add {model.__name__} to new_records()"
        instance, many = records[model]
        if instance is None:
            assert admin_client.get(_url(model, "add")).status_code == 403
            continue
        add_page = admin_client.get(_url(model, "add"))
        assert add_page.status_code == 200, model
        form = add_page.context["adminform"].form
        values = {name: value for name, value in form.__class__(instance=instance).initial.items()}
        values.update(many)
        before = set(model.objects.values_list("pk", flat=True))
        response = admin_client.post(_url(model, "add"), page_data(add_page, values))
        assert response.status_code == 302, (model, _errors(response))
        created = model.objects.exclude(pk__in=before).get()
        change_url = _url(model, "change", created.pk)
        change_page = admin_client.get(change_url)
        assert change_page.status_code == 200, model
        response = admin_client.post(change_url, page_data(change_page))
        assert response.status_code == 302, (model, _errors(response))
        assert admin_client.get(_url(model, "changelist")).status_code == 200, model


# --- the admin goes through the write path ------------------------------------------------------


@pytest.fixture
def approved_plan(world, cn_staff, cn_coord):
    plan = world["plan"]
    perform(plan, "submit", Principal.for_user(cn_staff))
    plan.refresh_from_db()
    perform(plan, "approve", Principal.for_user(cn_coord), revision=plan.revision)
    plan.refresh_from_db()
    assert plan.status == "approved"
    return plan


def _back_in_review_then_approved(plan, coordinator):
    """An activity edit rewrote the approved plan: it is back in review until approved again."""
    plan.refresh_from_db()
    assert plan.status == "under_review"
    assert history(plan).last().changes == ["planned_activities"]
    perform(plan, "approve", Principal.for_user(coordinator), revision=plan.revision)


def _inline_prefix(page, model):
    return next(i.formset.prefix for i in page.context["inline_admin_formsets"] if i.formset.model is model)


@pytest.mark.django_db
def test_plan_activities_in_the_plans_admin_keep_their_obligations(admin_client, approved_plan, world, cn_coord):
    url = _url(models.ActionPlan, "change", approved_plan.pk)
    page = admin_client.get(url)
    prefix = _inline_prefix(page, models.PlanActivity)
    data = page_data(page)
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-0-title_en": "Added in the admin",
            f"{prefix}-0-agency": str(world["cn"].pk),
            f"{prefix}-0-due_date": "2026-05-01",
            f"{prefix}-0-status": "planned",
            f"{prefix}-0-plan": str(approved_plan.pk),
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, _errors(response)
    _back_in_review_then_approved(approved_plan, cn_coord)
    activity = models.PlanActivity.objects.get(plan=approved_plan)
    obligation = reminders.obligation_for(activity)
    assert obligation.status == ObligationStatus.OPEN and obligation.due_date == datetime.date(2026, 5, 1)

    page = admin_client.get(url)
    data = page_data(page)
    data[f"{prefix}-0-due_date"] = "2026-06-15"
    assert admin_client.post(url, data).status_code == 302
    _back_in_review_then_approved(approved_plan, cn_coord)
    obligation.refresh_from_db()
    assert obligation.due_date == datetime.date(2026, 6, 15) and obligation.status == ObligationStatus.OPEN

    page = admin_client.get(url)
    data = page_data(page)
    data[f"{prefix}-0-DELETE"] = "on"
    assert admin_client.post(url, data).status_code == 302
    assert not models.PlanActivity.objects.exists()
    obligation.refresh_from_db()
    assert obligation.status == ObligationStatus.CANCELLED
    assert not obligation.reminders.filter(status="pending").exists()


@pytest.mark.django_db
def test_plan_activity_admin_and_plan_deletion_keep_obligations(admin_client, approved_plan, world, cn_coord):
    add_url = _url(models.PlanActivity, "add")
    page = admin_client.get(add_url)
    instance = models.PlanActivity(
        plan=approved_plan, title_en="Own page", agency=world["cn"], due_date=datetime.date(2026, 5, 1)
    )
    response = admin_client.post(
        add_url, page_data(page, page.context["adminform"].form.__class__(instance=instance).initial)
    )
    assert response.status_code == 302, _errors(response)
    _back_in_review_then_approved(approved_plan, cn_coord)
    activity = models.PlanActivity.objects.get()
    obligation = reminders.obligation_for(activity)
    assert obligation.status == ObligationStatus.OPEN

    change_url = _url(models.PlanActivity, "change", activity.pk)
    data = page_data(admin_client.get(change_url))
    data["status"] = "done"
    assert admin_client.post(change_url, data).status_code == 302
    approved_plan.refresh_from_db()
    assert approved_plan.status == "approved"  # progress is not a change of the approved content
    obligation.refresh_from_db()
    assert obligation.status == ObligationStatus.FULFILLED

    assert admin_client.post(_url(models.PlanActivity, "delete", activity.pk), {"post": "yes"}).status_code == 302
    obligation.refresh_from_db()
    assert obligation.status == ObligationStatus.CANCELLED
    _back_in_review_then_approved(approved_plan, cn_coord)

    # "Delete selected" on plans: every activity's obligation goes with its plan.
    second = services.save_activity(
        models.PlanActivity(
            plan=approved_plan, title_en="Second", agency=world["cn"], due_date=datetime.date(2026, 7, 1)
        )
    )
    assert reminders.obligation_for(second).status == ObligationStatus.OPEN
    response = admin_client.post(
        _url(models.ActionPlan, "changelist"),
        {"action": "delete_selected", "_selected_action": [str(approved_plan.pk)], "post": "yes"},
    )
    assert response.status_code == 302
    assert not models.ActionPlan.objects.filter(pk=approved_plan.pk).exists()
    assert reminders.obligation_for(second).status == ObligationStatus.CANCELLED


@pytest.mark.django_db
def test_a_patrol_edited_in_the_admin_recomputes_its_effort(admin_client, world):
    patrol = world["patrol"]
    url = _url(models.Patrol, "change", patrol.pk)
    page = admin_client.get(url)
    data = page_data(page)
    data["members"] = json.dumps(["Petr", "Oleg", "Sasha", "Dima"])
    prefix = _inline_prefix(page, models.PatrolLeg)
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-0-start_0": "2026-03-02",
            f"{prefix}-0-start_1": "08:00:00",
            f"{prefix}-0-end_0": "2026-03-02",
            f"{prefix}-0-end_1": "12:00:00",
            f"{prefix}-0-transport": "foot",
            f"{prefix}-0-track": json.dumps(TRACK),
            f"{prefix}-0-patrol": str(patrol.pk),
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, _errors(response)
    patrol.refresh_from_db()
    leg = patrol.legs.get()
    assert leg.distance_km > 5 and patrol.distance_km == leg.distance_km
    assert patrol.team_size == 5 and patrol.hours == Decimal("4.00")
    assert patrol.person_days == patrol.patrol_days * 5

    page = admin_client.get(url)
    data = page_data(page)
    data[f"{prefix}-0-DELETE"] = "on"
    assert admin_client.post(url, data).status_code == 302
    patrol.refresh_from_db()
    assert not patrol.legs.exists() and patrol.distance_km == 0

    # A leg saved and deleted on its own admin page.
    leg_page = admin_client.get(_url(models.PatrolLeg, "add"))
    values = {"patrol": patrol, "start": START, "end": START + datetime.timedelta(hours=2), "track": TRACK}
    assert admin_client.post(_url(models.PatrolLeg, "add"), page_data(leg_page, values)).status_code == 302
    patrol.refresh_from_db()
    assert patrol.distance_km > 5 and patrol.hours == Decimal("2.00")
    leg = patrol.legs.get()
    assert admin_client.post(_url(models.PatrolLeg, "delete", leg.pk), {"post": "yes"}).status_code == 302
    patrol.refresh_from_db()
    assert patrol.distance_km == 0
