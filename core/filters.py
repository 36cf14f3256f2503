"""FilterSet bases: one definition serves the API list and the staff page list (NetBox style)."""

import datetime

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField

from core.models import Agency, Country, Sensitivity
from core.translated import multilingual_q

# PostgreSQL keeps UTC offsets up to 15:59; Python parses up to 23:59 (a 500 in the query).
MAX_UTC_OFFSET = datetime.timedelta(hours=15, minutes=59)


class PortalIsoDateTimeField(IsoDateTimeField):
    def to_python(self, value):
        parsed = super().to_python(value)
        offset = parsed.utcoffset() if parsed is not None else None
        if offset is not None and abs(offset) > MAX_UTC_OFFSET:
            raise forms.ValidationError(
                _("The time zone offset must lie between -15:59 and +15:59."), code="invalid_offset"
            )
        return parsed


class PortalIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """ISO 8601 date-time with an offset the database can hold; anything else is a 400."""

    field_class = PortalIsoDateTimeField


class PortalFilterSet(django_filters.FilterSet):
    """Adds `q` (text in any of the three languages over `search_fields`)."""

    search_fields = ()

    q = django_filters.CharFilter(method="filter_search", label=_("Search"))

    @property
    def form(self):
        form = super().form
        if not getattr(form, "_portal_styled", False):
            from core.forms import style_form

            style_form(form)
            form._portal_styled = True
        return form

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value or not self.search_fields:
            return queryset
        return queryset.filter(multilingual_q(queryset.model, self.search_fields, value))


class SharedRecordFilterSet(PortalFilterSet):
    owner_agency = django_filters.ModelChoiceFilter(
        field_name="owner_agency",
        to_field_name="code",
        queryset=Agency.objects.all(),
        label=_("Owning agency"),
    )
    owner_country = django_filters.ChoiceFilter(
        field_name="owner_agency__country", choices=Country.choices, label=_("Country of the owning agency")
    )
    sensitivity = django_filters.ChoiceFilter(choices=Sensitivity.choices, label=_("Sensitivity"))
    updated_since = PortalIsoDateTimeFilter(field_name="updated_at", lookup_expr="gte", label=_("Updated since"))
