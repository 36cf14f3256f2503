"""Camtrap DP 1.0.2 import: validated, all or nothing, streamed.

The CSVs are read row by row with the csv module and written in batches with one
INSERT … ON CONFLICT (owner agency, natural key) DO UPDATE per batch, so re-importing a package
updates its rows and a million observations import in bounded memory. Nothing is kept per row
beyond the current batch: media are resolved to primary keys per batch, and duplicates across
batches are found by counting the rows stamped with this import.
"""

import csv
import datetime
import io
import json
import os
import time
import uuid
import zipfile
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import acting_as
from core.models import Sensitivity, Species
from reserves.models import ProtectedArea

from ..models import Deployment, ImportRun, Individual, Media, Observation, Vocabulary
from ..services import CodeMapper, individual_for_alias, refresh_location_categories
from .schema import FieldError, compile_fields, resolve_table_schema, validate_descriptor

MAX_ERRORS = 50
BATCH_SIZE = 5000


class PackageInvalid(Exception):
    """The package was refused; `errors` name resource, row and field. Nothing was changed."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__("; ".join(format_error(e) for e in errors[:5]))


def format_error(error):
    parts = [error.get("resource") or "datapackage.json"]
    if error.get("row"):
        parts.append(_("row %(row)s") % {"row": error["row"]})
    if error.get("field"):
        parts.append(_("field %(field)s") % {"field": error["field"]})
    return f"{', '.join(parts)}: {error['message']}"


# --- reading a package (zip or folder) --------------------------------------------------------


class PackageSource:
    def __init__(self, path):
        self.path = path
        self.zip = None
        if isinstance(path, (str, Path)) and Path(path).is_dir():
            self.root = Path(path)
            if not (self.root / "datapackage.json").is_file():
                raise PackageInvalid([{"message": _("There is no datapackage.json in the folder.")}])
            return
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError):
            raise PackageInvalid([{"message": _("The file is neither a zip archive nor a folder.")}])
        names = [n for n in self.zip.namelist() if PurePosixPath(n).name == "datapackage.json"]
        if not names:
            raise PackageInvalid([{"message": _("There is no datapackage.json in the zip archive.")}])
        self.prefix = str(PurePosixPath(min(names, key=len)).parent)
        self.prefix = "" if self.prefix == "." else self.prefix + "/"

    def descriptor(self):
        try:
            with self.open("datapackage.json") as handle:
                return json.load(handle)
        except ValueError as exc:
            raise PackageInvalid([{"message": _("datapackage.json is not valid JSON: %(error)s") % {"error": exc}}])

    @contextmanager
    def open(self, relative):
        relative = str(relative)
        if relative.startswith(("/", "http://", "https://")) or ".." in PurePosixPath(relative).parts:
            raise PackageInvalid(
                [
                    {
                        "message": _("Resource path “%(path)s” must be a relative path inside the package.")
                        % {"path": relative}
                    }
                ]
            )
        if self.zip is not None:
            try:
                raw = self.zip.open(self.prefix + relative)
            except KeyError:
                raise PackageInvalid([{"resource": relative, "message": _("The file is missing from the package.")}])
            with raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as handle:
                yield handle
        else:
            target = self.root / relative
            if not target.is_file():
                raise PackageInvalid([{"resource": relative, "message": _("The file is missing from the package.")}])
            with open(target, encoding="utf-8-sig", newline="") as handle:
                yield handle

    def close(self):
        if self.zip is not None:
            self.zip.close()


# --- writing ------------------------------------------------------------------------------------


class Upserter:
    """INSERT … ON CONFLICT (owner_agency_id, <natural key>) DO UPDATE for one model."""

    KEEP = {"id", "created_at", "created_by_id", "owner_agency_id", "revision"}

    def __init__(self, model, columns, natural_key):
        self.model = model
        self.columns = columns
        self.vendor = connection.vendor
        table = connection.ops.quote_name(model._meta.db_table)
        quoted = [connection.ops.quote_name(c) for c in columns]
        updates = [
            f"{q} = EXCLUDED.{q}"
            for c, q in zip(columns, quoted, strict=True)
            if c not in self.KEEP and c != natural_key
        ]
        updates.append(f"revision = {table}.revision + 1")
        self.sql = (
            f"INSERT INTO {table} ({', '.join(quoted)}) VALUES %s "
            f"ON CONFLICT (owner_agency_id, {connection.ops.quote_name(natural_key)}) DO UPDATE SET {', '.join(updates)}"
        )
        fields = {f.column: f for f in model._meta.concrete_fields}
        self.copy_formatters = [_COPY_FORMATTERS.get(fields[c].get_internal_type(), _copy_text) for c in columns]
        # SQLite needs Django's own adaptation (UUID hex, naive UTC datetimes, JSON text).
        self.adapters = [
            (i, fields[c])
            for i, c in enumerate(columns)
            if fields[c].get_internal_type() in {"UUIDField", "DateTimeField", "JSONField", "ForeignKey"}
        ]

    def write(self, rows):
        if not rows:
            return
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                self._write_copy(cursor.cursor, rows)
            else:
                placeholders = "(" + ", ".join(["%s"] * len(self.columns)) + ")"
                adapted = []
                for row in rows:
                    row = list(row)
                    for index, field in self.adapters:
                        value = row[index]
                        if value is None:
                            continue
                        if field.get_internal_type() == "ForeignKey":
                            row[index] = field.target_field.get_db_prep_save(value, connection)
                        elif field.get_internal_type() != "JSONField":  # JSON arrives as text already
                            row[index] = field.get_db_prep_save(value, connection)
                    adapted.append(row)
                cursor.executemany(self.sql.replace("VALUES %s", f"VALUES {placeholders}"), adapted)

    def _write_copy(self, raw, rows):
        """PostgreSQL: COPY the batch into a temporary staging table, then one INSERT … SELECT … ON CONFLICT."""
        table = self.model._meta.db_table
        staging = f"_import_{table}"
        if not getattr(self, "_staging_ready", False):
            raw.execute(f"CREATE TEMP TABLE IF NOT EXISTS {staging} (LIKE {table} INCLUDING DEFAULTS)")
            raw.execute(f"TRUNCATE {staging}")
            self._staging_ready = True
        buffer = io.StringIO()
        write = buffer.write
        formatters = self.copy_formatters
        for row in rows:
            write("\t".join([f(v) for f, v in zip(formatters, row, strict=True)]))
            write("\n")
        buffer.seek(0)
        columns = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        raw.copy_expert(f"COPY {staging} ({columns}) FROM STDIN", buffer)
        raw.execute(self.sql.replace("VALUES %s", f"SELECT {columns} FROM {staging}"))
        raw.execute(f"TRUNCATE {staging}")


def _copy_str(value):
    if value is None:
        return "\\N"
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


def _copy_plain(value):
    return "\\N" if value is None else str(value)


def _copy_datetime(value):
    return "\\N" if value is None else value.isoformat()


def _copy_text(value):
    """One value in PostgreSQL COPY text format."""
    if isinstance(value, str):
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
        return value
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return str(value)


_COPY_FORMATTERS = {
    "CharField": _copy_str,
    "TextField": _copy_str,
    "SlugField": _copy_str,
    "DateTimeField": _copy_datetime,
    "UUIDField": _copy_plain,
    "ForeignKey": _copy_text,
    "FloatField": _copy_plain,
    "IntegerField": _copy_plain,
    "PositiveIntegerField": _copy_plain,
    "PositiveSmallIntegerField": _copy_plain,
    "SmallIntegerField": _copy_plain,
}


def _time_ordered_uuid():
    """A UUIDv7-style id (48-bit millisecond time, then random bits).

    New rows land at the right edge of the primary-key index instead of at random pages,
    which keeps bulk inserts of a million rows fast.
    """
    value = (time.time_ns() // 1_000_000) << 80 | int.from_bytes(os.urandom(10), "big")
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant
    return uuid.UUID(int=value)


def _json_text(value):
    return None if value is None else json.dumps(value)


def _str(value):
    return "" if value is None else value


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
        """Species named in the package's taxonomic coverage become shared keys (created if new)."""
        self.species_ids = dict(Species.objects.values_list("scientific_name", "pk"))
        self.target_species = set(Species.objects.filter(is_target=True).values_list("pk", flat=True))
        self.species_by_pk = {}
        for taxon in self.descriptor.get("taxonomic", []) or []:
            name = taxon.get("scientificName")
            if not name or name in self.species_ids or name in self.mapper.crosswalk[Vocabulary.SPECIES]:
                continue
            vernacular = taxon.get("vernacularNames") or {}
            species = Species(
                scientific_name=name,
                taxon_rank=taxon.get("taxonRank") or "species",
                common_name_en=vernacular.get("eng") or name,
                common_name_zh_hans=vernacular.get("zho") or vernacular.get("chi") or "",
                common_name_ru=vernacular.get("rus") or "",
            )
            species.save()
            self.species_ids[name] = species.pk
        self.mapper.keys[Vocabulary.SPECIES] = set(self.species_ids)

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
            "location_category",
            "import_run_id",
        ]
        upserter = Upserter(Deployment, columns, "deployment_id")
        areas = list(ProtectedArea.objects.exclude(boundary=None).only("id", "boundary", "area_km2"))
        from reserves.services import area_containing

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
            area = area_containing(r["latitude"], r["longitude"], queryset=_Prefetched(areas))
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
            name = self.mapped("observations", number, "scientificName", Vocabulary.SPECIES, r["scientificName"])
            total += 1
            if self.failed:
                continue
            species = self.species_ids.get(name) if name else None
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
        # A detection earlier than the recorded first detection moves it back.
        for individual in Individual.objects.filter(pk__in=self.touched_individuals):
            first = (
                Observation.objects.filter(individual=individual)
                .order_by("event_start")
                .values_list("event_start", flat=True)
                .first()
            )
            if first and (individual.first_detected is None or first.date() < individual.first_detected):
                individual.first_detected = first.date()
                individual.save(update_fields=["first_detected", "updated_at", "revision"])

    def run_import(self):
        started = time.monotonic()
        self.check_descriptor()
        if self.failed:
            raise PackageInvalid(self.errors)
        with transaction.atomic():
            self.run = ImportRun.objects.create(
                owner_agency=self.agency,
                sensitivity=Sensitivity.OWNER,
                created_by=self.user,
                package_name=str(self.descriptor.get("name") or "")[:255],
                package_id=str(self.descriptor.get("id") or "")[:255],
                source=str(getattr(self.source.path, "name", self.source.path))[:500],
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


class _Prefetched(list):
    """Lets reserves.services.area_containing reuse areas loaded once per import."""

    def only(self, *fields):
        return self


def import_package(path, agency, principal=None, survey=None, sensitivity=Sensitivity.PARTNERS, batch_size=BATCH_SIZE):
    """Import a Camtrap DP package (zip path, file object or folder). Returns the ImportRun.

    Raises PackageInvalid with every error found (up to 50) and changes nothing when refused.
    """
    source = PackageSource(path)
    try:
        with acting_as(principal):
            return Importer(source, agency, principal, survey, sensitivity, batch_size).run_import()
    finally:
        source.close()
