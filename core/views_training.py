"""Pages of the shared training and exchange-visit records."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.access import can_edit, principal_for
from core.api.training import ExchangeVisitFilterSet, TrainingCourseFilterSet
from core.models import Agency, ExchangeVisit, ExchangeVisitMember, TrainingCourse, TrainingParticipant, TrainingTopic
from core.views_base import PortalCreateView, PortalDetailView, PortalListView, PortalUpdateView

COURSE_FIELDS = [
    "owner_agency",
    "sensitivity",
    "shared_with",
    "title",
    "topic",
    "description",
    "trainers",
    "place",
    "start_date",
    "end_date",
    "hours",
]
VISIT_FIELDS = [
    "owner_agency",
    "sensitivity",
    "shared_with",
    "title",
    "topic",
    "delegation_agency",
    "host_agency",
    "protected_areas",
    "start_date",
    "end_date",
    "purpose",
    "programme",
    "report",
    "lessons_learned",
]


class ParticipantForm(forms.ModelForm):
    class Meta:
        model = TrainingParticipant
        fields = [
            "name",
            "agency",
            "position",
            "completed",
            "certificate_number",
            "certificate_issued",
            "certificate_file",
        ]
        widgets = {"certificate_issued": forms.DateInput(attrs={"type": "date"})}


class MemberForm(forms.ModelForm):
    class Meta:
        model = ExchangeVisitMember
        fields = ["name", "agency", "position", "is_leader"]


class TrainedStaffFilter(forms.Form):
    agency = forms.ModelChoiceField(
        label=gettext_lazy("Agency"), queryset=Agency.objects.all(), required=False, to_field_name="code"
    )
    start = forms.DateField(label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class TrainingCourseListView(PortalListView):
    model = TrainingCourse
    filterset_class = TrainingCourseFilterSet
    template_name = "core/training/course_list.html"
    select_related_fields = ("owner_agency",)
    prefetch_related_fields = ("participants",)


class TrainingCourseDetailView(PortalDetailView):
    model = TrainingCourse
    template_name = "core/training/course_detail.html"
    select_related_fields = ("owner_agency",)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["participants"] = self.object.participants.select_related("agency")
        context["participant_form"] = kwargs.get("participant_form") or ParticipantForm()
        return context


class TrainingCourseCreateView(PortalCreateView):
    model = TrainingCourse
    fields = COURSE_FIELDS
    template_name = "core/record_form.html"


class TrainingCourseUpdateView(PortalUpdateView):
    model = TrainingCourse
    fields = COURSE_FIELDS
    template_name = "core/record_form.html"


@login_required
def training_add_participant(request, pk):
    principal = principal_for(request)
    course = get_object_or_404(TrainingCourse.objects.visible_to(principal), pk=pk)
    if not can_edit(principal, course):
        raise PermissionDenied(_("Only the organising agency may change the participants."))
    if request.method != "POST":
        return redirect(course.get_absolute_url())
    form = ParticipantForm(request.POST, request.FILES, instance=TrainingParticipant(course=course))
    if form.is_valid():
        form.save()
        messages.success(request, _("Saved."))
        return redirect(course.get_absolute_url())
    context = {
        "object": course,
        "can_edit": True,
        "participants": course.participants.select_related("agency"),
        "participant_form": form,
    }
    return render(request, "core/training/course_detail.html", context, status=400)


@login_required
def trained_staff(request):
    principal = principal_for(request)
    form = TrainedStaffFilter(request.GET or None)
    params = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows = TrainingParticipant.objects.trained_staff_by_topic(
        principal, agency=params.get("agency"), start=params.get("start"), end=params.get("end")
    )
    topics = [t for t in TrainingTopic if any(r["topic"] == t.value for r in rows)]
    table = {}
    for row in rows:
        table.setdefault((row["agency_code"], row["country"]), {})[row["topic"]] = row["people"]
    matrix = [
        {"agency": code, "country": country, "counts": [counts.get(t.value, 0) for t in topics]}
        for (code, country), counts in sorted(table.items())
    ]
    return render(request, "core/training/trained_staff.html", {"form": form, "topics": topics, "matrix": matrix})


class ExchangeVisitListView(PortalListView):
    model = ExchangeVisit
    filterset_class = ExchangeVisitFilterSet
    template_name = "core/exchanges/visit_list.html"
    select_related_fields = ("owner_agency", "delegation_agency", "host_agency")


class ExchangeVisitDetailView(PortalDetailView):
    model = ExchangeVisit
    template_name = "core/exchanges/visit_detail.html"
    select_related_fields = ("owner_agency", "delegation_agency", "host_agency")
    prefetch_related_fields = ("protected_areas",)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["members"] = self.object.members.select_related("agency")
        context["member_form"] = MemberForm()
        return context


class ExchangeVisitCreateView(PortalCreateView):
    model = ExchangeVisit
    fields = VISIT_FIELDS
    template_name = "core/record_form.html"


class ExchangeVisitUpdateView(PortalUpdateView):
    model = ExchangeVisit
    fields = VISIT_FIELDS
    template_name = "core/record_form.html"


@login_required
def exchange_add_member(request, pk):
    principal = principal_for(request)
    visit = get_object_or_404(ExchangeVisit.objects.visible_to(principal), pk=pk)
    if not can_edit(principal, visit):
        raise PermissionDenied(_("Only the owning agency may change this record."))
    form = MemberForm(request.POST or None, instance=ExchangeVisitMember(visit=visit))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved."))
    elif request.method == "POST":
        messages.error(request, "; ".join(" ".join(v) for v in form.errors.values()))
    return redirect(visit.get_absolute_url())
