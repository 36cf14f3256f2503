"""Small abstract bases composed into the portal's models (NetBox style feature mixins)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class AuditedModel(models.Model):
    """Every create, update and delete of a subclass is written to the audit log (core.signals)."""

    class Meta:
        abstract = True


class Sensitivity(models.TextChoices):
    PUBLIC = "public", _("Public")
    PARTNERS = "partners", _("Partners (every partner agency)")
    RESTRICTED = "restricted", _("Restricted (listed agencies)")
    OWNER = "owner", _("Owner only")


# Records whose reads are written to the audit log.
AUDITED_READ_SENSITIVITIES = {Sensitivity.RESTRICTED, Sensitivity.OWNER}


class SharedQuerySet(models.QuerySet):
    """The access policy applied in the queryset, so pages, API, exports and search agree."""

    def visible_to(self, principal):
        from core.access import visible_filter

        return self.filter(visible_filter(self.model, principal))

    def editable_by(self, principal):
        from core.access import editable_filter

        return self.filter(editable_filter(self.model, principal))


class SharedRecord(AuditedModel, TimeStampedModel):
    """A record one agency owns and shares with others at a chosen sensitivity.

    Subclasses get a client-suppliable UUID (a retried create does not duplicate), a revision
    counter for ETag/If-Match, and `objects.visible_to(principal)`.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner_agency = models.ForeignKey(
        "core.Agency",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owning agency"),
    )
    sensitivity = models.CharField(
        _("sensitivity"),
        max_length=16,
        choices=Sensitivity.choices,
        default=Sensitivity.PARTNERS,
        db_index=True,
    )
    shared_with = models.ManyToManyField(
        "core.Agency",
        blank=True,
        related_name="+",
        verbose_name=_("shared with"),
        help_text=_("For restricted records: the agencies that may see it."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    revision = models.PositiveIntegerField(_("revision"), default=1, editable=False)

    objects = SharedQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @classmethod
    def dataset_type(cls):
        """The key data-sharing grants use to name this kind of record."""
        return cls._meta.label_lower

    def save(self, *args, **kwargs):
        if not self._state.adding:
            self.revision = (self.revision or 0) + 1
        super().save(*args, **kwargs)

    @property
    def etag(self):
        return f'"{self.pk}-{self.revision}"'
