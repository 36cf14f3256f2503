"""Writing rows in batches: INSERT … ON CONFLICT (owner agency, natural key) DO UPDATE, or COPY."""

import datetime
import io
import json
import os
import time
import uuid

from django.db import connection

# --- the columns each table is written with (row tuples follow this order) -------------------

DEPLOYMENT_COLUMNS = [
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
    "utc_offset",
]

MEDIA_COLUMNS = [
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
    "utc_offset",
]

OBSERVATION_COLUMNS = [
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
    "utc_offset",
]


# --- writing ------------------------------------------------------------------------------------


class Upserter:
    """INSERT … ON CONFLICT (owner_agency_id, <natural key>) DO UPDATE for one model."""

    # Never overwritten by a re-import: identity, provenance, and the sensitivity the owner chose.
    KEEP = {"id", "created_at", "created_by_id", "owner_agency_id", "revision", "sensitivity"}

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


def utc_offset_minutes(value):
    """Minutes east of UTC of a datetime as written ("Z" -> 0); None for a zone-less one."""
    offset = value.utcoffset() if value is not None else None
    return None if offset is None else int(offset.total_seconds() // 60)


def _str(value):
    return "" if value is None else value
