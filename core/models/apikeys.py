from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey, BaseAPIKeyManager


class AgencyAPIKeyManager(BaseAPIKeyManager):
    def get_usable_keys(self):
        # Revoked keys are found too, so that the caller can say *why* a key is refused.
        return self.select_related("agency")


class AgencyAPIKey(AbstractAPIKey):
    """A partner agency's system key: stored hashed, shown once, expiring and revocable."""

    agency = models.ForeignKey(
        "core.Agency", on_delete=models.CASCADE, related_name="api_keys", verbose_name=_("agency")
    )
    read_only = models.BooleanField(_("read only"), default=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    objects = AgencyAPIKeyManager()

    class Meta(AbstractAPIKey.Meta):
        verbose_name = _("agency API key")
        verbose_name_plural = _("agency API keys")

    def __str__(self):
        return f"{self.agency.code}: {self.name} ({self.prefix})"

    @property
    def is_usable(self):
        return not self.revoked and not (self.expiry_date and self.expiry_date < timezone.now())
