"""Admin of the shared training and exchange-visit records."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import SharedRecordAdmin
from core.admin_documents import attachment_links
from core.models import (
    CERTIFICATE_ROLE,
    ExchangeVisit,
    ExchangeVisitMember,
    TrainingCourse,
    TrainingParticipant,
)


class TrainingParticipantInline(admin.TabularInline):
    model = TrainingParticipant
    extra = 0
    autocomplete_fields = ("agency",)


@admin.register(TrainingCourse)
class TrainingCourseAdmin(SharedRecordAdmin):
    list_display = ("title", "topic", "owner_agency", "start_date", "end_date", "place")
    list_filter = ("topic", "owner_agency", "sensitivity")
    search_fields = ("title_zh_hans", "title_en", "title_ru", "trainers")
    date_hierarchy = "start_date"
    inlines = (TrainingParticipantInline,)


@admin.register(TrainingParticipant)
class TrainingParticipantAdmin(admin.ModelAdmin):
    list_display = ("name", "agency", "position", "course", "completed", "certificate_number", "certificate_issued")
    list_filter = ("completed", "agency", "course__topic")
    search_fields = ("name", "certificate_number", "agency__code")
    autocomplete_fields = ("agency",)
    list_select_related = ("agency", "course")
    readonly_fields = ("certificate_files",)

    @admin.display(description=_("certificate files"))
    def certificate_files(self, obj):
        return attachment_links(obj, CERTIFICATE_ROLE)


class ExchangeVisitMemberInline(admin.TabularInline):
    model = ExchangeVisitMember
    extra = 0
    autocomplete_fields = ("agency",)


@admin.register(ExchangeVisit)
class ExchangeVisitAdmin(SharedRecordAdmin):
    list_display = ("title", "topic", "delegation_agency", "host_agency", "start_date", "end_date")
    list_filter = ("topic", "delegation_agency", "host_agency", "sensitivity")
    search_fields = ("title_zh_hans", "title_en", "title_ru")
    date_hierarchy = "start_date"
    autocomplete_fields = ("owner_agency", "delegation_agency", "host_agency")
    filter_horizontal = ("shared_with", "protected_areas")
    inlines = (ExchangeVisitMemberInline,)


@admin.register(ExchangeVisitMember)
class ExchangeVisitMemberAdmin(admin.ModelAdmin):
    list_display = ("name", "agency", "position", "is_leader", "visit")
    list_filter = ("agency", "is_leader")
    search_fields = ("name", "agency__code")
    autocomplete_fields = ("agency",)
