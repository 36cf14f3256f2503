from core.api.views import SharedRecordViewSet

from ..filters import ProtectedAreaFilterSet
from ..models import ProtectedArea
from .serializers import ProtectedAreaSerializer


class ProtectedAreaViewSet(SharedRecordViewSet):
    model = ProtectedArea
    serializer_class = ProtectedAreaSerializer
    filterset_class = ProtectedAreaFilterSet
    ordering_fields = ("created_at", "updated_at", "area_km2")
