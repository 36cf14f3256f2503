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
from ..services import deployment_location, transect_location


class PointSerializer(serializers.Serializer):
    """A point as the viewer may see it."""

    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    generalized = serializers.BooleanField()
    coordinate_precision = serializers.FloatField(
        allow_null=True, help_text=_("Grid size in degrees when generalized.")
    )
    coordinate_uncertainty_m = serializers.IntegerField(allow_null=True)


def _location_dict(point):
    if point is None:
        return None
    return {
        "latitude": round(point.latitude, 6),
        "longitude": round(point.longitude, 6),
        "generalized": point.generalized,
        "coordinate_precision": point.coordinate_precision,
        "coordinate_uncertainty_m": point.uncertainty_m,
    }


class LocationMixin:
    """Reads the viewer's precise-owner set once per request (put in the context by the view)."""

    def _owners(self):
        return self.context.get("precise_owners", "unset")

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
    location = serializers.SerializerMethodField()

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

    @extend_schema_field(PointSerializer(allow_null=True))
    def get_location(self, obj):
        return _location_dict(deployment_location(self._principal(), obj, self._owners()))

    def to_representation(self, instance):
        data = super().to_representation(instance)
        point = data["location"]
        if point is None:
            data["latitude"] = data["longitude"] = None
            data["location_name"] = data["deployment_comments"] = ""
        else:
            data["latitude"], data["longitude"] = point["latitude"], point["longitude"]
            data["coordinate_uncertainty"] = point["coordinate_uncertainty_m"]
            if point["generalized"]:
                data["location_name"] = data["deployment_comments"] = ""
        return data


class MediaSerializer(SharedRecordSerializer):
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
        )
        read_only_fields = ("file",)

    def validate_deployment(self, deployment):
        agency = self.principal.agency
        if not self.principal.is_superuser and deployment.owner_agency_id != getattr(agency, "pk", None):
            raise serializers.ValidationError(_("Media belong to a deployment of your own agency."))
        return deployment


class ObservationSerializer(LocationMixin, SharedRecordSerializer):
    species = SpeciesNameField(required=False, allow_null=True)
    location = serializers.SerializerMethodField()
    deployment_code = serializers.CharField(source="deployment.deployment_id", read_only=True)
    individual_code = serializers.CharField(source="individual.catalogue_code", read_only=True, default=None)

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
        return _location_dict(deployment_location(self._principal(), obj.deployment, self._owners()))

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


class SnowTrackTransectSerializer(PersonalDataSerializerMixin, SharedRecordSerializer):
    tracks = TransectTrackSerializer(many=True, required=False)
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

    @extend_schema_field(PointSerializer(allow_null=True))
    def get_generalized_centre(self, obj):
        from core.access import principal_for

        _route, centre = transect_location(principal_for(self.context["request"]), obj)
        return _location_dict(centre)

    def to_representation(self, instance):
        from core.access import principal_for

        data = super().to_representation(instance)
        route, _centre = transect_location(principal_for(self.context["request"]), instance)
        data["route"] = route
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
    merged_into = serializers.PrimaryKeyRelatedField(read_only=True)

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
    reviewed_by = serializers.StringRelatedField(read_only=True)
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
    requester = serializers.StringRelatedField(read_only=True)
    status_history = StatusHistoryField()
    grant = serializers.PrimaryKeyRelatedField(read_only=True)
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
