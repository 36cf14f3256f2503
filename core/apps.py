from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Shared layer")

    def ready(self):
        from . import checks, signals  # noqa: F401
        from .models.training import register_training
        from .navigation import register_dashboard_figure

        register_dashboard_figure(
            "core",
            _("Partner agencies"),
            lambda principal: (
                __import__("core.models", fromlist=["Agency"]).Agency.objects.filter(is_active=True).count()
            ),
            url_name="core:agency-list",
        )
        # Certificates' file types and the trained-staff figure.
        register_training()
