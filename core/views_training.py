"""Pages of the shared training and exchange-visit records, on the core page set (core.pages)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.access import can_edit, principal_for
from core.api.training import ExchangeVisitFilterSet, TrainingCourseFilterSet
from core.documents import AttachmentFormMixin, with_files
from core.figures import PeriodError
from core.forms import TranslatedModelForm
from core.models import (
    CERTIFICATE_ROLE,
    COURSE_FIELDS,
    VISIT_FIELDS,
    Agency,
    ExchangeVisit,
    ExchangeVisitMember,
    TrainingCourse,
    TrainingParticipant,
    TrainingTopic,
    trained_staff_rows,
)
from core.pages import Column, RecordPages
from core.personal_data import may_see_personal_data
from core.widgets import DateInput


class ParticipantForm(AttachmentFormMixin, TranslatedModelForm):
    """A participant of a course; the certificate scan becomes a core attachment (checked by content)."""

    attachment_role = CERTIFICATE_ROLE
    attachment_multiple = False

    class Meta:
        model = TrainingParticipant
        fields = ["name", "agency", "position", "completed", "certificate_number", "certificate_issued"]
        widgets = {"certificate_issued": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[self.attachment_field_name].label = gettext_lazy("Certificate file")


class MemberForm(TranslatedModelForm):
    class Meta:
        model = ExchangeVisitMember
        fields = ["name", "agency", "position", "is_leader"]


class TrainedStaffFilter(forms.Form):
    agency = forms.ModelChoiceField(
        label=gettext_lazy("Agency"), queryset=Agency.objects.all(), required=False, to_field_name="code"
    )
    start = forms.DateField(label=gettext_lazy("From"), required=False, widget=DateInput())
    end = forms.DateField(label=gettext_lazy("To"), required=False, widget=DateInput())


def participants_context(course, principal):
    """The course's participants with their certificate files; names and certificate numbers only
    for those who may see personal data (the organiser), the rest see the people counted."""
    participants = with_files(course.participants.select_related("agency"), CERTIFICATE_ROLE)
    return {"participants": participants, "show_personal_data": may_see_personal_data(principal, course)}


class TrainingCoursePages(RecordPages):
    model = TrainingCourse
    prefix = "training-course"
    path = "training/"
    filterset_class = TrainingCourseFilterSet
    columns = [
        Column("title", link=True),
        "topic",
        "start_date",
        "end_date",
        "place",
        Column("owner_agency.code", label=gettext_lazy("Organiser")),
        Column("participants", label=gettext_lazy("Participants"), value=lambda c: len(c.participants.all())),
    ]
    ordering_fields = ("topic", "start_date", "end_date")
    fields = ["owner_agency", "sensitivity", "shared_with", *COURSE_FIELDS]
    detail_fields = ["topic", "start_date", "end_date", "hours", "place", "trainers", "description", "owner_agency"]
    detail_parts = ["core/training/_participants.html"]
    select_related_fields = ("owner_agency",)
    prefetch_related_fields = ("participants",)
    list_template = "core/training/course_list.html"

    def detail_context(self, record, principal):
        context = participants_context(record, principal)
        context["participant_form"] = ParticipantForm(principal=principal)
        return context


class ExchangeVisitPages(RecordPages):
    model = ExchangeVisit
    prefix = "exchange-visit"
    path = "exchange-visits/"
    filterset_class = ExchangeVisitFilterSet
    columns = [
        Column("title", link=True),
        "topic",
        "start_date",
        "end_date",
        Column("delegation_agency.code", label=gettext_lazy("Delegation")),
        Column("host_agency.code", label=gettext_lazy("Host")),
    ]
    ordering_fields = ("topic", "start_date", "end_date")
    fields = ["owner_agency", "sensitivity", "shared_with", *VISIT_FIELDS]
    detail_fields = [name for name in VISIT_FIELDS if name != "title"]
    detail_parts = ["core/exchanges/_members.html"]
    select_related_fields = ("owner_agency", "delegation_agency", "host_agency")
    prefetch_related_fields = ("protected_areas",)
    list_template = "core/exchanges/visit_list.html"

    def detail_context(self, record, principal):
        return {"members": record.members.select_related("agency"), "member_form": MemberForm(principal=principal)}


@login_required
def training_add_participant(request, pk):
    principal = principal_for(request)
    course = get_object_or_404(TrainingCourse.objects.visible_to(principal), pk=pk)
    if not can_edit(principal, course):
        raise PermissionDenied(_("Only the organising agency may change the participants."))
    if request.method != "POST":
        return redirect(course.get_absolute_url())
    form = ParticipantForm(
        request.POST, request.FILES, instance=TrainingParticipant(course=course), principal=principal
    )
    if form.is_valid():
        with transaction.atomic():
            participant = form.save()
            form.save_attachments(participant, principal)
        messages.success(request, _("Saved."))
        return redirect(course.get_absolute_url())
    context = {
        "object": course,
        "participant_form": form,
        "page_title": _("Add a participant to %(course)s") % {"course": course},
    }
    return render(request, "core/training/participant_form.html", context, status=400)


@login_required
def trained_staff(request):
    principal = principal_for(request)
    form = TrainedStaffFilter(request.GET or None)
    params = form.cleaned_data if form.is_bound and form.is_valid() else {}
    try:
        rows = trained_staff_rows(
            principal, agency=params.get("agency"), start=params.get("start"), end=params.get("end")
        )
    except PeriodError as error:
        form.add_error("end", str(error))
        rows = []
    topics = [t for t in TrainingTopic if any(r["topic"] == t.value for r in rows)]
    table = {}
    for row in rows:
        table.setdefault((row["agency_code"], row["country"]), {})[row["topic"]] = row["people"]
    matrix = [
        {"agency": code, "country": country, "counts": [counts.get(t.value, 0) for t in topics]}
        for (code, country), counts in sorted(table.items())
    ]
    return render(request, "core/training/trained_staff.html", {"form": form, "topics": topics, "matrix": matrix})


@login_required
def exchange_add_member(request, pk):
    principal = principal_for(request)
    visit = get_object_or_404(ExchangeVisit.objects.visible_to(principal), pk=pk)
    if not can_edit(principal, visit):
        raise PermissionDenied(_("Only the owning agency may change this record."))
    form = MemberForm(request.POST or None, instance=ExchangeVisitMember(visit=visit), principal=principal)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved."))
    elif request.method == "POST":
        messages.error(request, "; ".join(" ".join(v) for v in form.errors.values()))
    return redirect(visit.get_absolute_url())
