"""FilterSet bases: one definition serves the API list and the staff page list (NetBox style)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from core.models import Agency, Country, Sensitivity
from core.translated import multilingual_q


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
    updated_since = django_filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", label=_("Updated since")
    )
