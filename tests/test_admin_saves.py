"""The admin saves every model it registers: each add and change form is posted as a user would.

The demo data gives one real record of each model; the change form is posted back with the values
the admin itself rendered (inlines included), and the add form with the same values made unique.
A model the admin lists must never answer with a server error or a TypeError when saved.
"""

import json
import uuid

import pytest
from django import forms
from django.contrib import admin
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.forms import BaseFormSet
from django.test import Client
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.postgres, pytest.mark.slow]

# Only the portal's own apps must save; third-party admins (axes, celery beat, API keys) are opened.
PORTAL_APPS = {"core", "reserves", "antipoaching", "monitoring", "policy", "outreach", "corridors"}
# Error codes that mean "this copy would duplicate a record": the form refused it as it should.
# (A conditional UniqueConstraint reports its violation without a code.)
DUPLICATE_CODES = {"unique", "unique_together", "constraint_violated", None}


def _error_codes(response):
    codes = set()
    form = response.context["adminform"].form
    for errors in form.errors.as_data().values():
        codes.update(error.code for error in errors)
    return codes


def _post_value(bound_field):
    field = bound_field.field
    value = bound_field.value()
    widget = field.widget
    if value is None:
        return None
    if isinstance(value, models.fields.files.FieldFile):  # a stored file: kept by not posting it
        return None
    if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        return [str(v.pk if isinstance(v, models.Model) else v) for v in value] or None
    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(field, forms.JSONField):
        return field.prepare_value(value) if not isinstance(value, str) else value
    if isinstance(value, (dict, list)) and not isinstance(value, str):
        return json.dumps(value, cls=DjangoJSONEncoder)
    if hasattr(widget, "decompress") and not isinstance(value, (list, tuple)):
        # Split date/time widgets render two inputs.
        parts = widget.decompress(value)
        return {f"_{i}": str(p) for i, p in enumerate(parts) if p is not None}
    if isinstance(value, models.fields.files.FieldFile):  # a stored file: kept by not posting it
        return None
    return str(value.pk if isinstance(value, models.Model) else value)


def _form_data(form, data):
    for name, bound in ((n, form[n]) for n in form.fields):
        if form.fields[name].disabled:
            continue
        value = _post_value(bound)
        key = bound.html_name
        if value is None:
            continue
        if isinstance(value, dict):
            for suffix, part in value.items():
                data[key + suffix] = part
        else:
            data[key] = value


def _changeform_data(response):
    context = response.context
    data = {}
    _form_data(context["adminform"].form, data)
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management[name].html_name] = management[name].value()
        for form in formset.initial_forms:
            _form_data(form, data)
        # No extra rows: an empty extra form is ignored by the formset when unchanged.
        data[management["TOTAL_FORMS"].html_name] = len(formset.initial_forms)
        assert isinstance(formset, BaseFormSet)
    data["_save"] = "Save"
    return data


def _unique_copy(model, data):
    """The add form's data: string values of unique fields changed so that the copy may exist."""
    unique_names = {f.name for f in model._meta.fields if f.unique and not f.primary_key}
    for constraint in model._meta.constraints:
        unique_names.update(getattr(constraint, "fields", ()) or ())
    copy = {k: v for k, v in data.items() if "-" not in k or k.startswith("_") or k.endswith("_FORMS")}
    suffix = uuid.uuid4().hex[:6]
    for key, value in list(copy.items()):
        base = key.rsplit("_", 1)[0] if key.endswith(("_en", "_ru", "_zh_hans")) else key
        if (key in unique_names or base in unique_names) and isinstance(value, str):
            field = model._meta.get_field(base if base in unique_names else key)
            if isinstance(field, (models.CharField, models.SlugField)) and not field.choices:
                copy[key] = (value + suffix)[: field.max_length]
    # Inline rows stay with the original record.
    for key in [k for k in copy if k.endswith(("-TOTAL_FORMS", "-INITIAL_FORMS"))]:
        copy[key] = "0"
    return copy


@pytest.fixture
def admin_client_with_demo(db, django_user_model):
    call_command("seed_demo", verbosity=0)
    user = django_user_model.objects.filter(is_superuser=True).first()
    _records_the_demo_does_not_make(user)
    client = Client()
    client.force_login(user)
    return client


def _a_species_key():
    from monitoring.services import shared_keys

    return sorted(shared_keys("species"))[0]


def _records_the_demo_does_not_make(user):
    """One record of each portal model the demo leaves empty (keys, grants, logs, imports)."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.files.base import ContentFile

    from core.models import (
        Agency,
        AgencyAPIKey,
        Attachment,
        DataSharingGrant,
        Notification,
        NotificationPreference,
        StatusChange,
    )
    from monitoring.models import Crosswalk, Deployment, ImportJob, ImportRun, Media

    china, russia = Agency.objects.get(code="NECTLNP"), Agency.objects.get(code="LOTL")
    AgencyAPIKey.objects.create_key(name="admin walk", agency=china)
    DataSharingGrant.objects.create(grantor=china, grantee=russia, scope="view")
    Notification.objects.create(recipient=user, subject="Admin walk")
    NotificationPreference.objects.create(user=user, email_delivery="daily")
    StatusChange.objects.create(
        content_type=ContentType.objects.get_for_model(Agency), object_id=str(china.pk), transition="t", to_status="x"
    )
    attachment = Attachment(
        content_type=ContentType.objects.get_for_model(Agency),
        object_id=str(china.pk),
        original_name="minutes.pdf",
        mime_type="application/pdf",
        size=8,
        sha256="0" * 64,
    )
    attachment.file.save("ignored", ContentFile(b"%PDF-1.4"), save=False)
    attachment.save()
    Crosswalk.objects.create(agency=china, vocabulary="species", local_code="dongbeibao", shared_key=_a_species_key())
    ImportRun.objects.create(owner_agency=china, package_name="admin walk")
    ImportJob.objects.create(owner_agency=china, original_name="admin-walk.zip")
    deployment = Deployment.objects.filter(owner_agency=china).first()
    Media.objects.create(
        owner_agency=china,
        deployment=deployment,
        media_id="admin-walk-1",
        timestamp=deployment.start,
        file_path="media/1.jpg",
        file_mediatype="image/jpeg",
    )


def _registered():
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def test_every_registered_model_saves_in_the_admin(admin_client_with_demo):
    client = admin_client_with_demo
    problems = []
    for model, model_admin in _registered():
        label = model._meta.label
        info = (model._meta.app_label, model._meta.model_name)
        obj = model._default_manager.order_by("pk").first()
        add_url = reverse(f"admin:{info[0]}_{info[1]}_add")
        request_add = client.get(add_url)
        if request_add.status_code not in (200, 403):
            problems.append(f"{label}: add page answered {request_add.status_code}")
        if obj is None:
            if info[0] in PORTAL_APPS:
                problems.append(f"{label}: the demo has no record to edit")
            continue
        if info[0] not in PORTAL_APPS:
            if client.get(reverse(f"admin:{info[0]}_{info[1]}_change", args=[obj.pk])).status_code != 200:
                problems.append(f"{label}: change page failed")
            continue
        change_url = reverse(f"admin:{info[0]}_{info[1]}_change", args=[obj.pk])
        page = client.get(change_url)
        if page.status_code != 200:
            problems.append(f"{label}: change page answered {page.status_code}")
            continue
        if page.context.get("adminform") is None:
            continue
        data = _changeform_data(page)
        if model_admin.has_change_permission(page.wsgi_request, obj):
            try:
                saved = client.post(change_url, data)
            except Exception as exc:  # noqa: BLE001 - the point is to name every model that breaks
                problems.append(f"{label}: change raised {type(exc).__name__}: {exc}")
            else:
                if saved.status_code != 302:
                    errors = saved.context and saved.context.get("errors")
                    problems.append(f"{label}: change answered {saved.status_code} {errors or ''}")
        if model_admin.has_add_permission(page.wsgi_request):
            before = model._default_manager.count()
            copy = _unique_copy(model, data)
            if label == "auth.User":
                copy.update(password1="a-Long-pass-2026", password2="a-Long-pass-2026")
            try:
                added = client.post(add_url, copy)
            except Exception as exc:  # noqa: BLE001
                problems.append(f"{label}: add raised {type(exc).__name__}: {exc}")
            else:
                if added.status_code != 302:
                    codes = _error_codes(added) if added.status_code == 200 else set()
                    if not codes or not codes <= DUPLICATE_CODES:
                        errors = added.context and added.context.get("errors")
                        problems.append(f"{label}: add answered {added.status_code} {errors or ''}")
                elif model._default_manager.count() != before + 1:
                    problems.append(f"{label}: add redirected but saved nothing")
    assert not problems, "\n".join(problems)
