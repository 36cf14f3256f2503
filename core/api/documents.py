"""API of attachments: /api/v1/attachments/ lists, uploads (multipart) and deletes the files of records.

A record is named by `record_type` ("app_label.model", e.g. "antipoaching.incident") and
`record_id`. Whoever may see the record sees its files; whoever may edit it adds and removes them.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from core.access import principal_for
from core.documents import (
    attach,
    attachments_for,
    check_upload,
    delete_attachment,
    display_name,
    display_title,
    may_edit_record,
    visible_attachments,
    visible_record,
)
from core.models import Attachment

from .parsers import PortalMultiPartParser
from .views import PrincipalMixin


def _model_for(record_type):
    app_label, _dot, model_name = (record_type or "").lower().partition(".")
    try:
        return ContentType.objects.get_by_natural_key(app_label, model_name).model_class()
    except ContentType.DoesNotExist:
        return None


class RecordTypeField(serializers.CharField):
    """A record type as "app_label.model"; read from the attachment's content type."""

    def to_representation(self, value):
        return f"{value.app_label}.{value.model}"


class AttachmentSerializer(serializers.ModelSerializer):
    record_type = RecordTypeField(
        source="content_type",
        max_length=200,
        help_text=_("The record's type as app_label.model, for example antipoaching.incident."),
    )
    record_id = serializers.CharField(source="object_id", help_text=_("The record's id."))
    file = serializers.FileField(write_only=True, help_text=_("The file (multipart upload)."))
    uploaded_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    uploaded_by_agency = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = [
            "id",
            "record_type",
            "record_id",
            "role",
            "title",
            "language",
            "file",
            "original_name",
            "mime_type",
            "size",
            "sha256",
            "uploaded_by",
            "uploaded_by_agency",
            "created_at",
            "download_url",
        ]
        read_only_fields = ["id", "original_name", "mime_type", "size", "sha256", "created_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None:
            # Names and titles that may carry a position follow the record's precise-location rule.
            principal = principal_for(request)
            data["original_name"] = display_name(instance, principal)
            data["title"] = display_title(instance, principal)
        return data

    def get_download_url(self, obj) -> str:
        url = reverse("core:attachment-download", args=[obj.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


RECORD_FILTERS = [
    OpenApiParameter("record_type", str, description=_("Only files of this record type (app_label.model).")),
    OpenApiParameter("record_id", str, description=_("Only files of this record (needs record_type).")),
    OpenApiParameter("role", str, description=_("Only files of this role.")),
]


@extend_schema_view(list=extend_schema(parameters=RECORD_FILTERS))
class AttachmentViewSet(
    PrincipalMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = AttachmentSerializer
    parser_classes = [PortalMultiPartParser]  # an upload: multipart/form-data only
    filter_backends = []
    queryset = Attachment.objects.none()  # for the schema; get_queryset applies the policy

    def get_queryset(self):
        params = self.request.query_params if self.action == "list" else {}
        record_type, record_id, role = params.get("record_type"), params.get("record_id"), params.get("role")
        model = None
        if record_type:
            model = _model_for(record_type)
            if model is None:
                raise ValidationError({"record_type": [_("Unknown record type “%(type)s”.") % {"type": record_type}]})
        elif record_id:
            raise ValidationError({"record_type": [_("Give record_type together with record_id.")]})
        queryset = visible_attachments(self.principal, model)
        if record_id:
            queryset = queryset.filter(object_id=record_id)
        if role is not None and role != "":
            queryset = queryset.filter(role=role)
        return queryset

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        model = _model_for(data["content_type"])
        record = visible_record(model, data["object_id"], self.principal) if model is not None else None
        if record is None:
            # Another agency's hidden record answers as if it did not exist.
            raise ValidationError({"record_id": [_("No such record.")]})
        if not may_edit_record(self.principal, record):
            raise PermissionDenied(_("Only the owning agency may attach files to this record."))
        try:
            with transaction.atomic():
                attachment = attach(
                    record,
                    data["file"],
                    self.principal,
                    role=data.get("role", ""),
                    title=data.get("title", ""),
                    language=data.get("language", ""),
                )
        except DjangoValidationError as error:
            detail = error.message_dict if hasattr(error, "error_dict") else {"file": error.messages}
            raise ValidationError(detail) from None
        output = self.get_serializer(attachment)
        return Response(output.data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        attachment = self.get_object()
        record = attachment.record
        if record is None or not may_edit_record(self.principal, record):
            raise PermissionDenied(_("Only the owning agency may remove files of this record."))
        with transaction.atomic():
            delete_attachment(attachment, self.principal)
        return Response(status=status.HTTP_204_NO_CONTENT)


router = DefaultRouter()
router.register("attachments", AttachmentViewSet, basename="attachment")


class FileUploadSerializerMixin:
    """One file sent with a record's create or update (multipart), stored as a core attachment.

    The serializer declares `upload_field` (a write-only FileField of that name) and `upload_role`.
    The file is checked by content while the request validates (a refused file is a 400 on that
    field, nothing is stored) and attached once the record is saved, in the same transaction.
    """

    upload_field = "file"
    upload_role = ""

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        value = values.get(self.upload_field)
        if value:
            try:
                values[self.upload_field] = check_upload(value, self.upload_role)
            except DjangoValidationError as exc:
                raise serializers.ValidationError({self.upload_field: exc.messages}) from exc
        return values

    def create(self, validated_data):
        checked = validated_data.pop(self.upload_field, None)
        with transaction.atomic():
            record = super().create(validated_data)
            self._attach_upload(record, checked)
        return record

    def update(self, instance, validated_data):
        checked = validated_data.pop(self.upload_field, None)
        with transaction.atomic():
            record = super().update(instance, validated_data)
            self._attach_upload(record, checked)
        return record

    def _attach_upload(self, record, checked):
        if checked:
            attach(record, checked, self._request_principal(), role=self.upload_role)

    def uploaded_files(self, record):
        """The record's files of the upload role, as the attachments API lists them."""
        return AttachmentSerializer(attachments_for(record, self.upload_role), many=True, context=self.context).data
