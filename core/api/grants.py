"""Data-sharing grants over the API: a coordinator of the granting agency gives and revokes them."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from core.models import DataSharingGrant

from .serializers import AgencyCodeField, PortalModelSerializer
from .views import PrincipalMixin


class DataSharingGrantSerializer(PortalModelSerializer):
    """The rules (not to itself, period, known dataset type) live in DataSharingGrant.clean()."""

    grantor = AgencyCodeField(read_only=True)
    grantee = AgencyCodeField()
    is_active = serializers.SerializerMethodField()

    class Meta:
        model = DataSharingGrant
        fields = (
            "id",
            "grantor",
            "grantee",
            "scope",
            "dataset_type",
            "valid_from",
            "valid_until",
            "note",
            "revoked_at",
            "is_active",
        )
        read_only_fields = ("revoked_at",)

    def get_is_active(self, grant) -> bool:
        today = timezone.localdate()
        return (
            grant.revoked_at is None
            and grant.valid_from <= today
            and (grant.valid_until is None or grant.valid_until >= today)
        )

    def complete_attrs(self, attrs):
        # The grantor is the caller's agency: known now, so the model's rules see it.
        attrs = super().complete_attrs(attrs)
        if self.instance is None:
            attrs["grantor"] = self.context["principal"].agency
        return attrs


class DataSharingGrantViewSet(
    PrincipalMixin, mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Grants the caller's agency gave or received. Coordinators of the grantor create and revoke."""

    serializer_class = DataSharingGrantSerializer
    ordering_fields = ("valid_from", "created_at")
    ordering = ("-created_at",)
    filterset_fields = ("scope", "dataset_type")

    def get_queryset(self):
        queryset = DataSharingGrant.objects.select_related("grantor", "grantee")
        if self.principal.is_superuser:
            return queryset
        agency_id = self.principal.agency_id
        return queryset.filter(Q(grantor_id=agency_id) | Q(grantee_id=agency_id))

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "principal": self.principal}

    def _require_coordinator(self):
        if not (self.principal.is_superuser or (self.principal.is_coordinator and self.principal.can_write)):
            raise PermissionDenied(_("Only a coordinator of the granting agency may give or revoke grants."))

    def perform_create(self, serializer):
        self._require_coordinator()
        serializer.save(grantor=self.principal.agency)

    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        grant = self.get_object()
        self._require_coordinator()
        if grant.grantor_id != self.principal.agency_id and not self.principal.is_superuser:
            raise PermissionDenied(_("Only the granting agency may revoke this grant."))
        if grant.revoked_at is None:
            grant.revoked_at = timezone.now()
            grant.save(update_fields=["revoked_at", "updated_at"])
        return Response(self.get_serializer(grant).data)
