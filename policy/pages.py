"""Agreement pages on the core page set; a saved agreement creates its coming rounds at once."""

from django.utils.translation import gettext_lazy as _

from core.pages import Column, RecordCreateView, RecordPages, RecordUpdateView

from . import services
from .filters import ExchangeAgreementFilterSet, ExchangeRoundFilterSet
from .forms import ExchangeAgreementForm
from .models import ExchangeAgreement, ExchangeRound


class _GenerateRoundsMixin:
    def form_valid(self, form):
        response = super().form_valid(form)
        services.generate_rounds(self.object)
        return response


class AgreementCreateView(_GenerateRoundsMixin, RecordCreateView):
    pass


class AgreementUpdateView(_GenerateRoundsMixin, RecordUpdateView):
    pass


def _codes(agreement):
    return ", ".join(party.code for party in agreement.parties.all())


class AgreementPages(RecordPages):
    model = ExchangeAgreement
    prefix = "agreement"
    filterset_class = ExchangeAgreementFilterSet
    columns = [
        Column("title", link=True),
        Column("parties", label=_("Parties"), value=_codes),
        "cadence",
        Column("dataset_types", label=_("Dataset types"), value=lambda a: ", ".join(map(str, a.dataset_labels()))),
        "is_active",
    ]
    ordering_fields = ("cadence", "is_active")
    form_class = ExchangeAgreementForm
    detail_fields = ["notes", "parties", "cadence", "cron", "due_day", "lead_days", "escalate_after_days"]
    detail_fields += ["starts_on", "ends_on", "is_active", "owner_agency"]
    detail_parts = ["policy/_agreement_rounds.html"]
    select_related_fields = ("owner_agency",)
    prefetch_related_fields = ("parties",)
    list_template = "policy/agreement_list.html"
    detail_template = "policy/agreement_detail.html"
    create_view = AgreementCreateView
    edit_view = AgreementUpdateView

    def detail_context(self, record, principal):
        rounds = record.rounds.select_related("agency").order_by("-period_start", "agency__code")
        return {
            "rounds": [(r, r.status_at()) for r in rounds[:200]],
            "dataset_labels": record.dataset_labels(),
        }


class RoundPages(RecordPages):
    """The list of rounds; a round's own page (submissions, delivery by hand) is views.RoundDetailView."""

    model = ExchangeRound
    prefix = "round"
    filterset_class = ExchangeRoundFilterSet
    actions = ("list",)
    columns = [
        Column("agreement.title", label=_("Agreement"), sort="agreement__title_en"),
        Column("agency.code", label=_("Agency")),
        Column("period_label", label=_("Period"), link=True, sort="period_start"),
        "due_date",
        Column("fulfilled_at", label=_("Delivered")),
        Column("status", label=_("Status"), value=lambda r: r.get_status_display()),
    ]
    ordering_fields = ("agreement__title_en", "agency__code", "period_start", "due_date", "fulfilled_at")
    select_related_fields = ("agency", "agreement")
    list_template = "policy/round_list.html"

    def can_create(self, principal):
        return False  # rounds come from their agreements
