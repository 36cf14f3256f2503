"""Camtrap DP 1.0.2 export of what a principal may see, generalized for that principal.

The rule is monitoring.services.locations (issue 9): another agency's deployment is given at the
centre of its location's cell on the one withheld grid, whatever was recorded there, without its
location name, habitat, tags, groups or comments and with a pseudonymous locationID; its media
without file names, EXIF or comments (filePath is the portal's own download link); its
observations without free text. The package's coordinatePrecision says so. The public sees no
camera point, so its package holds no deployment. Rows are streamed into the zip.
"""

import csv
import datetime
import io
import json
import uuid
import zipfile

from django.db.models import Q
from django.utils import timezone

from core.models import Agency, Species
from core.personal_data import hidden_personal_fields

from ..models import Deployment, Media, Observation
from ..services.locations import (
    deployment_view,
    filter_by_area,
    is_precise,
    media_fields,
    observation_fields,
    precise_owner_ids,
)
from ..vocabularies import CAMTRAP_FEATURE_TYPES
from .schema import PROFILE_URL, TABLES, table_schema, table_schema_url

CHUNK = 2000


def _fmt_dt(value):
    if value is None:
        return ""
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _fmt(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def filtered_querysets(
    principal, agency=None, survey=None, start=None, end=None, species=None, area=None, points_required=True
):
    """(deployments, media, observations) visible to `principal` that match the filters.

    `points_required`: only deployments whose point the viewer may see (Camtrap DP needs one); the
    Darwin Core export gives the public occurrences without coordinates instead.
    """
    deployments = Deployment.objects.visible_to(principal)
    observations = Observation.objects.visible_to(principal)
    media = Media.objects.visible_to(principal)
    if agency is not None:
        deployments = deployments.filter(owner_agency=agency)
    if survey is not None:
        deployments = deployments.filter(survey=survey)
    if area is not None:
        # As the viewer may know the area: never finer than the cell (services.locations).
        deployments = filter_by_area(deployments, principal, area)
    if start is not None:
        deployments = deployments.filter(end__date__gte=start)
        observations = observations.filter(event_start__date__gte=start)
        media = media.filter(timestamp__date__gte=start)
    if end is not None:
        deployments = deployments.filter(start__date__lte=end)
        observations = observations.filter(event_start__date__lte=end)
        media = media.filter(timestamp__date__lte=end)
    if species is not None:
        observations = observations.filter(species=species)
        deployments = deployments.filter(pk__in=observations.values("deployment_id"))
    if points_required and not principal.is_authenticated:
        deployments = deployments.none()  # the public sees no camera-trap point at all
    observations = observations.filter(deployment__in=deployments)
    if species is not None:
        media = media.filter(pk__in=observations.exclude(media=None).values("media_id"))
    else:
        media = media.filter(
            Q(deployment__in=deployments) | Q(pk__in=observations.exclude(media=None).values("media_id"))
        )
    # An observation may only point at media that are exported.
    observations = observations.filter(Q(media=None) | Q(media__in=media))
    return deployments, media, observations


def _writer(archive, name):
    raw = archive.open(name, "w", force_zip64=True)
    text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
    return text, csv.writer(text, lineterminator="\n")


def export_package(principal, target, *, title=None, **filters):
    """Write a Camtrap DP zip to `target` (path or binary file). Returns a summary dict."""
    deployments, media, observations = filtered_querysets(principal, **filters)
    owners = precise_owner_ids(principal)
    counts = {"deployments": 0, "media": 0, "observations": 0}
    grids = set()
    lats, lons, starts, ends = [], [], [], []
    owner_ids, species_ids, capture_methods, levels = set(), set(), set(), set()
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        # deployments
        text, out = _writer(archive, "deployments.csv")
        out.writerow([f["name"] for f in table_schema("deployments")["fields"]])
        for d in deployments.order_by("deployment_id", "pk").iterator(chunk_size=CHUNK):
            view = deployment_view(principal, d, owners)
            point = view.point
            if point is None:
                continue
            if point.generalized:
                grids.add(point.grid_degrees)
            if point.generalized:
                # The spatial extent of a generalized point is its cell, not a point finer than it.
                half = point.grid_degrees / 2
                lats += [round(point.latitude - half, 6), round(point.latitude + half, 6)]
                lons += [round(point.longitude - half, 6), round(point.longitude + half, 6)]
            else:
                lats.append(point.latitude)
                lons.append(point.longitude)
            starts.append(d.start)
            ends.append(d.end)
            owner_ids.add(d.owner_agency_id)
            out.writerow(
                [
                    d.deployment_id,
                    view.location_id,
                    view.location_name,
                    _fmt(round(point.latitude, 6)),
                    _fmt(round(point.longitude, 6)),
                    _fmt(point.uncertainty_m),
                    _fmt_dt(d.start),
                    _fmt_dt(d.end),
                    "" if "setup_by" in hidden_personal_fields(d, principal) else d.setup_by,
                    d.camera_id,
                    d.camera_model,
                    _fmt(d.camera_delay),
                    _fmt(d.camera_height),
                    _fmt(d.camera_depth),
                    _fmt(d.camera_tilt),
                    _fmt(d.camera_heading),
                    _fmt(d.detection_distance),
                    _fmt(d.timestamp_issues),
                    _fmt(d.bait_use),
                    d.feature_type_id if d.feature_type_id in CAMTRAP_FEATURE_TYPES else "",
                    view.habitat,
                    view.deployment_groups,
                    view.deployment_tags,
                    view.deployment_comments,
                ]
            )
            counts["deployments"] += 1
        text.close()
        # media
        text, out = _writer(archive, "media.csv")
        out.writerow([f["name"] for f in table_schema("media")["fields"]])
        rows = media.order_by("timestamp", "media_id").values_list(
            "media_id",
            "deployment__deployment_id",
            "capture_method",
            "timestamp",
            "file_path",
            "file_public",
            "file_name",
            "file_mediatype",
            "exif_data",
            "favorite",
            "media_comments",
            "pk",
            "deployment__owner_agency_id",
        )
        for m in rows.iterator(chunk_size=CHUNK):
            capture_methods.add(m[2] or "activityDetection")
            if not is_precise(owners, m[12]):
                shown = media_fields(
                    False, {"file_path": m[4], "file_name": m[6], "exif_data": m[8], "media_comments": m[10]}, m[11]
                )
                m = (*m[:4], shown["file_path"], m[5], shown["file_name"], m[7], shown["exif_data"], m[9])
                m = (*m, shown["media_comments"])
            out.writerow(
                [
                    m[0],
                    m[1],
                    m[2],
                    _fmt_dt(m[3]),
                    m[4],
                    _fmt(m[5]),
                    m[6],
                    m[7],
                    "" if m[8] is None else (m[8] if isinstance(m[8], str) else json.dumps(m[8], ensure_ascii=False)),
                    _fmt(m[9]),
                    m[10],
                ]
            )
            counts["media"] += 1
        text.close()
        # observations
        text, out = _writer(archive, "observations.csv")
        out.writerow([f["name"] for f in table_schema("observations")["fields"]])
        rows = observations.order_by("event_start", "observation_id").values_list(
            "observation_id",
            "deployment__deployment_id",
            "media__media_id",
            "event_id",
            "event_start",
            "event_end",
            "observation_level",
            "observation_type",
            "camera_setup_type",
            "scientific_name",
            "count",
            "life_stage",
            "sex",
            "behavior",
            "individual_local_id",
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
            "species_id",
            "deployment__owner_agency_id",
        )
        for o in rows.iterator(chunk_size=CHUNK):
            levels.add(o[6])
            if not is_precise(owners, o[29]):
                # free text may name the place: behavior, tags, comments
                shown = observation_fields(
                    False, {"behavior": o[13], "observation_tags": o[26], "observation_comments": o[27]}
                )
                o = (
                    *o[:13],
                    shown["behavior"],
                    *o[14:26],
                    shown["observation_tags"],
                    shown["observation_comments"],
                    *o[28:],
                )
            if o[28]:
                species_ids.add(o[28])
            values = [_fmt(v) for v in o[:28]]
            values[4], values[5], values[24] = _fmt_dt(o[4]), _fmt_dt(o[5]), _fmt_dt(o[24])
            out.writerow(values)
            counts["observations"] += 1
        text.close()
        descriptor = _descriptor(
            principal, title, counts, grids, lats, lons, starts, ends, owner_ids, species_ids, capture_methods, levels
        )
        archive.writestr("datapackage.json", json.dumps(descriptor, ensure_ascii=False, indent=2))
    return {**counts, "coordinate_precision": descriptor.get("coordinatePrecision")}


def _descriptor(
    principal, title, counts, grids, lats, lons, starts, ends, owner_ids, species_ids, capture_methods, levels
):
    today = timezone.now()
    agencies = list(Agency.objects.filter(pk__in=owner_ids).order_by("code"))
    contributors = [{"title": a.name_en or a.code, "role": "rightsHolder"} for a in agencies]
    publisher = principal.agency
    contributors.append(
        {"title": publisher.name_en if publisher else "Tumen tiger and leopard cooperation portal", "role": "publisher"}
    )
    species = Species.objects.filter(pk__in=species_ids).order_by("scientific_name")
    taxonomic = []
    for s in species:
        vernacular = {
            k: v for k, v in (("eng", s.common_name_en), ("zho", s.common_name_zh_hans), ("rus", s.common_name_ru)) if v
        }
        taxonomic.append(
            {"scientificName": s.scientific_name, "taxonRank": s.taxon_rank or "species", "vernacularNames": vernacular}
        )
    if lats:
        west, east, south, north = min(lons), max(lons), min(lats), max(lats)
        if west == east:
            east += 0.000001
        if south == north:
            north += 0.000001
        spatial = {
            "type": "Polygon",
            "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]],
        }
    else:
        spatial = {
            "type": "Polygon",
            "coordinates": [[[0, 0], [0.000001, 0], [0.000001, 0.000001], [0, 0.000001], [0, 0]]],
        }
    start = min(starts).date().isoformat() if starts else today.date().isoformat()
    end = max(ends).date().isoformat() if ends else today.date().isoformat()
    description = "Camera-trap data shared through the Tumen tiger and leopard cooperation portal."
    if grids:
        description += (
            " Deployments of agencies that did not grant the recipient precise locations are generalized "
            f"(Chapman 2020) to the centre of their location's {max(grids)}° grid cell, whatever was recorded there,"
            " without location names, habitat, tags, comments, file names, EXIF or free text;"
            " their locationIDs are pseudonyms."
        )
    descriptor = {
        "resources": [
            {
                "name": table,
                "path": f"{table}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": table_schema_url(table),
            }
            for table in TABLES
        ],
        "profile": PROFILE_URL,
        "name": "tumen-camera-trap-data",
        "id": str(uuid.uuid4()),
        "created": today.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "title": title or "Tumen tiger and leopard camera-trap data",
        "description": description,
        "contributors": contributors,
        "project": {
            "title": "Lower Tumen transboundary tiger and leopard monitoring",
            "samplingDesign": "targeted",
            "captureMethod": sorted(capture_methods) or ["activityDetection"],
            "individualAnimals": True,
            "observationLevel": sorted(levels) or ["event"],
        },
        "spatial": spatial,
        "temporal": {"start": start, "end": end},
        "taxonomic": taxonomic,
    }
    if grids:
        descriptor["coordinatePrecision"] = max(grids)
    return descriptor
