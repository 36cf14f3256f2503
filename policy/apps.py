from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PolicyConfig(AppConfig):
    name = "policy"
    verbose_name = _("Policy and coordination")

    def ready(self):
        from django.utils import timezone

        from core.navigation import register_dashboard_figure, register_menu

        from . import services
        from .models import RoundStatus

        register_menu(
            "policy",
            _("Data exchange"),
            [
                (_("Calendar"), "policy:calendar"),
                (_("Compliance"), "policy:compliance"),
                (_("Rounds"), "policy:round-list"),
                (_("Agreements"), "policy:agreement-list"),
                (_("Notifications"), "core:notification-list"),
                (_("Calendar of obligations"), "core:obligation-list"),
            ],
            order=60,
        )

        def overdue_rounds(principal):
            rounds = services.rounds_visible_to(principal)
            if not (principal.is_secretariat or principal.is_superuser):
                rounds = rounds.filter(agency_id=principal.agency_id)
            return rounds.filter(services.round_status_q(RoundStatus.MISSING, timezone.now())).count()

        register_dashboard_figure(
            "policy", _("Overdue data exchanges"), overdue_rounds, url_name="policy:calendar", order=60
        )
