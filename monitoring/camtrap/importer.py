"""Camtrap DP 1.0, 1.0.1 and 1.0.2 import: validated, all or nothing, streamed, never damaging shared data.

The CSVs are read row by row with the csv module and written in batches with one
INSERT … ON CONFLICT (owner agency, natural key) DO UPDATE per batch, so re-importing a package
updates its rows and a million observations import in bounded memory. Nothing is kept per row
beyond the current batch: media are resolved to primary keys per batch, and duplicates across
batches are found by the rows already stamped with this import.

What an import may change (the rules that protect what other agencies and the catalogue hold):
- A row whose ID another agency owns (a deployment, media or observation of theirs, as in a
  re-imported portal export) is never copied into the importing agency's name: it is left out,
  with everything that hangs on it, and the report says whose it was.
- A value the package does not give (a missing column, an empty cell, no survey chosen) never
  clears what is stored: a re-import updates what the package says and keeps the rest; a row
  whose values are all unchanged is not written at all (its revision stays).
- Catalogue individuals are found by the agency's own IDs (services.catalogue.individual_for_import):
  an ID of another agency's individual is never made a new individual.
- Names never add to the shared species list (services.taxa).
- Points outside the portal's region (settings.PORTAL_REGION_BBOX) are refused unless the
  user confirms them.
A dry run does all of it in a transaction that is rolled back, and answers what would be
created, updated, left unchanged and refused (`ImportReport`).
"""

import time

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import acting_as
from core.models import Sensitivity, Species

from ..models import Deployment, ImportRun, Media, Observation, Vocabulary
from ..services import (
    AreaLocator,
    CodeMapper,
    refresh_deployment_locations,
    refresh_first_detected,
    refresh_location_categories,
)
from ..services.taxa import SpeciesMatcher, ask_secretariat_about, unknown_species_error
from .package import PackageInvalid, PackageSource, PackageSummary, format_error
from .reader import RowReader
from .safeguards import MAX_ERRORS, ImportReport, Safeguards, region_bbox
from .schema import (
    TABLES,
    VERSIONS,
    declared_version,
    resolve_table_schema,
    unsupported_version_message,
    validate_descriptor,
)
from .upsert import (
    DEPLOYMENT_COLUMNS,
    MEDIA_COLUMNS,
    OBSERVATION_COLUMNS,
    Upserter,
    _json_text,
    _str,
    _time_ordered_uuid,
    utc_offset_minutes,
)

BATCH_SIZE = 5000

__all__ = [
    "ImportReport",
    "Importer",
    "PackageInvalid",
    "PackageSummary",
    "format_error",
    "import_package",
    "preview_package",
]

# --- the import ---------------------------------------------------------------------------------


class Importer(RowReader, Safeguards):
    def __init__(
        self,
        source,
        agency,
        principal=None,
        survey=None,
        sensitivity=Sensitivity.PARTNERS,
        batch_size=BATCH_SIZE,
        dry_run=False,
        confirm_outside_region=False,
        progress=None,
    ):
        self.source = source
        self.dry_run = dry_run
        self.confirm_outside_region = confirm_outside_region
        self.progress = progress  # callable(rows done, rows in total), called per batch
        self.done_rows = 0
        self.report = ImportReport(dry_run=dry_run)
        self.fatal = False
        self.version = None
        self.failed_keys = {}  # resource -> IDs of rows refused with an error
        self.agency = agency
        self.principal = principal
        self.survey = survey
        self.sensitivity = sensitivity
        self.batch_size = batch_size
        self.errors = []
        self.mapper = CodeMapper(agency)
        self.now = timezone.now()
        self.user = getattr(principal, "user", None) if principal else None

    # steps -------------------------------------------------------------------
    def check_descriptor(self):
        descriptor = self.source.descriptor()
        self.descriptor = descriptor
        version = declared_version(descriptor)
        self.report.version = version or ""
        if version not in VERSIONS:
            # Another version's tables and fields: one message naming it, nothing else.
            self.errors = [
                {"resource": "datapackage.json", "field": "profile", "message": unsupported_version_message(version)}
            ]
            self.fatal = True
            return
        self.version = version
        # The descriptor's own errors refuse the package, but the rows are still checked, so the
        # user gets every error in one round.
        for path, message in validate_descriptor(descriptor, version):
            self.error("datapackage.json", None, path, message)
        self.resources = {}
        resources = descriptor.get("resources") if isinstance(descriptor.get("resources"), list) else []
        for resource in resources:
            name = resource.get("name") if isinstance(resource, dict) else None
            if name in TABLES:
                if resolve_table_schema(resource, version) is None:
                    self.error(
                        "datapackage.json",
                        None,
                        f"resources/{name}/schema",
                        _("Not the Camtrap DP %(version)s table schema URL of “%(name)s”: %(url)s")
                        % {"version": version, "name": name, "url": resource.get("schema")},
                    )
                if not isinstance(resource.get("path"), str):
                    self.error(
                        "datapackage.json",
                        None,
                        f"resources/{name}/path",
                        _("Only one CSV file per resource is supported."),
                    )
                    self.fatal = True
                self.resources[name] = resource
        for name in TABLES:
            if name not in self.resources:
                self.error(
                    "datapackage.json", None, "resources", _("The resource “%(name)s” is missing.") % {"name": name}
                )
                self.fatal = True

    def prepare_species(self):
        """Names are matched to the shared species list (never added to it): services.taxa."""
        self.species = SpeciesMatcher(self.agency, taxa=self.descriptor.get("taxonomic") or [])
        self.target_species = set(Species.objects.filter(is_target=True).values_list("pk", flat=True))
        self.unknown_species = {}  # name -> why it was not matched

    def species_for(self, name):
        """(pk, shared scientific name) of a row's scientificName; unknown names refuse the package."""
        if not name:
            return None, ""
        match = self.species.match(name)
        if not match:
            self.unknown_species.setdefault(name, match.problem)
            return None, ""
        return match.pk, match.scientific_name

    def refuse_unknown_species(self):
        if self.unknown_species:  # one error naming them all, first: the package is refused as a whole
            self.errors[:0] = [unknown_species_error(self.unknown_species)]
            del self.errors[MAX_ERRORS:]

    def import_deployments(self):
        columns = DEPLOYMENT_COLUMNS
        upserter = Upserter(Deployment, columns, "deployment_id")
        # The owner's and the secretariat's areas only, loaded once, not once per row.
        locate_area = AreaLocator(self.agency)

        rows, numbers, seen = [], [], set()
        self.region = region_bbox()
        self.outside_region = []
        for number, r in self.rows("deployments", crosswalked=("featureType",)):
            key = r["deploymentID"]
            if key in seen:
                self.error("deployments", number, "deploymentID", _("Duplicate value “%(value)s”.") % {"value": key})
                continue
            seen.add(key)
            if r["deploymentEnd"] < r["deploymentStart"]:
                self.error("deployments", number, "deploymentEnd", _("The deployment ends before it starts."))
            self.check_region(number, r)
            feature = self.mapped("deployments", number, "featureType", Vocabulary.FEATURE_TYPE, r["featureType"])
            area = locate_area(r["latitude"], r["longitude"])
            numbers.append(number)
            rows.append(
                (
                    _time_ordered_uuid(),
                    self.agency.pk,
                    self.sensitivity,
                    getattr(self.user, "pk", None),
                    self.now,
                    self.now,
                    1,
                    # No survey chosen: the deployment keeps the survey it has.
                    self.survey.pk if self.survey else None,
                    key,
                    _str(r["locationID"]),
                    _str(r["locationName"]),
                    r["latitude"],
                    r["longitude"],
                    r["coordinateUncertainty"],
                    r["deploymentStart"],
                    r["deploymentEnd"],
                    _str(r["setupBy"]),
                    _str(r["cameraID"]),
                    _str(r["cameraModel"]),
                    r["cameraDelay"],
                    r["cameraHeight"],
                    r["cameraDepth"],
                    r["cameraTilt"],
                    r["cameraHeading"],
                    r["detectionDistance"],
                    r["timestampIssues"],
                    r["baitUse"],
                    feature or None,
                    _str(r["habitat"]),
                    _str(r["deploymentGroups"]),
                    _str(r["deploymentTags"]),
                    _str(r["deploymentComments"]),
                    area.pk if area else None,
                    False,  # written with the anchors in finish()
                    0,
                    self.run.pk,
                    # The offset as written: the export gives the times back in it.
                    utc_offset_minutes(r["deploymentStart"]),
                )
            )
        self.refuse_outside_region()
        # Another agency's deployments (a re-imported export): left out with their media and observations.
        foreign = self.foreign_keys(Deployment, "deployment_id", list(seen))
        self.foreign_deployments = set(foreign)
        if foreign:
            self.refuse_foreign("deployments", foreign, _("deployments"))
            kept = [(row, n) for row, n in zip(rows, numbers, strict=True) if row[8] not in foreign]
            rows, numbers = [r for r, _n in kept], [n for _r, n in kept]
        self.deployment_keys = seen - self.foreign_deployments
        if not self.failed:
            upserter.write(self.classify(Deployment, columns, "deployment_id", rows, "deployments", numbers))
        self.deployment_pks = dict(
            Deployment.objects.filter(owner_agency=self.agency, deployment_id__in=self.deployment_keys).values_list(
                "deployment_id", "pk"
            )
        )
        self.run.deployments = len(rows)
        self.advance(len(seen))

    def import_media(self):
        columns = MEDIA_COLUMNS
        upserter = Upserter(Media, columns, "media_id")
        total = 0
        self.foreign_media = {}
        self.skipped_media = set()  # media of another agency's deployments (or their own IDs)
        batch, numbers, batch_keys = [], [], set()
        for number, r in self.rows("media"):
            if r["deploymentID"] in self.foreign_deployments:
                self.skipped_media.add(r["mediaID"])
                self.report.add("media", "refused")
                continue
            if r["deploymentID"] not in self.deployment_keys:
                if r["deploymentID"] in self.failed_keys.get("deployments", ()):
                    continue
                self.error(
                    "media",
                    number,
                    "deploymentID",
                    _("No deployment “%(value)s” in the package.") % {"value": r["deploymentID"]},
                )
                continue
            deployment = self.deployment_pks.get(r["deploymentID"])
            if r["mediaID"] in batch_keys:
                self.error("media", number, "mediaID", _("Duplicate value “%(value)s”.") % {"value": r["mediaID"]})
                continue
            batch_keys.add(r["mediaID"])
            total += 1
            if self.failed:
                continue  # keep validating, stop writing
            numbers.append(number)
            batch.append(
                (
                    _time_ordered_uuid(),
                    self.agency.pk,
                    self.sensitivity,
                    getattr(self.user, "pk", None),
                    self.now,
                    self.now,
                    1,
                    deployment,
                    r["mediaID"],
                    _str(r["captureMethod"]),
                    r["timestamp"],
                    r["filePath"],
                    r["filePublic"],
                    _str(r["fileName"]),
                    r["fileMediatype"],
                    _json_text(r["exifData"]),
                    r["favorite"],
                    _str(r["mediaComments"]),
                    "",  # the stored file (none in a package): an upload already attached stays
                    self.run.pk,
                    utc_offset_minutes(r["timestamp"]),
                )
            )
            if len(batch) >= self.batch_size:
                total -= self.flush_media(upserter, columns, batch, numbers)
                batch, numbers, batch_keys = [], [], set()
        if not self.failed:
            total -= self.flush_media(upserter, columns, batch, numbers)
        if self.foreign_media:
            self.refuse_foreign("media", self.foreign_media, _("media"))
        self.run.media = total

    def flush_media(self, upserter, columns, batch, numbers):
        """Write one batch; returns how many rows were left out as another agency's media."""
        foreign = self.foreign_keys(Media, "media_id", [row[8] for row in batch])
        if foreign:
            self.foreign_media.update(foreign)
            self.skipped_media.update(foreign)
            kept = [(row, n) for row, n in zip(batch, numbers, strict=True) if row[8] not in foreign]
            batch, numbers = [r for r, _n in kept], [n for _r, n in kept]
        if not self.failed:
            upserter.write(self.classify(Media, columns, "media_id", batch, "media", numbers))
        self.advance(len(batch) + len(foreign))
        return len(foreign)

    def import_observations(self):
        columns = OBSERVATION_COLUMNS
        upserter = Upserter(Observation, columns, "observation_id")
        self.individuals = {}
        self.touched_individuals = set()
        total = 0
        pending = []  # (row tuple with media key in place of media pk)
        batch_keys = set()
        crosswalked = ("observationType", "lifeStage", "sex", "scientificName")
        self.foreign_observations = {}
        self.unlinked_ids = {}  # individualID -> why it was not linked to the catalogue
        for number, r in self.rows("observations", crosswalked=crosswalked):
            if r["deploymentID"] in self.foreign_deployments or (r["mediaID"] and r["mediaID"] in self.skipped_media):
                self.report.add("observations", "refused")
                continue
            deployment = self.deployment_pks.get(r["deploymentID"])
            if r["deploymentID"] not in self.deployment_keys:
                if r["deploymentID"] in self.failed_keys.get("deployments", ()):
                    continue
                self.error(
                    "observations",
                    number,
                    "deploymentID",
                    _("No deployment “%(value)s” in the package.") % {"value": r["deploymentID"]},
                )
                continue
            if r["observationID"] in batch_keys:
                self.error(
                    "observations",
                    number,
                    "observationID",
                    _("Duplicate value “%(value)s”.") % {"value": r["observationID"]},
                )
                continue
            if r["eventEnd"] < r["eventStart"]:
                self.error("observations", number, "eventEnd", _("The event ends before it starts."))
                continue
            batch_keys.add(r["observationID"])
            observation_type = self.mapped(
                "observations", number, "observationType", Vocabulary.OBSERVATION_TYPE, r["observationType"]
            )
            life_stage = self.mapped("observations", number, "lifeStage", Vocabulary.LIFE_STAGE, r["lifeStage"])
            sex = self.mapped("observations", number, "sex", Vocabulary.SEX, r["sex"])
            species, name = self.species_for(r["scientificName"])
            total += 1
            if self.failed or self.unknown_species:
                continue  # keep validating, stop writing
            local_id = _str(r["individualID"])
            # Resolved after the batch's other-agency rows are left out (flush_observations).
            wanted = (local_id, species, sex, r["eventStart"]) if local_id and species in self.target_species else None
            pending.append(
                (
                    number,
                    r["mediaID"],
                    wanted,
                    (
                        _time_ordered_uuid(),
                        self.agency.pk,
                        self.sensitivity,
                        getattr(self.user, "pk", None),
                        self.now,
                        self.now,
                        1,
                        deployment,
                        None,
                        r["observationID"],
                        _str(r["eventID"]),
                        r["eventStart"],
                        r["eventEnd"],
                        r["observationLevel"],
                        observation_type,
                        _str(r["cameraSetupType"]),
                        _str(name),
                        species,
                        r["count"],
                        _str(life_stage),
                        _str(sex),
                        _str(r["behavior"]),
                        local_id,
                        None,
                        r["individualPositionRadius"],
                        r["individualPositionAngle"],
                        r["individualSpeed"],
                        r["bboxX"],
                        r["bboxY"],
                        r["bboxWidth"],
                        r["bboxHeight"],
                        _str(r["classificationMethod"]),
                        _str(r["classifiedBy"]),
                        r["classificationTimestamp"],
                        r["classificationProbability"],
                        _str(r["observationTags"]),
                        _str(r["observationComments"]),
                        self.run.pk,
                        utc_offset_minutes(r["eventStart"]),
                    ),
                )
            )
            if len(pending) >= self.batch_size:
                total -= self.flush_observations(upserter, columns, pending)
                pending, batch_keys = [], set()
        self.refuse_unknown_species()
        if not self.failed:
            total -= self.flush_observations(upserter, columns, pending)
        if self.foreign_observations:
            self.refuse_foreign("observations", self.foreign_observations, _("observations"))
        media_left = self.report.counts["media"]["refused"] - len(self.foreign_media)
        observations_left = self.report.counts["observations"]["refused"] - len(self.foreign_observations)
        if self.foreign_deployments and (media_left or observations_left):
            self.notice(
                "observations",
                _("%(m)s media and %(o)s observations of those deployments were left out with them.")
                % {"m": media_left, "o": observations_left},
                kind="other_agency",
            )
        for local_id, why in sorted(self.unlinked_ids.items()):
            self.notice("observations", why, field="individualID", kind="individual_not_linked", individual=local_id)
        self.run.observations = total

    def flush_observations(self, upserter, columns, pending):
        """Write one batch; returns how many rows were left out as another agency's observations."""
        foreign = self.foreign_keys(Observation, "observation_id", [row[9] for _n, _k, _w, row in pending])
        if foreign:
            self.foreign_observations.update(foreign)
            pending = [item for item in pending if item[3][9] not in foreign]
        media_keys = {key for _n, key, _w, _row in pending if key}
        media_pks = (
            dict(Media.objects.filter(owner_agency=self.agency, media_id__in=media_keys).values_list("media_id", "pk"))
            if media_keys
            else {}
        )
        rows, numbers = [], []
        for number, key, wanted, row in pending:
            if key:
                pk = media_pks.get(key)
                if pk is None and key in self.failed_keys.get("media", ()):
                    continue
                if pk is None:
                    self.error(
                        "observations", number, "mediaID", _("No media “%(value)s” in the package.") % {"value": key}
                    )
                    continue
                row = (*row[:8], pk, *row[9:])
            if wanted is not None:
                row = (*row[:23], self.individual(*wanted), *row[24:])
            rows.append(row)
            numbers.append(number)
        if not self.failed:
            upserter.write(self.classify(Observation, columns, "observation_id", rows, "observations", numbers))
        self.advance(len(pending) + len(foreign))
        return len(foreign)

    def finish(self):
        refresh_location_categories(self.deployment_pks.values())
        # Anchors of the owner's twins, then protected areas and covers-cell flags.
        refresh_deployment_locations(self.deployment_pks.values())
        # A detection earlier than the recorded first detection moves it back.
        refresh_first_detected(self.touched_individuals)

    def check(self):
        """Everything that refuses a package before a row is parsed: version, resources, sizes, encoding.

        Other descriptor errors refuse the package too, but only after the rows were checked, so
        that every error is reported in one round.
        """
        self.check_descriptor()
        if self.fatal:
            raise PackageInvalid(self.errors)
        self.summary = self.source.inspect({name: r["path"] for name, r in self.resources.items()})
        return self.summary

    def run_import(self, source_name=None):
        started = time.monotonic()
        self.check()
        with transaction.atomic():
            self.run = ImportRun.objects.create(
                owner_agency=self.agency,
                sensitivity=Sensitivity.OWNER,
                created_by=self.user,
                package_name=str(self.descriptor.get("name") or "")[:255],
                package_id=str(self.descriptor.get("id") or "")[:255],
                source=str(source_name or getattr(self.source.path, "name", self.source.path))[:500],
                survey=self.survey,
                # What the package said about itself (licences, contributors, citation, taxonomic
                # ids, project design…), for a 0.1.6 package as upgraded: the export states it.
                metadata={k: v for k, v in self.descriptor.items() if k != "resources"},
            )
            self.prepare_species()
            for step in (self.import_deployments, self.import_media, self.import_observations):
                step()  # a failed step stops the writing, not the checking
            if self.failed:
                transaction.set_rollback(True)
                raise PackageInvalid(self.errors)
            self.finish()
            self.run.seconds = round(time.monotonic() - started, 3)
            self.run.report = self.report.as_dict()  # what the import did, kept with the run
            self.run.save()
            self.report.run = self.run
            if self.dry_run:
                # Everything was done as for real (IDs, duplicates, individuals); none of it stays.
                transaction.set_rollback(True)
        # The report object itself (run.report holds its stored dict).
        self.run.import_report = self.report
        return self.run


def import_package(
    path,
    agency,
    principal=None,
    survey=None,
    sensitivity=Sensitivity.PARTNERS,
    batch_size=BATCH_SIZE,
    source_name=None,
    dry_run=False,
    confirm_outside_region=False,
    progress=None,
):
    """Import a Camtrap DP package (zip path, file object or folder). Returns the ImportRun.

    The run's `import_report` (an ImportReport) says what was created, updated, left unchanged and
    refused. With dry_run nothing stays: the run returned was rolled back, its report is the
    preview. Raises PackageInvalid with every error found (up to 50) and changes nothing when
    refused; a package over the limits (PORTAL_MAX_IMPORT_MB, PORTAL_MAX_IMPORT_ROWS) is refused
    before anything is read into the database. Points outside PORTAL_REGION_BBOX are refused
    unless confirm_outside_region.
    """
    source = PackageSource(path)
    importer = None
    try:
        with acting_as(principal):
            importer = Importer(
                source,
                agency,
                principal,
                survey,
                sensitivity,
                batch_size,
                dry_run=dry_run,
                confirm_outside_region=confirm_outside_region,
                progress=progress,
            )
            return importer.run_import(source_name)
    except PackageInvalid:
        if importer is not None and getattr(importer, "unknown_species", None) and not dry_run:
            ask_secretariat_about(agency, importer.unknown_species)  # unknown taxa go to review
        raise
    finally:
        source.close()


def preview_package(path, agency, principal=None, survey=None, confirm_outside_region=False, **kwargs):
    """A dry run: the ImportReport of what importing the package would do. Nothing is written."""
    options = {"principal": principal, "survey": survey, "confirm_outside_region": confirm_outside_region}
    return import_package(path, agency, dry_run=True, **options, **kwargs).import_report
