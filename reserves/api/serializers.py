from rest_framework import serializers

from core.api.serializers import AgencyCodeField, SharedRecordSerializer

from ..models import AREA_FIELDS, ProtectedArea


class ProtectedAreaSerializer(SharedRecordSerializer):
    managing_agency = AgencyCodeField(source="owner_agency", read_only=True)
    area_km2 = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True, allow_null=True)

    class Meta:
        model = ProtectedArea
        fields = SharedRecordSerializer.shared_fields + AREA_FIELDS + ("managing_agency", "area_km2")
