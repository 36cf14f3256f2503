import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import PortalFilterSet
from core.models import Agency, AgencyKind, Country, SensitivityCategory, Species


class AgencyFilterSet(PortalFilterSet):
    search_fields = ("code", "name")
    country = django_filters.ChoiceFilter(choices=Country.choices, label=_("Country"))
    kind = django_filters.ChoiceFilter(choices=AgencyKind.choices, label=_("Kind"))

    class Meta:
        model = Agency
        fields = ["country", "kind", "is_active"]


class SpeciesFilterSet(PortalFilterSet):
    search_fields = ("scientific_name", "common_name")
    sensitivity_category = django_filters.ChoiceFilter(choices=SensitivityCategory.choices)

    class Meta:
        model = Species
        fields = ["sensitivity_category", "is_target"]
