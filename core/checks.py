"""System checks that guard the portal's conventions (as Wagtail does for its mixins)."""

from django.apps import apps
from django.core import checks

from .models.base import SharedRecord


@checks.register(checks.Tags.models)
def shared_records_use_the_access_manager(app_configs, **kwargs):
    """A SharedRecord whose default manager lacks visible_to() would bypass the access policy."""
    errors = []
    for model in apps.get_models():
        if issubclass(model, SharedRecord) and not hasattr(model._default_manager, "visible_to"):
            errors.append(
                checks.Error(
                    f"{model._meta.label} is a SharedRecord but its default manager has no visible_to().",
                    hint="Build the manager from core.models.SharedQuerySet.",
                    obj=model,
                    id="core.E001",
                )
            )
    return errors
