from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from core.api.serializers import AgencyCodeField, SharedRecordSerializer

from ..models import ProtectedArea, validate_boundary


class ProtectedAreaSerializer(SharedRecordSerializer):
    managing_agency = AgencyCodeField(source="owner_agency", read_only=True)
    area_km2 = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True, allow_null=True)

    class Meta:
        model = ProtectedArea
        fields = SharedRecordSerializer.shared_fields + (
            "name",
            "designation",
            "description",
            "country",
            "iucn_category",
            "wdpa_id",
            "established",
            "managing_agency",
            "boundary",
            "boundary_is_approximate",
            "area_km2",
        )

    def validate_boundary(self, value):
        try:
            validate_boundary(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        return value
