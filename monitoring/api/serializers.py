from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.documents import AttachmentSerializer
from core.api.serializers import AgencyCodeField, PortalModelSerializer, SharedRecordSerializer, SpeciesNameField
from core.api.workflow import StatusHistoryField
from core.documents import attachments_for
from core.personal_data import PersonalDataSerializerMixin

from .. import services
from ..models import (
    CatalogueEvent,
    Crosswalk,
    DataRequest,
    Deployment,
    EffortUnit,
    FeatureType,
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
from ..services.locations import (
    deployment_location,
    deployment_view,
    is_precise,
    media_download_path,
    media_fields,
    observation_fields,
    precise_owner_ids,
    transect_location,
    transect_precise,
    visible_area_id,
)
from .fields import PointSerializer, ViewerCoordinateField, ViewerRouteField, location_dict


class LocationMixin:
    """Reads the viewer's precise-owner set once per request (put in the context by the view)."""

    def _owners(self):
        owners = self.context.get("precise_owners", "unset")
        if owners == "unset":
            owners = self.context["precise_owners"] = precise_owner_ids(self._principal())
        return owners

    def _precise(self, owner_agency_id):
        return is_precise(self._owners(), owner_agency_id)

    def _principal(self):
        from core.access import principal_for

        return principal_for(self.context["request"])


# --- vocabularies and protocols ----------------------------------------------------------------


class ObservationTypeSerializer(PortalModelSerializer):
    class Meta:
        model = ObservationType
        fields = ("key", "label", "description")


class FeatureTypeSerializer(PortalModelSerializer):
    class Meta:
        model = FeatureType
        fields = ("key", "label", "description", "is_crossing")


class EffortUnitSerializer(PortalModelSerializer):
    class Meta:
        model = EffortUnit
        fields = ("key", "label", "description")


class CrosswalkSerializer(PortalModelSerializer):
    agency = AgencyCodeField()

    class Meta:
        model = Crosswalk
        fields = ("id", "agency", "vocabulary", "local_code", "shared_key")


class ProtocolVersionSerializer(PortalModelSerializer):
    adopted_by = AgencyCodeField(many=True, required=False)
    protocol = serializers.PrimaryKeyRelatedField(queryset=Protocol.objects.all())
    documents = serializers.SerializerMethodField(
        help_text=_("The version's documents; upload through /api/v1/attachments/ (role “document”).")
    )

    class Meta:
        model = ProtocolVersion
        fields = (
            "id",
            "protocol",
            "version",
            "title",
            "summary",
            "documents",
            "effective_from",
            "effective_until",
            "adopted_by",
        )

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_documents(self, obj):
        return AttachmentSerializer(attachments_for(obj), many=True, context=self.context).data


class ProtocolSerializer(SharedRecordSerializer):
    versions = ProtocolVersionSerializer(many=True, read_only=True)

    class Meta:
        model = Protocol
        fields = SharedRecordSerializer.shared_fields + ("key", "method", "title", "versions")


# --- surveys and camera-trap data ----------------------------------------------------------------


class SurveySerializer(SharedRecordSerializer):
    participating_agencies = AgencyCodeField(many=True, required=False)

    class Meta:
        model = Survey
        fields = SharedRecordSerializer.shared_fields + (
            "name",
            "description",
            "kind",
            "method",
            "participating_agencies",
            "protocol_version",
            "protected_area",
            "area",
            "start_date",
            "end_date",
        )


class DeploymentSerializer(PersonalDataSerializerMixin, LocationMixin, SharedRecordSerializer):
    feature_type = serializers.SlugRelatedField(
        slug_field="key", queryset=FeatureType.objects.all(), required=False, allow_null=True
    )
    latitude = ViewerCoordinateField()
    longitude = ViewerCoordinateField()
    location = serializers.SerializerMethodField()
    location_id = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=255,
        help_text=_(
            "The agency's location ID; to those who see the point generalized, a stable pseudonym "
            "(the same for every deployment at that location)."
        ),
    )
    location_category = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text=_("Most restrictive sensitivity category recorded here; only for those who see the point exactly."),
    )

    class Meta:
        model = Deployment
        fields = SharedRecordSerializer.shared_fields + (
            "survey",
            "deployment_id",
            "location_id",
            "location_name",
            "latitude",
            "longitude",
            "coordinate_uncertainty",
            "location",
            "start",
            "end",
            "setup_by",
            "camera_id",
            "camera_model",
            "camera_delay",
            "camera_height",
            "camera_depth",
            "camera_tilt",
            "camera_heading",
            "detection_distance",
            "timestamp_issues",
            "bait_use",
            "feature_type",
            "habitat",
            "deployment_groups",
            "deployment_tags",
            "deployment_comments",
            "protected_area",
            "location_category",
        )
        read_only_fields = ("protected_area", "location_category")

    def _view(self, obj):
        views = self.context.setdefault("_deployment_views", {})
        if obj.pk not in views:
            views[obj.pk] = deployment_view(self._principal(), obj, self._owners())
        return views[obj.pk]

    @extend_schema_field(PointSerializer(allow_null=True))
    def get_location(self, obj):
        return location_dict(self._view(obj).point)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        view = self._view(instance)
        point = view.point
        data["latitude"] = point.latitude if point else None
        data["longitude"] = point.longitude if point else None
        data["coordinate_uncertainty"] = point.uncertainty_m if point else None
        for name in (
            "location_id",
            "location_name",
            "habitat",
            "deployment_groups",
            "deployment_tags",
            "deployment_comments",
            "location_category",
        ):
            data[name] = getattr(view, name)
        data["protected_area"] = view.protected_area_id
        return data


class MediaSerializer(LocationMixin, SharedRecordSerializer):
    file = serializers.SerializerMethodField(
        help_text=_(
            "The portal's download link of the stored file (without EXIF for those who see the point generalized)."
        )
    )
    file_path = serializers.CharField(
        max_length=1000,
        help_text=_("Where the file lives; to those who see the point generalized, the portal's download link."),
    )
    thumbnail = serializers.SerializerMethodField(
        help_text=_("The portal's link to a small JPEG of the image, without any metadata (images only).")
    )

    class Meta:
        model = Media
        fields = SharedRecordSerializer.shared_fields + (
            "deployment",
            "media_id",
            "capture_method",
            "timestamp",
            "file_path",
            "file_public",
            "file_name",
            "file_mediatype",
            "exif_data",
            "favorite",
            "media_comments",
            "file",
            "thumbnail",
        )

    def _download_url(self, obj):
        request = self.context.get("request")
        path = media_download_path(obj)
        return request.build_absolute_uri(path) if request is not None else path

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_file(self, obj):
        return self._download_url(obj) if obj.file else None

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_thumbnail(self, obj):
        from django.urls import reverse

        if not obj.file or not (obj.file_mediatype or "").startswith("image/"):
            return None
        path = reverse("api:media-thumbnail", args=[obj.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if self._precise(instance.deployment.owner_agency_id):
            return data
        shown = media_fields(False, {k: data[k] for k in ("file_name", "media_comments", "exif_data")})
        data.update(shown)
        data["file_path"] = self._download_url(instance)
        return data

    def validate_deployment(self, deployment):
        agency = self.principal.agency
        if not self.principal.is_superuser and deployment.owner_agency_id != getattr(agency, "pk", None):
            raise serializers.ValidationError(_("Media belong to a deployment of your own agency."))
        return deployment


class ObservationSerializer(LocationMixin, SharedRecordSerializer):
    species = SpeciesNameField(required=False, allow_null=True)
    location = serializers.SerializerMethodField()
    deployment_code = serializers.CharField(source="deployment.deployment_id", read_only=True)
    individual_code = serializers.CharField(
        source="individual.catalogue_code", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Observation
        fields = SharedRecordSerializer.shared_fields + (
            "deployment",
            "deployment_code",
            "media",
            "observation_id",
            "event_id",
            "event_start",
            "event_end",
            "observation_level",
            "observation_type",
            "camera_setup_type",
            "scientific_name",
            "species",
            "count",
            "life_stage",
            "sex",
            "behavior",
            "individual_local_id",
            "individual",
            "individual_code",
            "classification_method",
            "classified_by",
            "classification_timestamp",
            "classification_probability",
            "observation_tags",
            "observation_comments",
            "location",
        )
        read_only_fields = ("individual", "scientific_name")

    @extend_schema_field(PointSerializer(allow_null=True))
    def get_location(self, obj):
        return location_dict(deployment_location(self._principal(), obj.deployment, self._owners()))

    def to_representation(self, instance):
        data = super().to_representation(instance)
        # Free text may name the place: withheld from those who see the point generalized.
        if not self._precise(instance.deployment.owner_agency_id):
            data.update(
                observation_fields(
                    False, {k: data[k] for k in ("behavior", "observation_tags", "observation_comments")}
                )
            )
        return data

    def complete_attrs(self, attrs):
        attrs = super().complete_attrs(attrs)
        if attrs.get("species") is not None:
            attrs["scientific_name"] = attrs["species"].scientific_name  # derived, kept in step
        return attrs


class TransectTrackSerializer(PortalModelSerializer):
    species = SpeciesNameField()

    class Meta:
        model = TransectTrack
        fields = ("species", "tracks", "notes")


class SnowTrackTransectSerializer(PersonalDataSerializerMixin, LocationMixin, SharedRecordSerializer):
    tracks = TransectTrackSerializer(many=True, required=False)
    route = ViewerRouteField()
    length_km = serializers.DecimalField(max_digits=9, decimal_places=3, read_only=True)
    generalized_centre = serializers.SerializerMethodField()

    class Meta:
        model = SnowTrackTransect
        fields = SharedRecordSerializer.shared_fields + (
            "survey",
            "name",
            "date",
            "route",
            "length_km",
            "snow_age_days",
            "observers",
            "protected_area",
            "tracks",
            "generalized_centre",
        )
        read_only_fields = ("protected_area",)

    def _transect_owners(self):
        owners = self.context.get("precise_transect_owners", "unset")
        if owners == "unset":
            owners = self.context["precise_transect_owners"] = precise_owner_ids(
                self._principal(), ("monitoring.snowtracktransect",)
            )
        return owners

    @extend_schema_field(PointSerializer(allow_null=True))
    def get_generalized_centre(self, obj):
        _route, centre = transect_location(self._principal(), obj, self._transect_owners())
        return location_dict(centre)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        principal, owners = self._principal(), self._transect_owners()
        route, _centre = transect_location(principal, instance, owners)
        data["route"] = route
        data["protected_area"] = visible_area_id(principal, instance, owners)
        if not transect_precise(principal, instance, owners):
            for track in data.get("tracks") or []:
                track["notes"] = ""  # free text may name the place
        return data

    def _save_tracks(self, transect, tracks):
        if tracks is None:
            services.transect_saved(transect)  # the route may have changed
        else:
            services.replace_transect_tracks(transect, tracks)

    def create(self, validated_data):
        tracks = validated_data.pop("tracks", None)
        transect = super().create(validated_data)
        self._save_tracks(transect, tracks)
        return transect

    def update(self, instance, validated_data):
        tracks = validated_data.pop("tracks", None)
        transect = super().update(instance, validated_data)
        self._save_tracks(transect, tracks)
        return transect


# --- individual catalogue ------------------------------------------------------------------------


class IndividualAliasSerializer(PortalModelSerializer):
    agency = AgencyCodeField()

    class Meta:
        model = IndividualAlias
        fields = ("id", "agency", "local_id")


class IndividualSerializer(SharedRecordSerializer):
    species = SpeciesNameField()
    status = serializers.CharField(read_only=True, help_text="active, merged or retired")
    aliases = IndividualAliasSerializer(many=True, read_only=True)
    merged_into = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Individual
        fields = SharedRecordSerializer.shared_fields + (
            "species",
            "catalogue_code",
            "name",
            "sex",
            "first_detected",
            "status",
            "merged_into",
            "notes",
            "aliases",
        )
        read_only_fields = ("status",)


class MatchProposalSerializer(SharedRecordSerializer):
    individual = serializers.PrimaryKeyRelatedField(queryset=Individual.objects.all())
    other = serializers.PrimaryKeyRelatedField(queryset=Individual.objects.all())
    reviewed_by = serializers.StringRelatedField(read_only=True, allow_null=True)
    status = serializers.CharField(read_only=True, help_text="proposed, confirmed or rejected")
    status_history = StatusHistoryField()

    class Meta:
        model = MatchProposal
        fields = SharedRecordSerializer.shared_fields + (
            "individual",
            "other",
            "evidence",
            "status",
            "reviewed_by",
            "reviewed_at",
            "review_note",
            "status_history",
        )
        read_only_fields = ("status", "reviewed_at", "review_note")


class CatalogueEventSerializer(PortalModelSerializer):
    class Meta:
        model = CatalogueEvent
        fields = (
            "id",
            "kind",
            "source",
            "target",
            "proposal",
            "moved_aliases",
            "moved_observations",
            "note",
            "created_at",
        )


# --- research --------------------------------------------------------------------------------------


class PublicationSerializer(PortalModelSerializer):
    class Meta:
        model = Publication
        fields = ("id", "title", "authors", "year", "journal", "doi")


class ResearchProjectSerializer(SharedRecordSerializer):
    agencies = AgencyCodeField(many=True, required=False)
    publications = PublicationSerializer(many=True, required=False)

    class Meta:
        model = ResearchProject
        fields = SharedRecordSerializer.shared_fields + (
            "title",
            "summary",
            "agencies",
            "researchers",
            "start_date",
            "end_date",
            "datasets_used",
            "publications",
        )

    def create(self, validated_data):
        publications = validated_data.pop("publications", [])
        project = super().create(validated_data)
        for publication in publications:
            Publication.objects.create(project=project, **publication)
        return project

    def update(self, instance, validated_data):
        publications = validated_data.pop("publications", None)
        project = super().update(instance, validated_data)
        if publications is not None:
            project.publications.all().delete()
            for publication in publications:
                Publication.objects.create(project=project, **publication)
        return project


class DataRequestSerializer(SharedRecordSerializer):
    requested_from = AgencyCodeField()
    requester = serializers.StringRelatedField(read_only=True, allow_null=True)
    status_history = StatusHistoryField()
    grant = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    status = serializers.CharField(read_only=True, help_text="submitted, approved, declined or withdrawn")

    class Meta:
        model = DataRequest
        fields = SharedRecordSerializer.shared_fields + (
            "requested_from",
            "requester",
            "project",
            "requested_dataset",
            "purpose",
            "needed_until",
            "status",
            "decided_at",
            "decision_note",
            "grant",
            "status_history",
        )
        read_only_fields = ("status", "decided_at", "decision_note", "sensitivity")


class SplitSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")
    aliases = serializers.ListField(child=serializers.CharField(), required=False, default=list)
