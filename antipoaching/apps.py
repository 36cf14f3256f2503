from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AntipoachingConfig(AppConfig):
    name = "antipoaching"
    verbose_name = _("Anti-poaching")

    def ready(self):
        from core.datasets import register_dataset_source
        from core.navigation import register_menu
        from core.personal_data import searchable_fields
        from core.search import register_search

        from . import figures, services, workflows  # noqa: F401  (workflows registers the plan's workflow)
        from .models import ActionPlan, Alert, Incident, Patrol

        register_menu(
            "antipoaching",
            # A short menu label: the header must fit a 1280-pixel window in every language.
            pgettext_lazy("menu", "Anti-poaching"),
            [
                (_("Joint action plans"), "antipoaching:plan-list"),
                (_("Joint operations"), "antipoaching:operation-list"),
                (_("Patrols"), "antipoaching:patrol-list"),
                (_("Incidents and seizures"), "antipoaching:incident-list"),
                (_("Alerts"), "antipoaching:alert-list"),
                (_("Map"), "antipoaching:map"),
                (_("Effectiveness (KPIs)"), "antipoaching:kpis"),
                (_("Training"), "core:training-course-list"),
                (_("Trained staff by topic"), "core:trained-staff"),
                (_("Exchange visits"), "core:exchange-visit-list"),
                (_("Incident vocabulary"), "antipoaching:incident-type-list"),
            ],
            order=20,
        )
        figures.register()  # the KPIs and the dashboard counters (core.figures)
        register_search(ActionPlan, ("title", "objectives"), _("Joint action plans"), "antipoaching:plan-detail")
        register_search(Patrol, ("title", "leader", "objective"), _("Patrols"), "antipoaching:patrol-detail")
        register_search(
            Incident,
            searchable_fields(Incident, ("reference", "place", "description")),  # never the suspects
            _("Incidents and seizures"),
            "antipoaching:incident-detail",
        )
        register_search(Alert, ("title", "message", "place"), _("Alerts"), "antipoaching:alert-detail")
        register_dataset_source("antipoaching.patrols", _("Patrol summaries"), services.patrols_submitted)
        register_dataset_source("antipoaching.incidents", _("Incident reports"), services.incidents_submitted)
