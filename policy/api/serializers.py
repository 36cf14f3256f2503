from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.documents import AttachmentSerializer, FileUploadSerializerMixin
from core.api.serializers import AgencyCodeField, PortalModelSerializer, SharedRecordSerializer

from ..models import (
    AGREEMENT_FIELDS,
    ATTACHMENT_ROLE,
    MANUAL_DATASET,
    ExchangeAgreement,
    ExchangeRound,
    Submission,
    SubmissionKind,
)


class ExchangeAgreementSerializer(SharedRecordSerializer):
    parties = AgencyCodeField(many=True)
    # The shapes only; which keys and which numbers are allowed is the model's rule.
    dataset_types = serializers.ListField(child=serializers.CharField())
    lead_days = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)

    class Meta:
        model = ExchangeAgreement
        fields = SharedRecordSerializer.shared_fields + AGREEMENT_FIELDS


class ExchangeRoundSerializer(PortalModelSerializer):
    agency = AgencyCodeField(read_only=True)
    agreement = serializers.PrimaryKeyRelatedField(read_only=True)
    agreement_title = serializers.SerializerMethodField()
    period = serializers.CharField(source="period_label", read_only=True)
    status = serializers.SerializerMethodField()

    class Meta:
        model = ExchangeRound
        fields = (
            "id",
            "agreement",
            "agreement_title",
            "agency",
            "period",
            "period_start",
            "period_end",
            "due_date",
            "due_at",
            "fulfilled_at",
            "status",
        )
        read_only_fields = fields

    def get_status(self, obj) -> str:
        return obj.status_at(timezone.now())

    def get_agreement_title(self, obj) -> str:
        return obj.agreement.title


class SubmissionSerializer(FileUploadSerializerMixin, SharedRecordSerializer):
    # Narrowed by the base to the rounds of agreements the caller may see.
    round = serializers.PrimaryKeyRelatedField(queryset=ExchangeRound.objects.all())
    kind = serializers.CharField(read_only=True)
    record_count = serializers.IntegerField(read_only=True, allow_null=True)  # null: a delivery by hand
    submitted_at = serializers.DateTimeField(read_only=True)
    attachment = serializers.FileField(
        write_only=True,
        required=False,
        allow_null=True,
        help_text=_("A file delivered with the submission (checked by content; more through /api/v1/attachments/)."),
    )
    attachments = serializers.SerializerMethodField()
    upload_field, upload_role = "attachment", ATTACHMENT_ROLE

    class Meta:
        model = Submission
        fields = SharedRecordSerializer.shared_fields + (
            "round",
            "kind",
            "dataset",
            "record_count",
            "submitted_at",
            "note",
            "attachment",
            "attachments",
        )

    def validate_round(self, round_):
        if self.instance is not None and round_.pk != self.instance.round_id:
            raise serializers.ValidationError(_("A submission cannot be moved to another round."))
        return round_

    def complete_attrs(self, attrs):
        attrs = super().complete_attrs(attrs)
        if self.instance is None:
            attrs.setdefault("kind", SubmissionKind.MANUAL)
        return attrs

    def _model_instance(self, values):
        # The file is attached after the row is saved; the model's "note or file" rule knows it.
        instance = super()._model_instance(values)
        instance.incoming_files = [values["attachment"]] if values.get("attachment") else ()
        return instance

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, obj):
        return self.uploaded_files(obj)


__all__ = ["MANUAL_DATASET", "ExchangeAgreementSerializer", "ExchangeRoundSerializer", "SubmissionSerializer"]
