"""View bases every app's API follows: access policy in the queryset, ETag/If-Match, idempotent create."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.access import principal_for
from core.audit import record_read

from .exceptions import PreconditionFailed
from .parsers import parsers_for, takes_files


class PrincipalMixin:
    """The base of every portal API view: the caller's principal, and the parsers its writes need
    (JSON; multipart/form-data too when the serializer takes a file, core.api.parsers)."""

    @property
    def principal(self):
        return principal_for(self.request)

    def get_parsers(self):
        return parsers_for(super().get_parsers(), takes_files(getattr(self, "serializer_class", None)))


class SharedRecordViewSet(PrincipalMixin, viewsets.ModelViewSet):
    """CRUD over a SharedRecord model. Subclasses set `model`, `serializer_class`,
    `filterset_class`, and optionally `select_related_fields` / `prefetch_related_fields`.

    The queryset is built per request (modeltranslation: the language must be active first).
    """

    model = None
    select_related_fields = ()
    prefetch_related_fields = ()
    ordering_fields = ("created_at", "updated_at")
    ordering = ("-created_at",)

    def get_queryset(self):
        queryset = self.model.objects.visible_to(self.principal)
        queryset = queryset.select_related("owner_agency", *self.select_related_fields)
        return queryset.prefetch_related("shared_with", *self.prefetch_related_fields)

    # --- reads ---------------------------------------------------------------
    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        record_read(instance, self.principal)
        response = Response(self.get_serializer(instance).data)
        response["ETag"] = instance.etag
        return response

    # --- writes --------------------------------------------------------------
    def create(self, request, *args, **kwargs):
        supplied_id = request.data.get("id") if hasattr(request.data, "get") else None
        if supplied_id:
            existing = self._existing(supplied_id)
            if existing is not None:
                # A retried create: answer with the record the first attempt made.
                response = Response(self.get_serializer(existing).data, status=status.HTTP_200_OK)
                response["ETag"] = existing.etag
                return response
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            self.perform_create(serializer)
        response = Response(serializer.data, status=status.HTTP_201_CREATED)
        response["ETag"] = serializer.instance.etag
        return response

    def _existing(self, supplied_id):
        try:
            found = self.model.objects.filter(pk=supplied_id).first()
        except (ValueError, DjangoValidationError):
            return None  # not a UUID: the serializer reports it
        if found is None:
            return None
        visible = self.get_queryset().filter(pk=found.pk).first()
        # Only the agency that made the record can be retrying its create; for anyone else the id
        # is taken.
        if visible is None or not (self.principal.is_superuser or visible.owner_agency_id == self.principal.agency_id):
            raise ValidationError({"id": [_("This id is already used by another record.")]})
        return visible

    def perform_create(self, serializer):
        user = self.request.user if getattr(self.request.user, "pk", None) else None
        serializer.save(created_by=user)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        with transaction.atomic():
            instance = self.get_object()
            # Lock the row so that two agencies' concurrent updates are serialized.
            locked = type(instance).objects.select_for_update().get(pk=instance.pk)
            self._check_if_match(request, locked)
            serializer = self.get_serializer(instance, data=request.data, partial=partial)
            serializer.is_valid(raise_exception=True)
            self.perform_update(serializer)
        instance.refresh_from_db()
        response = Response(self.get_serializer(instance).data)
        response["ETag"] = instance.etag
        return response

    def destroy(self, request, *args, **kwargs):
        with transaction.atomic():
            instance = self.get_object()
            locked = type(instance).objects.select_for_update().get(pk=instance.pk)
            self._check_if_match(request, locked)
            self.perform_destroy(instance)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @staticmethod
    def _check_if_match(request, current):
        expected = request.headers.get("If-Match")
        if not expected:
            return
        candidates = {tag.strip().removeprefix("W/") for tag in expected.split(",")}
        if "*" not in candidates and current.etag not in candidates:
            raise PreconditionFailed()


class ReadOnlyPortalViewSet(PrincipalMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """For reference data that partners read."""
