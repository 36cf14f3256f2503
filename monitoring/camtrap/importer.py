"""Camtrap DP 1.0.2 import: validated, all or nothing, streamed.

The CSVs are read row by row with the csv module and written in batches with one
INSERT … ON CONFLICT (owner agency, natural key) DO UPDATE per batch, so re-importing a package
updates its rows and a million observations import in bounded memory. Nothing is kept per row
beyond the current batch: media are resolved to primary keys per batch, and duplicates across
batches are found by counting the rows stamped with this import.
"""

import csv
import time

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import acting_as
from core.models import Sensitivity, Species

from ..models import Deployment, ImportRun, Media, Observation, Vocabulary
from ..services import (
    AreaLocator,
    refresh_deployment_locations,
    CodeMapper,
    individual_for_alias,
    refresh_first_detected,
    refresh_location_categories,
)
from ..services.taxa import SpeciesMatcher, unknown_species_error
from . import package
from .package import PackageInvalid, PackageSource, PackageSummary, format_error
from .schema import FieldError, compile_fields, resolve_table_schema, validate_descriptor
from .upsert import Upserter, _json_text, _str, _time_ordered_uuid

MAX_ERRORS = 50
BATCH_SIZE = 5000

__all__ = ["Importer", "PackageInvalid", "PackageSummary", "format_error", "import_package"]


# --- the import ---------------------------------------------------------------------------------


class Importer:
    def __init__(
        self, source, agency, principal=None, survey=None, sensitivity=Sensitivity.PARTNERS, batch_size=BATCH_SIZE
    ):
        self.source = source
        self.agency = agency
        self.principal = principal
        self.survey = survey
        self.sensitivity = sensitivity
        self.batch_size = batch_size
        self.errors = []
        self.mapper = CodeMapper(agency)
        self.now = timezone.now()
        self.user = getattr(principal, "user", None) if principal else None

    # errors ------------------------------------------------------------------
    def error(self, resource, row, field, message):
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"resource": resource, "row": row, "field": field, "message": str(message)})

    @property
    def failed(self):
        return bool(self.errors)

    # reading -----------------------------------------------------------------
    def rows(self, resource_name, crosswalked=()):
        """Yield (row number, {field: typed value}) of a resource; errors are collected."""
        resource = self.resources[resource_name]
        fields, missing = compile_fields(resource_name, crosswalked)
        with self.source.open(resource["path"]) as handle:
            reader = csv.reader(handle)
            try:
                yield from self._rows(resource_name, reader, fields, missing)
            except (csv.Error, UnicodeDecodeError) as exc:  # a message, not a 500
                self.error(resource_name, reader.line_num or 1, None, package.csv_error_message(exc))

    def _rows(self, resource_name, reader, fields, missing):
        try:
            header = next(reader)
        except StopIteration:
            self.error(resource_name, None, None, _("The file is empty."))
            return
        positions = {name: i for i, name in enumerate(header)}
        for field in fields:
            if field.required and field.name not in positions:
                self.error(resource_name, 1, field.name, _("The required column is missing."))
        if self.failed:
            return
        plan = [(f, positions.get(f.name)) for f in fields]
        width = len(header)
        for number, raw in enumerate(reader, start=2):  # the header is row 1
            if not raw:
                continue
            if len(raw) != width:
                self.error(
                    resource_name,
                    number,
                    None,
                    _("The row has %(n)s cells, the header %(m)s.") % {"n": len(raw), "m": width},
                )
                continue
            if max(map(len, raw)) > package.MAX_CELL_CHARS:
                self.error(resource_name, number, None, package.cell_too_large_message())
                continue
            record = {}
            ok = True
            for field, position in plan:
                value = raw[position] if position is not None else ""
                if value in missing:
                    if field.required:
                        self.error(resource_name, number, field.name, _("A value is required."))
                        ok = False
                    record[field.name] = None
                    continue
                try:
                    record[field.name] = field.parse(value)
                except FieldError as exc:
                    self.error(resource_name, number, field.name, exc)
                    ok = False
            if ok:
                yield number, record

    def mapped(self, resource, number, field, vocabulary, value):
        try:
            return self.mapper.map(vocabulary, value)
        except ValueError as exc:
            self.error(resource, number, field, exc)
            return None

    # steps -------------------------------------------------------------------
    def check_descriptor(self):
        descriptor = self.source.descriptor()
        self.descriptor = descriptor
        for path, message in validate_descriptor(descriptor):
            self.error("datapackage.json", None, path, message)
        self.resources = {}
        for resource in descriptor.get("resources", []) if isinstance(descriptor, dict) else []:
            name = resource.get("name") if isinstance(resource, dict) else None
            if name in ("deployments", "media", "observations"):
                if resolve_table_schema(resource) is None:
                    self.error(
                        "datapackage.json",
                        None,
                        f"resources/{name}/schema",
                        _("Not a Camtrap DP 1.0 table schema URL: %(url)s") % {"url": resource.get("schema")},
                    )
                if not isinstance(resource.get("path"), str):
                    self.error(
                        "datapackage.json",
                        None,
                        f"resources/{name}/path",
                        _("Only one CSV file per resource is supported."),
                    )
                self.resources[name] = resource
        for name in ("deployments", "media", "observations"):
            if name not in self.resources:
                self.error(
                    "datapackage.json", None, "resources", _("The resource “%(name)s” is missing.") % {"name": name}
                )

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
        columns = [
            "id",
            "owner_agency_id",
            "sensitivity",
            "created_by_id",
            "created_at",
            "updated_at",
            "revision",
            "survey_id",
            "deployment_id",
            "location_id",
            "location_name",
            "latitude",
            "longitude",
            "coordinate_uncertainty",
            "start",
            "end",
            "setup_by",
            "camera_id",
            "camera_model",
            "camera_delay",
            "camera_height",
            "camera_depth",
            "camera_tilt",
            "camera_heading",
            "detection_distance",
            "timestamp_issues",
            "bait_use",
            "feature_type",
            "habitat",
            "deployment_groups",
            "deployment_tags",
            "deployment_comments",
            "protected_area_id",
            "protected_area_covers_cell",
            "location_category",
            "import_run_id",
        ]
        upserter = Upserter(Deployment, columns, "deployment_id")
        # The owner's and the secretariat's areas only, loaded once, not once per row.
        locate_area = AreaLocator(self.agency)

        rows, seen = [], set()
        for number, r in self.rows("deployments", crosswalked=("featureType",)):
            key = r["deploymentID"]
            if key in seen:
                self.error("deployments", number, "deploymentID", _("Duplicate value “%(value)s”.") % {"value": key})
                continue
            seen.add(key)
            if r["deploymentEnd"] < r["deploymentStart"]:
                self.error("deployments", number, "deploymentEnd", _("The deployment ends before it starts."))
            feature = self.mapped("deployments", number, "featureType", Vocabulary.FEATURE_TYPE, r["featureType"])
            area = locate_area(r["latitude"], r["longitude"])
            rows.append(
                (
                    _time_ordered_uuid(),
                    self.agency.pk,
                    self.sensitivity,
                    getattr(self.user, "pk", None),
                    self.now,
                    self.now,
                    1,
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
                )
            )
        if not self.failed:
            upserter.write(rows)
        self.deployment_pks = dict(
            Deployment.objects.filter(owner_agency=self.agency, deployment_id__in=seen).values_list(
                "deployment_id", "pk"
            )
        )
        self.run.deployments = len(rows)

    def import_media(self):
        columns = [
            "id",
            "owner_agency_id",
            "sensitivity",
            "created_by_id",
            "created_at",
            "updated_at",
            "revision",
            "deployment_id",
            "media_id",
            "capture_method",
            "timestamp",
            "file_path",
            "file_public",
            "file_name",
            "file_mediatype",
            "exif_data",
            "favorite",
            "media_comments",
            "file",
            "import_run_id",
        ]
        upserter = Upserter(Media, columns, "media_id")
        total = 0
        batch, batch_keys = [], set()
        for number, r in self.rows("media"):
            deployment = self.deployment_pks.get(r["deploymentID"])
            if deployment is None:
                self.error(
                    "media",
                    number,
                    "deploymentID",
                    _("No deployment “%(value)s” in the package.") % {"value": r["deploymentID"]},
                )
                continue
            if r["mediaID"] in batch_keys:
                self.error("media", number, "mediaID", _("Duplicate value “%(value)s”.") % {"value": r["mediaID"]})
                continue
            batch_keys.add(r["mediaID"])
            total += 1
            if self.failed:
                continue  # keep validating, stop writing
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
                    "",
                    self.run.pk,
                )
            )
            if len(batch) >= self.batch_size:
                upserter.write(batch)
                batch, batch_keys = [], set()
        if not self.failed:
            upserter.write(batch)
            self.check_duplicates(Media, "media", "mediaID", total)
        self.run.media = total

    def import_observations(self):
        columns = [
            "id",
            "owner_agency_id",
            "sensitivity",
            "created_by_id",
            "created_at",
            "updated_at",
            "revision",
            "deployment_id",
            "media_id",
            "observation_id",
            "event_id",
            "event_start",
            "event_end",
            "observation_level",
            "observation_type",
            "camera_setup_type",
            "scientific_name",
            "species_id",
            "count",
            "life_stage",
            "sex",
            "behavior",
            "individual_local_id",
            "individual_id",
            "individual_position_radius",
            "individual_position_angle",
            "individual_speed",
            "bbox_x",
            "bbox_y",
            "bbox_width",
            "bbox_height",
            "classification_method",
            "classified_by",
            "classification_timestamp",
            "classification_probability",
            "observation_tags",
            "observation_comments",
            "import_run_id",
        ]
        upserter = Upserter(Observation, columns, "observation_id")
        self.individuals = {}
        self.touched_individuals = set()
        total = 0
        pending = []  # (row tuple with media key in place of media pk)
        batch_keys = set()
        crosswalked = ("observationType", "lifeStage", "sex", "scientificName")
        for number, r in self.rows("observations", crosswalked=crosswalked):
            deployment = self.deployment_pks.get(r["deploymentID"])
            if deployment is None:
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
            individual = None
            local_id = _str(r["individualID"])
            if local_id and species in self.target_species:
                individual = self.individual(local_id, species, sex, r["eventStart"])
            pending.append(
                (
                    number,
                    r["mediaID"],
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
                        individual,
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
                    ),
                )
            )
            if len(pending) >= self.batch_size:
                self.flush_observations(upserter, pending)
                pending, batch_keys = [], set()
        self.refuse_unknown_species()
        if not self.failed:
            self.flush_observations(upserter, pending)
        if not self.failed:
            self.check_duplicates(Observation, "observations", "observationID", total)
        self.run.observations = total

    def flush_observations(self, upserter, pending):
        media_keys = {key for _n, key, _row in pending if key}
        media_pks = (
            dict(Media.objects.filter(owner_agency=self.agency, media_id__in=media_keys).values_list("media_id", "pk"))
            if media_keys
            else {}
        )
        rows = []
        for number, key, row in pending:
            if key:
                pk = media_pks.get(key)
                if pk is None:
                    self.error(
                        "observations", number, "mediaID", _("No media “%(value)s” in the package.") % {"value": key}
                    )
                    continue
                row = (*row[:8], pk, *row[9:])
            rows.append(row)
        if not self.failed:
            upserter.write(rows)

    def individual(self, local_id, species_pk, sex, seen_at):
        key = local_id
        if key not in self.individuals:
            species = Species.objects.get(pk=species_pk)
            individual = individual_for_alias(self.agency, local_id, species, sex=sex, first_detected=seen_at.date())
            self.individuals[key] = individual.pk
        self.touched_individuals.add(self.individuals[key])
        return self.individuals[key]

    def check_duplicates(self, model, resource, field, expected):
        """Rows with the same ID in different batches collapse into one: find and name them."""
        stored = model.objects.filter(import_run=self.run).count()
        if stored == expected:
            return
        seen = set()
        for number, r in self.rows(resource):
            if r[field] in seen:
                self.error(resource, number, field, _("Duplicate value “%(value)s”.") % {"value": r[field]})
            seen.add(r[field])

    def finish(self):
        refresh_location_categories(self.deployment_pks.values())
        # Anchors of the owner's twins, then protected areas and covers-cell flags.
        refresh_deployment_locations(self.deployment_pks.values())
        # A detection earlier than the recorded first detection moves it back.
        refresh_first_detected(self.touched_individuals)

    def check(self):
        """Everything that refuses a package before a row is parsed: descriptor, sizes, encoding."""
        self.check_descriptor()
        if self.failed:
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
            )
            self.prepare_species()
            for step in (self.import_deployments, self.import_media, self.import_observations):
                step()
                if self.failed:
                    break
            if self.failed:
                transaction.set_rollback(True)
                raise PackageInvalid(self.errors)
            self.finish()
            self.run.seconds = round(time.monotonic() - started, 3)
            self.run.save()
        return self.run


def import_package(
    path, agency, principal=None, survey=None, sensitivity=Sensitivity.PARTNERS, batch_size=BATCH_SIZE, source_name=None
):
    """Import a Camtrap DP package (zip path, file object or folder). Returns the ImportRun.

    Raises PackageInvalid with every error found (up to 50) and changes nothing when refused;
    a package over the limits (PORTAL_MAX_IMPORT_MB, PORTAL_MAX_IMPORT_ROWS) is refused before
    anything is read into the database.
    """
    source = PackageSource(path)
    try:
        with acting_as(principal):
            return Importer(source, agency, principal, survey, sensitivity, batch_size).run_import(source_name)
    finally:
        source.close()
