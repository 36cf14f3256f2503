from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import SharedRecordAdmin
from core.admin_documents import attachment_links

from . import services
from .models import ATTACHMENT_ROLE, ExchangeAgreement, ExchangeRound, Submission


@admin.register(ExchangeAgreement)
class ExchangeAgreementAdmin(SharedRecordAdmin):
    list_display = ("title", "cadence", "due_day", "escalate_after_days", "is_active", "owner_agency")
    list_filter = ("cadence", "is_active", "owner_agency")
    search_fields = ("title_en", "title_zh_hans", "title_ru")
    filter_horizontal = ("shared_with", "parties")
    actions = ["generate"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.generate_rounds(form.instance)

    @admin.action(description=_("Generate the coming rounds"))
    def generate(self, request, queryset):
        total = sum(len(services.generate_rounds(agreement)) for agreement in queryset)
        self.message_user(request, _("%(count)d round(s) created.") % {"count": total})


class SubmissionInline(admin.TabularInline):
    model = Submission
    extra = 0
    fields = ("kind", "dataset", "record_count", "submitted_at", "note", "owner_agency")
    readonly_fields = ("kind", "record_count")


@admin.register(ExchangeRound)
class ExchangeRoundAdmin(admin.ModelAdmin):
    list_display = ("agreement", "agency", "period_start", "period_end", "due_date", "fulfilled_at")
    list_filter = ("agency", "agreement")
    date_hierarchy = "due_date"
    readonly_fields = ("due_at", "fulfilled_at", "created_at", "updated_at")
    inlines = [SubmissionInline]

    def save_model(self, request, obj, form, change):
        from core.reminders import end_of_day

        # An extension granted by the secretariat: the deadline follows the new due date.
        obj.due_at = end_of_day(obj.due_date, obj.agency.effective_timezone)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.refresh_round(form.instance)


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    autocomplete_fields = ("owner_agency",)
    filter_horizontal = ("shared_with",)
    readonly_fields = ("revision", "created_at", "updated_at", "created_by", "files")
    list_display = ("round", "kind", "dataset", "record_count", "submitted_at", "owner_agency")
    list_filter = ("kind", "owner_agency")
    raw_id_fields = ("round",)
    search_fields = ("note",)

    @admin.display(description=_("files"))
    def files(self, obj):
        # Files are added on the round's page or through /api/v1/attachments/ (checked by content).
        return attachment_links(obj, ATTACHMENT_ROLE)

    def save_model(self, request, obj, form, change):
        if not change and not obj.created_by_id:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        services.refresh_round(obj.round)
