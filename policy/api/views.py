from django.db import transaction
from rest_framework import mixins, viewsets

from core.api.views import PrincipalMixin, SharedRecordViewSet

from .. import services
from ..filters import ExchangeAgreementFilterSet, ExchangeRoundFilterSet, SubmissionFilterSet
from ..models import ExchangeAgreement, Submission, SubmissionKind
from .serializers import ExchangeAgreementSerializer, ExchangeRoundSerializer, SubmissionSerializer


class ExchangeAgreementViewSet(SharedRecordViewSet):
    model = ExchangeAgreement
    serializer_class = ExchangeAgreementSerializer
    filterset_class = ExchangeAgreementFilterSet
    prefetch_related_fields = ("parties",)

    def perform_create(self, serializer):
        super().perform_create(serializer)
        # Rounds appear at once; reminders follow from the obligations they create.
        agreement = serializer.instance
        transaction.on_commit(lambda: services.generate_rounds(agreement))

    def perform_update(self, serializer):
        super().perform_update(serializer)
        agreement = serializer.instance
        transaction.on_commit(lambda: services.generate_rounds(agreement))


class ExchangeRoundViewSet(PrincipalMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Rounds are generated from agreements; they are read here and fulfilled by submissions."""

    serializer_class = ExchangeRoundSerializer
    filterset_class = ExchangeRoundFilterSet
    ordering_fields = ("due_at", "created_at")

    def get_queryset(self):
        return services.rounds_visible_to(self.principal).select_related("agency", "agreement")


class SubmissionViewSet(SharedRecordViewSet):
    model = Submission
    serializer_class = SubmissionSerializer
    filterset_class = SubmissionFilterSet
    select_related_fields = ("round", "round__agency", "round__agreement")

    def perform_create(self, serializer):
        user = self.request.user if getattr(self.request.user, "pk", None) else None
        submission = serializer.save(created_by=user, kind=SubmissionKind.MANUAL)
        services.refresh_round(submission.round)

    def perform_update(self, serializer):
        submission = serializer.save()
        services.refresh_round(submission.round)

    def perform_destroy(self, instance):
        round_ = instance.round
        instance.delete()
        services.refresh_round(round_)
