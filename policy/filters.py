"""One FilterSet per model: the API views and the pages use the same ones."""

import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import PortalFilterSet, SharedRecordFilterSet
from core.models import Agency, Country

from .models import Cadence, ExchangeAgreement, ExchangeRound, RoundStatus, Submission, SubmissionKind
from .services import round_status_q


class ExchangeAgreementFilterSet(SharedRecordFilterSet):
    search_fields = ("title", "notes")
    party = django_filters.ModelChoiceFilter(
        field_name="parties", to_field_name="code", queryset=Agency.objects.all(), label=_("Party")
    )
    cadence = django_filters.ChoiceFilter(choices=Cadence.choices, label=_("Cadence"))
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = ExchangeAgreement
        fields = ["party", "cadence", "is_active"]


class ExchangeRoundFilterSet(PortalFilterSet):
    search_fields = ("agreement__title",)
    agreement = django_filters.UUIDFilter(field_name="agreement_id", label=_("Agreement"))
    agency = django_filters.ModelChoiceFilter(
        field_name="agency", to_field_name="code", queryset=Agency.objects.all(), label=_("Agency")
    )
    country = django_filters.ChoiceFilter(field_name="agency__country", choices=Country.choices, label=_("Country"))
    status = django_filters.ChoiceFilter(choices=RoundStatus.choices, method="filter_status", label=_("Status"))
    due_after = django_filters.DateFilter(field_name="due_date", lookup_expr="gte", label=_("Due on or after"))
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte", label=_("Due on or before"))
    period_start = django_filters.DateFilter(field_name="period_start", label=_("Period starts"))
    year = django_filters.NumberFilter(field_name="period_start__year", label=_("Year"), min_value=1, max_value=9999)

    class Meta:
        model = ExchangeRound
        fields = ["agency", "status"]

    def filter_status(self, queryset, name, value):
        return queryset.filter(round_status_q(value)) if value else queryset

    def filter_search(self, queryset, name, value):
        from django.db.models import Q

        from core.translated import localized_columns

        value = value.strip()
        if not value:
            return queryset
        condition = Q(agency__code__icontains=value)
        for column in localized_columns("title").values():
            condition |= Q(**{f"agreement__{column}__icontains": value})
        return queryset.filter(condition)


class SubmissionFilterSet(SharedRecordFilterSet):
    search_fields = ("note",)
    round = django_filters.UUIDFilter(field_name="round_id", label=_("Round"))
    agreement = django_filters.UUIDFilter(field_name="round__agreement_id", label=_("Agreement"))
    kind = django_filters.ChoiceFilter(choices=SubmissionKind.choices, label=_("Kind"))

    class Meta:
        model = Submission
        fields = ["round", "kind"]
