"""Admin of the monitoring app. It calls the same services as the pages and the API after each
write (derived fields: protected area, length, sensitivity categories)."""

from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin

from core.access import principal_for
from core.admin import SharedRecordAdmin
from core.admin_workflow import StatusHistoryInline, workflow_actions
from core.models import Attachment
from core.workflow import watch, workflow_for

from . import services, workflows  # noqa: F401  (the workflows must exist before their admin actions)
from .models import (
    CatalogueEvent,
    Crosswalk,
    DataRequest,
    Deployment,
    EffortUnit,
    FeatureType,
    ImportJob,
    ImportRun,
    Individual,
    IndividualAlias,
    MatchProposal,
    Media,
    Observation,
    ObservationType,
    Protocol,
    ProtocolVersion,
    Publication,
    ResearchProject,
    SnowTrackTransect,
    Survey,
    TransectTrack,
)


class CreatedByMixin:
    """Keeps who created a shared record."""

    def save_model(self, request, obj, form, change):
        if not change and not obj.created_by_id:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class OwnedAdmin(CreatedByMixin, admin.ModelAdmin):
    """SharedRecordAdmin for models without translated fields (modeltranslation's admin needs some).

    It used to borrow SharedRecordAdmin.save_model, whose super() call raised TypeError here.
    """

    list_filter = SharedRecordAdmin.list_filter
    autocomplete_fields = SharedRecordAdmin.autocomplete_fields
    filter_horizontal = SharedRecordAdmin.filter_horizontal
    readonly_fields = SharedRecordAdmin.readonly_fields


class ProtocolVersionInline(admin.StackedInline):
    model = ProtocolVersion
    extra = 0
    filter_horizontal = ("adopted_by",)


@admin.register(Protocol)
class ProtocolAdmin(SharedRecordAdmin):
    list_display = ("key", "title", "method", "owner_agency")
    list_filter = ("method", "owner_agency")
    search_fields = ("key", "title_zh_hans", "title_en", "title_ru")
    inlines = (ProtocolVersionInline,)


class DocumentInline(GenericTabularInline):
    """The version's documents (core attachments): uploaded on the protocol page or the API,
    where the content check runs; listed here with the access-checked download."""

    model = Attachment
    ct_field = "content_type"
    ct_fk_field = "object_id"
    extra = 0
    can_delete = False
    fields = ("original_name", "role", "language", "size", "created_at", "download")
    readonly_fields = fields

    @admin.display(description=_("file"))
    def download(self, obj):
        if not obj.pk:
            return "-"
        return format_html('<a href="{}">{}</a>', reverse("core:attachment-download", args=[obj.pk]), _("Download"))

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ProtocolVersion)
class ProtocolVersionAdmin(TabbedTranslationAdmin):
    list_display = ("protocol", "version", "effective_from", "effective_until")
    list_filter = ("protocol",)
    filter_horizontal = ("adopted_by",)
    inlines = (DocumentInline,)


@admin.register(ObservationType, FeatureType, EffortUnit)
class VocabularyAdmin(TabbedTranslationAdmin):
    list_display = ("key", "label")
    search_fields = ("key", "label_zh_hans", "label_en", "label_ru")


@admin.register(Crosswalk)
class CrosswalkAdmin(admin.ModelAdmin):
    list_display = ("agency", "vocabulary", "local_code", "shared_key")
    list_filter = ("agency", "vocabulary")
    search_fields = ("local_code", "shared_key")


@admin.register(Survey)
class SurveyAdmin(SharedRecordAdmin):
    list_display = ("name", "kind", "method", "start_date", "end_date", "owner_agency")
    list_filter = ("kind", "method", "owner_agency")
    search_fields = ("name_zh_hans", "name_en", "name_ru")
    filter_horizontal = ("shared_with", "participating_agencies")


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ("created_at", "owner_agency", "package_name", "deployments", "media", "observations", "seconds")
    list_filter = ("owner_agency",)
    readonly_fields = [f.name for f in ImportRun._meta.concrete_fields]

    def has_add_permission(self, request):
        return False  # written by the importer only


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ("created_at", "owner_agency", "original_name", "status", "rows", "finished_at")
    list_filter = ("owner_agency", "status")
    readonly_fields = [f.name for f in ImportJob._meta.concrete_fields]

    def has_add_permission(self, request):
        return False  # written by the upload page and the API only


@admin.register(Deployment)
class DeploymentAdmin(OwnedAdmin):
    list_display = (
        "deployment_id",
        "owner_agency",
        "start",
        "end",
        "feature_type",
        "protected_area",
        "location_category",
    )
    list_filter = ("owner_agency", "feature_type", "location_category")
    search_fields = ("deployment_id", "location_id", "camera_id")
    raw_id_fields = ("survey", "import_run")
    readonly_fields = (*OwnedAdmin.readonly_fields, "protected_area", "location_category")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.deployment_saved(obj)


@admin.register(Media)
class MediaAdmin(OwnedAdmin):
    list_display = ("media_id", "deployment", "timestamp", "file_mediatype")
    list_filter = ("owner_agency",)
    search_fields = ("media_id", "file_name")
    raw_id_fields = ("deployment", "import_run")
    list_select_related = ("deployment", "deployment__owner_agency")


@admin.register(Observation)
class ObservationAdmin(OwnedAdmin):
    list_display = (
        "observation_id",
        "owner_agency",
        "event_start",
        "observation_type",
        "species",
        "count",
        "individual",
    )
    list_filter = ("owner_agency", "observation_type", "observation_level")
    search_fields = ("observation_id", "scientific_name", "individual_local_id")
    raw_id_fields = ("deployment", "media", "individual", "import_run", "species")
    list_select_related = ("owner_agency", "species", "individual")
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        previous = Observation.objects.filter(pk=obj.pk).values_list("deployment_id", flat=True).first()
        super().save_model(request, obj, form, change)
        services.observation_saved(obj, previous)

    def delete_model(self, request, obj):
        deployment_id = obj.deployment_id
        super().delete_model(request, obj)
        services.observations_changed([deployment_id])

    def delete_queryset(self, request, queryset):
        deployment_ids = set(queryset.values_list("deployment_id", flat=True))
        super().delete_queryset(request, queryset)
        services.observations_changed(deployment_ids)


class TransectTrackInline(admin.TabularInline):
    model = TransectTrack
    extra = 1


@admin.register(SnowTrackTransect)
class SnowTrackTransectAdmin(OwnedAdmin):
    list_display = ("name", "date", "length_km", "owner_agency")
    list_filter = ("owner_agency",)
    search_fields = ("name",)
    inlines = (TransectTrackInline,)
    readonly_fields = (*SharedRecordAdmin.readonly_fields, "length_km", "protected_area", "location_category")

    def save_related(self, request, form, formsets, change):
        # After the inline tracks are saved: the category depends on them.
        super().save_related(request, form, formsets, change)
        services.transect_saved(form.instance)


@admin.register(TransectTrack)
class TransectTrackAdmin(admin.ModelAdmin):
    list_display = ("transect", "species", "tracks")

    def save_model(self, request, obj, form, change):
        previous = TransectTrack.objects.filter(pk=obj.pk).values_list("transect_id", flat=True).first()
        super().save_model(request, obj, form, change)
        services.refresh_transect_categories({obj.transect_id, previous} - {None})

    def delete_model(self, request, obj):
        transect_id = obj.transect_id
        super().delete_model(request, obj)
        services.refresh_transect_categories([transect_id])

    def delete_queryset(self, request, queryset):
        transect_ids = set(queryset.values_list("transect_id", flat=True))
        super().delete_queryset(request, queryset)
        services.refresh_transect_categories(transect_ids)


class IndividualAliasInline(admin.TabularInline):
    model = IndividualAlias
    extra = 1


@admin.register(Individual)
class IndividualAdmin(SharedRecordAdmin):
    list_display = ("catalogue_code", "name", "species", "sex", "first_detected", "status")
    list_filter = ("species", "status", "sex")
    search_fields = ("catalogue_code", "name", "aliases__local_id")
    inlines = (IndividualAliasInline,)
    raw_id_fields = ("merged_into",)


@admin.register(IndividualAlias)
class IndividualAliasAdmin(admin.ModelAdmin):
    list_display = ("local_id", "agency", "individual")
    list_filter = ("agency",)
    search_fields = ("local_id",)


class WorkflowAdminMixin:
    """Status moves only through the workflow's actions; a decided (closed) record is read-only."""

    def has_change_permission(self, request, obj=None):
        workflow = workflow_for(self.model)
        if obj is not None and workflow is not None and workflow.status_of(obj) in workflow.closed:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        with watch(obj, principal_for(request)):
            super().save_model(request, obj, form, change)


@admin.register(MatchProposal)
class MatchProposalAdmin(WorkflowAdminMixin, OwnedAdmin):
    list_display = ("individual", "other", "status", "owner_agency", "reviewed_by", "reviewed_at")
    list_filter = ("status",)
    raw_id_fields = ("individual", "other")
    readonly_fields = (*OwnedAdmin.readonly_fields, "status", "reviewed_by", "reviewed_at", "review_note")
    actions = workflow_actions(MatchProposal)
    inlines = (StatusHistoryInline,)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            services.match_proposed(obj, principal_for(request))


@admin.register(CatalogueEvent)
class CatalogueEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "source", "target", "actor")
    list_filter = ("kind",)
    readonly_fields = [f.name for f in CatalogueEvent._meta.concrete_fields]

    def has_add_permission(self, request):
        return False  # written by merges and splits only


class PublicationInline(admin.TabularInline):
    model = Publication
    extra = 1


@admin.register(ResearchProject)
class ResearchProjectAdmin(SharedRecordAdmin):
    list_display = ("title", "start_date", "end_date", "owner_agency")
    search_fields = ("title_zh_hans", "title_en", "title_ru")
    filter_horizontal = ("shared_with", "agencies", "datasets_used")
    inlines = (PublicationInline,)


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    list_display = ("title", "year", "doi", "project")
    search_fields = ("title", "doi", "authors")


@admin.register(DataRequest)
class DataRequestAdmin(WorkflowAdminMixin, OwnedAdmin):
    list_display = ("__str__", "owner_agency", "requested_from", "status", "needed_until", "decided_at")
    list_filter = ("status", "requested_from")
    inlines = (StatusHistoryInline,)
    readonly_fields = (
        *SharedRecordAdmin.readonly_fields,
        "status",
        "decided_by",
        "decided_at",
        "decision_note",
        "grant",
    )
    actions = workflow_actions(DataRequest)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            services.request_submitted(obj, principal_for(request))
