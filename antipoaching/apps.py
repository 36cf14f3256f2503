from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AntipoachingConfig(AppConfig):
    name = "antipoaching"
    verbose_name = _("Anti-poaching")
