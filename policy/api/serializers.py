from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.serializers import AgencyCodeField, PortalModelSerializer, SharedRecordSerializer

from ..models import MANUAL_DATASET, ExchangeAgreement, ExchangeRound, Submission, dataset_type_choices


class ExchangeAgreementSerializer(SharedRecordSerializer):
    parties = AgencyCodeField(many=True)
    dataset_types = serializers.ListField(child=serializers.CharField(), allow_empty=False)
    lead_days = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=365), required=False, default=list
    )

    class Meta:
        model = ExchangeAgreement
        fields = SharedRecordSerializer.shared_fields + (
            "title",
            "notes",
            "parties",
            "dataset_types",
            "cadence",
            "cron",
            "due_day",
            "lead_days",
            "escalate_after_days",
            "starts_on",
            "ends_on",
            "is_active",
        )

    def validate_dataset_types(self, value):
        known = dict(dataset_type_choices())
        unknown = [key for key in value if key not in known]
        if unknown:
            raise serializers.ValidationError(_("Unknown dataset type: %(keys)s.") % {"keys": ", ".join(unknown)})
        return value

    def validate(self, attrs):
        attrs = super().validate(attrs)
        from django.core.exceptions import ValidationError as DjangoValidationError

        probe = ExchangeAgreement(**{k: v for k, v in attrs.items() if k not in {"parties", "shared_with"}})
        if self.instance is not None:
            for field in ("cadence", "cron", "due_day", "dataset_types", "lead_days", "starts_on", "ends_on"):
                if field not in attrs:
                    setattr(probe, field, getattr(self.instance, field))
        try:
            probe.clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        return attrs


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


class SubmissionSerializer(SharedRecordSerializer):
    round = serializers.PrimaryKeyRelatedField(queryset=ExchangeRound.objects.none())
    kind = serializers.CharField(read_only=True)
    record_count = serializers.IntegerField(read_only=True)
    submitted_at = serializers.DateTimeField(read_only=True)
    attachment = serializers.FileField(required=False, allow_null=True)

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
        )

    def get_fields(self):
        fields = super().get_fields()
        from ..services import rounds_visible_to

        if "request" in self.context:
            fields["round"].queryset = rounds_visible_to(self.principal)
        return fields

    def validate(self, attrs):
        attrs = super().validate(attrs)
        round_ = attrs.get("round") or getattr(self.instance, "round", None)
        owner = attrs.get("owner_agency") or getattr(self.instance, "owner_agency", None)
        if self.instance is None and round_ is not None and owner is not None and round_.agency_id != owner.pk:
            raise serializers.ValidationError({"round": [_("Only the obliged agency submits for a round.")]})
        dataset = attrs.get("dataset", "")
        if dataset and round_ is not None and dataset not in (round_.agreement.dataset_types or []):
            raise serializers.ValidationError({"dataset": [_("This round does not ask for that dataset type.")]})
        if self.instance is None and not attrs.get("note") and not attrs.get("attachment"):
            raise serializers.ValidationError({"note": [_("A submission by hand needs a note or an attachment.")]})
        return attrs


__all__ = ["MANUAL_DATASET", "ExchangeAgreementSerializer", "ExchangeRoundSerializer", "SubmissionSerializer"]
