from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PolicyConfig(AppConfig):
    name = "policy"
    verbose_name = _("Policy and coordination")

    def ready(self):
        from core.navigation import register_menu

        from . import figures

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
        figures.register()
