"""Camtrap DP 1.0.2 export of what a principal may see, generalized for that principal.

The rule is monitoring.services.locations (issue 9): another agency's deployment is given at the
centre of its location's cell on the one withheld grid, whatever was recorded there, without its
location name, habitat, tags, groups or comments and with a pseudonymous locationID; its media
without file names, EXIF or comments (filePath is the portal's own download link); its
observations without free text. The package's coordinatePrecision says so. The public sees no
camera point, so its package holds no deployment. Rows are streamed into the zip.

What the source packages said is kept (issue 10): their licences, contributors, citation, sources,
related identifiers, keywords, project (sampling design as stated) and taxa (taxon IDs, every
vernacular name) from ImportRun.metadata, and each timestamp in the UTC offset it was written in
(utc_offset), with its fractional seconds. What the rows show is stated from the rows
(individualAnimals, captureMethod, observationLevel, extent, period). A source's free text may
name places: it is given only to those who see every exported point exactly.
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


def _has_field(model, name):
    return any(f.name == name for f in model._meta.concrete_fields)


def _fmt_dt(value, offset=None):
    """ISO 8601 in the offset the source wrote (minutes east of UTC; UTC when unknown), with
    fractional seconds only when the stored instant has them."""
    if value is None:
        return ""
    if offset:
        value = value.astimezone(datetime.timezone(datetime.timedelta(minutes=offset)))
    else:
        value = value.astimezone(datetime.UTC)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    if not offset:
        return f"{text}Z"
    sign = "+" if offset > 0 else "-"
    hours, minutes = divmod(abs(offset), 60)
    return f"{text}{sign}{hours:02d}:{minutes:02d}"


def _fmt(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


class _Extent:
    """The lowest and highest of the values added."""

    def __init__(self):
        self.low = self.high = None

    def add(self, *values):
        for value in values:
            self.low = value if self.low is None or value < self.low else self.low
            self.high = value if self.high is None or value > self.high else self.high

    def __bool__(self):
        return self.low is not None


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
    # Running extremes, not lists: memory stays flat however many rows are written.
    lats, lons, starts, ends = _Extent(), _Extent(), _Extent(), _Extent()
    owner_ids, species_ids, capture_methods, levels = set(), set(), set(), set()
    run_ids, survey_ids, names = set(), set(), set()
    individuals = False
    offsets = _has_field(Media, "utc_offset")
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
                lats.add(round(point.latitude - half, 6), round(point.latitude + half, 6))
                lons.add(round(point.longitude - half, 6), round(point.longitude + half, 6))
            else:
                lats.add(point.latitude)
                lons.add(point.longitude)
            starts.add(d.start)
            ends.add(d.end)
            owner_ids.add(d.owner_agency_id)
            run_ids.add(d.import_run_id)
            survey_ids.add(d.survey_id)
            offset = getattr(d, "utc_offset", None)
            out.writerow(
                [
                    d.deployment_id,
                    view.location_id,
                    view.location_name,
                    _fmt(round(point.latitude, 6)),
                    _fmt(round(point.longitude, 6)),
                    _fmt(point.uncertainty_m),
                    _fmt_dt(d.start, offset),
                    _fmt_dt(d.end, offset),
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
        extra = ("utc_offset", "deployment__utc_offset") if offsets else ()
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
            *extra,
        )
        for m in rows.iterator(chunk_size=CHUNK):
            offset = (m[13] if m[13] is not None else m[14]) if offsets else None
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
                    _fmt_dt(m[3], offset),
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
            *extra,
        )
        for o in rows.iterator(chunk_size=CHUNK):
            offset = (o[30] if o[30] is not None else o[31]) if offsets else None
            levels.add(o[6])
            if o[9]:
                names.add(o[9])
            if o[14]:
                individuals = True
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
            values[4], values[5] = _fmt_dt(o[4], offset), _fmt_dt(o[5], offset)
            values[24] = _fmt_dt(o[24], offset)
            out.writerow(values)
            counts["observations"] += 1
        text.close()
        descriptor = _descriptor(
            principal,
            title,
            grids,
            lats,
            lons,
            starts,
            ends,
            owner_ids,
            species_ids,
            capture_methods,
            levels,
            sources=_source_metadata(run_ids, survey_ids),
            names=names,
            individuals=individuals,
        )
        archive.writestr("datapackage.json", json.dumps(descriptor, ensure_ascii=False, indent=2))
    return {**counts, "coordinate_precision": descriptor.get("coordinatePrecision")}


# What a dataset with no source package is published under, unless the portal says otherwise:
# the most protective of the licences GBIF accepts.
DEFAULT_LICENSE = {"name": "CC-BY-NC-4.0", "path": "https://creativecommons.org/licenses/by-nc/4.0/"}
SAMPLING_DESIGNS = ("simpleRandom", "systematicRandom", "clusteredRandom", "experimental", "targeted", "opportunistic")


def data_license():
    """{name, path} of the licence of portal data without a source package (settings.PORTAL_DATA_LICENSE)."""
    from django.conf import settings

    configured = getattr(settings, "PORTAL_DATA_LICENSE", None)
    return dict(configured) if isinstance(configured, dict) else dict(DEFAULT_LICENSE)


def _source_metadata(run_ids, survey_ids):
    """What the imported packages behind the exported deployments said about themselves.

    {"packages": [metadata of each source package], "unsourced": True when some deployment has
    none (entered in the portal), "designs": [samplingDesign of the surveys]}.
    """
    from ..models import ImportRun, Survey

    packages = []
    if _has_field(ImportRun, "metadata"):
        found = {
            pk: meta
            for pk, meta in ImportRun.objects.filter(pk__in=[r for r in run_ids if r]).values_list("pk", "metadata")
        }
        packages = [found[pk] for pk in sorted(found) if isinstance(found[pk], dict) and found[pk]]
        unsourced = any(not (r and found.get(r)) for r in run_ids)
    else:
        unsourced = True
    designs = []
    if _has_field(Survey, "sampling_design"):
        designs = list(
            Survey.objects.filter(pk__in=[s for s in survey_ids if s])
            .exclude(sampling_design="")
            .values_list("sampling_design", flat=True)
        )
    return {"packages": packages, "unsourced": unsourced, "designs": designs}


def _union(lists):
    """Items of several lists in order, each once (by value)."""
    seen, out = set(), []
    for items in lists:
        for item in items or []:
            key = json.dumps(item, sort_keys=True, ensure_ascii=False)
            if key not in seen:
                seen.add(key)
                out.append(item)
    return out


def _listed(package, key):
    value = package.get(key)
    return value if isinstance(value, list) else []


def _most_common(values, default):
    values = [v for v in values if v]
    if not values:
        return default
    return max(sorted(set(values)), key=values.count)


def _taxonomic(packages, species_ids, names):
    """The source packages' taxa (taxonID, every vernacular name) for what is exported, and the
    portal's list for the rest."""
    source = {}
    for package in packages:
        for taxon in _listed(package, "taxonomic"):
            if isinstance(taxon, dict) and taxon.get("scientificName"):
                source.setdefault(" ".join(str(taxon["scientificName"]).split()).casefold(), taxon)
    out, done = [], set()
    for name in sorted(names):
        taxon = source.get(" ".join(name.split()).casefold())
        if taxon is not None:
            out.append(taxon)
            done.add(" ".join(str(taxon["scientificName"]).split()).casefold())
    for s in Species.objects.filter(pk__in=species_ids).order_by("scientific_name"):
        key = " ".join(s.scientific_name.split()).casefold()
        if key in done:
            continue
        done.add(key)
        taxon = dict(source.get(key) or {})
        taxon.setdefault("scientificName", s.scientific_name)
        if s.gbif_key and "taxonID" not in taxon:
            taxon["taxonID"] = f"https://www.gbif.org/species/{s.gbif_key}"
            taxon["taxonIDReference"] = "https://www.gbif.org/"
        taxon.setdefault("taxonRank", s.taxon_rank or "species")
        vernacular = dict(taxon.get("vernacularNames") or {})
        for code, value in (("eng", s.common_name_en), ("zho", s.common_name_zh_hans), ("rus", s.common_name_ru)):
            if value:
                vernacular.setdefault(code, value)
        if vernacular:
            taxon["vernacularNames"] = vernacular
        out.append(taxon)
    return out


def _as_stated(stated, found, default):
    """The values the rows hold, in the source's order when it listed the same ones."""
    if isinstance(stated, list) and set(stated) == set(found):
        return stated
    return sorted(found) or stated or [default]


def _descriptor(
    principal,
    title,
    grids,
    lats,
    lons,
    starts,
    ends,
    owner_ids,
    species_ids,
    capture_methods,
    levels,
    *,
    sources,
    names,
    individuals,
):
    """The datapackage.json: what the source packages said (licences, contributors, citation,
    sources, related identifiers, project, taxa, precision), and for what they do not cover, the
    portal's own statement. Extent and period are those of the exported rows."""
    today = timezone.now()
    packages = sources["packages"]
    single = packages[0] if len(packages) == 1 and not sources["unsourced"] else None
    contributors = _union(_listed(p, "contributors") for p in packages)
    if sources["unsourced"] or not contributors:
        agencies = list(Agency.objects.filter(pk__in=owner_ids).order_by("code"))
        contributors = _union(
            [contributors, [{"title": a.name_en or a.code, "role": "rightsHolder"} for a in agencies]]
        )
    if not any(c.get("role") == "publisher" for c in contributors if isinstance(c, dict)):
        publisher = principal.agency
        contributors.append(
            {
                "title": publisher.name_en if publisher else "Tumen tiger and leopard cooperation portal",
                "role": "publisher",
            }
        )
    licenses = _union(_listed(p, "licenses") for p in packages)
    # Camtrap DP wants the licence of the data and of the media files, each stated.
    for scope in ("data", "media"):
        if sources["unsourced"] or not any(isinstance(i, dict) and i.get("scope") == scope for i in licenses):
            licenses = _union([licenses, [{**data_license(), "scope": scope}]])
    if lats:
        west, east, south, north = lons.low, lons.high, lats.low, lats.high
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
    start = starts.low.date().isoformat() if starts else today.date().isoformat()
    end = ends.high.date().isoformat() if ends else today.date().isoformat()
    # A source's free text may name places: only for those who see every point exactly.
    if single is not None and single.get("description") and not grids:
        description = str(single["description"])
    else:
        description = "Camera-trap data shared through the Tumen tiger and leopard cooperation portal."
        titles = [str(p["title"]) for p in packages if p.get("title")]
        if titles:
            description += " Sources: " + "; ".join(titles) + "."
    if grids:
        description += (
            " Deployments of agencies that did not grant the recipient precise locations are generalized "
            f"(Chapman 2020) to the centre of their location's {max(grids)}° grid cell, whatever was recorded there,"
            " without location names, habitat, tags, comments, file names, EXIF or free text;"
            " their locationIDs are pseudonyms."
        )
    projects = [p["project"] for p in packages if isinstance(p.get("project"), dict)]
    project = dict(projects[0]) if len(projects) == 1 and single is not None else {}
    designs = [p.get("samplingDesign") for p in projects] + list(sources["designs"])
    design = _most_common([d for d in designs if d in SAMPLING_DESIGNS], "opportunistic")
    if grids:
        project.pop("description", None)
    project.setdefault("title", "Lower Tumen transboundary tiger and leopard monitoring")
    project["samplingDesign"] = project.get("samplingDesign") if project.get("samplingDesign") else design
    # What the exported rows hold, which is what these statements are about.
    project["captureMethod"] = _as_stated(project.get("captureMethod"), capture_methods, "activityDetection")
    project["individualAnimals"] = bool(individuals)
    project["observationLevel"] = _as_stated(project.get("observationLevel"), levels, "event")
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
        "name": str(single.get("name")) if single is not None and single.get("name") else "tumen-camera-trap-data",
        "id": str(single.get("id")) if single is not None and single.get("id") else str(uuid.uuid4()),
        "created": today.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "title": title
        or (str(single["title"]) if single is not None and single.get("title") else None)
        or "Tumen tiger and leopard camera-trap data",
        "description": description,
        "contributors": contributors,
        "licenses": licenses,
        "project": project,
        "spatial": spatial,
        "temporal": {"start": start, "end": end},
        "taxonomic": _taxonomic(packages, species_ids, names),
    }
    if single is not None:
        for key in ("version", "keywords", "homepage", "image", "bibliographicCitation", "references"):
            if single.get(key) not in (None, "", []):
                descriptor[key] = single[key]
    for key in ("sources", "relatedIdentifiers"):
        merged = _union(_listed(p, key) for p in packages)
        if merged:
            descriptor[key] = merged
    if single is None and packages:
        # Each source package is itself a source of this one.
        descriptor["sources"] = _union(
            [
                descriptor.get("sources", []),
                [{"title": str(p.get("title") or p.get("name") or p.get("id"))} for p in packages],
            ]
        )
    precisions = [p["coordinatePrecision"] for p in packages if isinstance(p.get("coordinatePrecision"), int | float)]
    precision = max(precisions) if precisions and (single is not None or not sources["unsourced"]) else None
    if grids:
        precision = max([*grids, *([precision] if precision is not None else [])])
    if precision is not None:
        descriptor["coordinatePrecision"] = precision
    return descriptor
