import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import SharedRecordFilterSet
from core.models import Country

from .models import IUCNCategory, ProtectedArea


class ProtectedAreaFilterSet(SharedRecordFilterSet):
    search_fields = ("name", "designation", "description")
    country = django_filters.ChoiceFilter(choices=Country.choices, label=_("Country"))
    iucn_category = django_filters.ChoiceFilter(choices=IUCNCategory.choices, label=_("IUCN category"))
    wdpa_id = django_filters.NumberFilter(label=_("WDPA id"))

    class Meta:
        model = ProtectedArea
        fields = ["country", "iucn_category", "wdpa_id"]
