from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("Monitoring")

    def ready(self):
        from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

        from core.access import withheld_grid_degrees
        from core.datasets import register_dataset_source
        from core.models import Agency, AgencyKind, Species
        from core.navigation import register_menu
        from core.search import register_search
        from reserves.models import ProtectedArea

        from . import services, workflows  # noqa: F401  (registers the workflows)
        from .models import Deployment, Individual, Protocol, ResearchProject, Survey

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
        # Not location_id: it may spell the point, and site search has no per-viewer precise rule.
        register_search(Deployment, ("deployment_id",), _("Camera-trap deployments"), "monitoring:deployment-detail")
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

        # Derived places follow what they are derived from, on every path (pages, API, admin,
        # shell, demo): the species' sensitivity, the protected areas, the deployments deleted.
        def species_before(sender, instance, raw=False, **kwargs):
            if raw:
                return
            before = None
            if instance.pk is not None and not instance._state.adding:
                before = Species.objects.filter(pk=instance.pk).values_list("sensitivity_category", flat=True).first()
            instance._sensitivity_before = (before, withheld_grid_degrees())

        def species_changed(sender, instance, raw=False, **kwargs):
            before = getattr(instance, "_sensitivity_before", None)
            if raw or before is None:
                return
            del instance._sensitivity_before
            services.species_changed(instance, *before)

        def species_deleted(sender, instance, **kwargs):
            before = getattr(instance, "_sensitivity_before", None)
            if before is not None:
                del instance._sensitivity_before
                services.species_changed(instance, None, before[1])

        def species_deleting(sender, instance, **kwargs):
            instance._sensitivity_before = (None, withheld_grid_degrees())

        def area_before(sender, instance, raw=False, **kwargs):
            if raw:
                return
            previous = None
            if not instance._state.adding:
                previous = ProtectedArea.objects.filter(pk=instance.pk).values("boundary", "owner_agency_id").first()
            instance._placing_before = previous

        def area_saved(sender, instance, created, raw=False, **kwargs):
            if raw or not hasattr(instance, "_placing_before"):
                return
            previous = instance._placing_before or {}
            del instance._placing_before
            if (
                created
                or not previous
                or previous["boundary"] != instance.boundary
                or previous["owner_agency_id"] != instance.owner_agency_id
            ):
                services.protected_area_changed(instance, previous.get("boundary"), previous.get("owner_agency_id"))

        def area_deleted(sender, instance, **kwargs):
            services.protected_area_changed(instance)

        def deployment_deleted(sender, instance, **kwargs):
            services.deployment_deleted(instance.owner_agency_id)

        def agency_before(sender, instance, raw=False, **kwargs):
            if not raw and not instance._state.adding:
                instance._kind_before = Agency.objects.filter(pk=instance.pk).values_list("kind", flat=True).first()

        def agency_saved(sender, instance, created, raw=False, **kwargs):
            # Becoming (or ceasing to be) the secretariat changes whose areas every record may use.
            before = instance.__dict__.pop("_kind_before", None)
            secretariat = AgencyKind.SECRETARIAT
            if not raw and not created and (before == secretariat) != (instance.kind == secretariat):
                services.refresh_cells()

        pre_save.connect(agency_before, sender=Agency, weak=False, dispatch_uid="monitoring_agency_kind_before")
        post_save.connect(agency_saved, sender=Agency, weak=False, dispatch_uid="monitoring_agency_kind")
        uid = "monitoring_species_sensitivity"
        pre_save.connect(species_before, sender=Species, weak=False, dispatch_uid=f"{uid}_before")
        post_save.connect(species_changed, sender=Species, weak=False, dispatch_uid=uid)
        pre_delete.connect(species_deleting, sender=Species, weak=False, dispatch_uid=f"{uid}_deleting")
        post_delete.connect(species_deleted, sender=Species, weak=False, dispatch_uid=f"{uid}_deleted")
        uid = "monitoring_protected_area_places"
        pre_save.connect(area_before, sender=ProtectedArea, weak=False, dispatch_uid=f"{uid}_before")
        post_save.connect(area_saved, sender=ProtectedArea, weak=False, dispatch_uid=uid)
        post_delete.connect(area_deleted, sender=ProtectedArea, weak=False, dispatch_uid=f"{uid}_deleted")
        post_delete.connect(
            deployment_deleted, sender=Deployment, weak=False, dispatch_uid="monitoring_deployment_twins"
        )
