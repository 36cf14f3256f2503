"""What the monitoring pages share: the viewer's points as text and the after-save hook."""

from django.db import transaction


def fmt_point(lat, lon):
    if lat is None or lon is None:
        return "—"
    return f"{lat:.6f}, {lon:.6f}".rstrip("0")


class AfterSaveMixin:
    """Create/edit pages: `after_save(form)` calls the services that keep derived fields, in the
    same transaction as the save (model save() has no side effects)."""

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            self.after_save(form)
        return response

    def after_save(self, form):
        pass
