from django.contrib import admin

from core.admin import SharedRecordAdmin

from .models import ProtectedArea


@admin.register(ProtectedArea)
class ProtectedAreaAdmin(SharedRecordAdmin):
    list_display = ("name", "country", "iucn_category", "owner_agency", "area_km2", "boundary_is_approximate")
    list_filter = ("country", "iucn_category", "owner_agency", "sensitivity")
    search_fields = ("name_zh_hans", "name_en", "name_ru", "wdpa_id")
    readonly_fields = (*SharedRecordAdmin.readonly_fields, "area_km2")
