"""API views for the shared reference data: agencies, species, and the caller itself."""

from django.utils.translation import get_language
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from core.models import Agency, Species

from .filters import AgencyFilterSet, SpeciesFilterSet
from .permissions import SecretariatOrAdminWrite
from .serializers import AgencySerializer, MeSerializer, SpeciesSerializer
from .views import PrincipalMixin


class AgencyViewSet(viewsets.ModelViewSet):
    serializer_class = AgencySerializer
    filterset_class = AgencyFilterSet
    permission_classes = [SecretariatOrAdminWrite]
    lookup_field = "code"
    ordering_fields = ("code", "created_at")
    ordering = ("code",)

    def get_queryset(self):
        return Agency.objects.all()


class SpeciesViewSet(viewsets.ModelViewSet):
    serializer_class = SpeciesSerializer
    filterset_class = SpeciesFilterSet
    permission_classes = [SecretariatOrAdminWrite]
    ordering_fields = ("scientific_name", "created_at")
    ordering = ("scientific_name",)

    def get_queryset(self):
        return Species.objects.all()


class MeView(PrincipalMixin, APIView):
    """Who am I: the user or key behind this request, its agency, role and rights."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        principal = self.principal
        data = {
            "username": principal.user.get_username() if principal.user else None,
            "agency": principal.agency,
            "role": principal.role,
            "is_superuser": principal.is_superuser,
            "read_only": not principal.can_write,
            "authenticated_by": "api_key" if principal.api_key else "session",
            "language": get_language(),
        }
        return Response(MeSerializer(data).data)
