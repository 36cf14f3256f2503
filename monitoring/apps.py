from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("Monitoring")

    def ready(self):
        from django.db.models.signals import post_save

        from core.datasets import register_dataset_source
        from core.models import Species
        from core.navigation import register_menu
        from core.search import register_search

        from . import services, workflows  # noqa: F401  (registers the workflows)
        from .models import Deployment, Individual, Observation, Protocol, ResearchProject, Survey, TransectTrack

        register_menu(
            "monitoring",
            _("Monitoring"),
            [
                (_("Surveys"), "monitoring:survey-list"),
                (_("Deployments"), "monitoring:deployment-list"),
                (_("Observations"), "monitoring:observation-list"),
                (_("Map of deployments"), "monitoring:deployment-map"),
                (_("Snow-track transects"), "monitoring:transect-list"),
                (_("Individual catalogue"), "monitoring:individual-list"),
                (_("Match proposals"), "monitoring:match-list"),
                (_("Cross-border individuals"), "monitoring:cross-border-report"),
                (_("Protocols"), "monitoring:protocol-list"),
                (_("Camtrap DP import"), "monitoring:camtrap-import"),
                (_("Research projects"), "monitoring:project-list"),
                (_("Data requests"), "monitoring:request-list"),
            ],
            order=30,
        )
        services.register_figures()
        # Search finds records by names and IDs only; no coordinates are searchable or shown.
        register_search(Survey, ("name", "description"), _("Surveys"), "monitoring:survey-detail")
        register_search(
            Deployment, ("deployment_id", "location_id"), _("Camera-trap deployments"), "monitoring:deployment-detail"
        )
        register_search(
            Individual,
            ("catalogue_code", "name", "aliases__local_id"),
            _("Individuals"),
            "monitoring:individual-detail",
        )
        register_search(Protocol, ("key", "title"), _("Survey protocols"), "monitoring:protocol-detail")
        register_search(ResearchProject, ("title", "summary"), _("Research projects"), "monitoring:project-detail")
        register_dataset_source("monitoring.observations", _("Camera-trap observations"), services.count_observations)
        register_dataset_source(
            "monitoring.individuals", _("Individual catalogue updates"), services.count_catalogue_updates
        )

        def species_changed(sender, instance, created, **kwargs):
            # A species becoming sensitive generalizes every deployment and transect that recorded it.
            if not created and not kwargs.get("raw"):
                deployments = (
                    Observation.objects.filter(species=instance).values_list("deployment_id", flat=True).distinct()
                )
                services.refresh_location_categories(set(deployments))
                transects = TransectTrack.objects.filter(species=instance).values_list("transect_id", flat=True)
                services.refresh_transect_categories(set(transects))

        post_save.connect(species_changed, sender=Species, weak=False, dispatch_uid="monitoring_species_sensitivity")
