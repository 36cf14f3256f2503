"""Darwin Core Archive of camera-trap occurrences: occurrence.txt core, an Audubon Core media
extension (multimedia.txt), meta.xml and eml.xml (EML 2.1.1, GBIF metadata profile).

One occurrence per animal observation with a species (event level; media-level ones only where a
deployment has no event-level observations). Coordinates are the viewer's (monitoring.services.
locations, issue 9): another agency's points are at the centre of their location's cell on the
one withheld grid, whatever was recorded there, with a pseudonymous locationID and no free text;
dataGeneralizations and informationWithheld say so. The public gets no coordinates at all.
Media are listed by the portal's own download link to those who see them generalized (EXIF
stripped there), never by the stored path or file name.

Text files are tab-separated with every field that needs it enclosed in double quotes (a quote
inside doubled), as meta.xml declares: values with quotes, backslashes, tabs or line breaks read
back as they were. Rows are streamed into the zip; memory does not grow with the row count.
"""

import csv
import datetime
import io
import uuid
import zipfile
from xml.sax.saxutils import escape, quoteattr

from django.db import connection
from django.db.models import Exists, OuterRef
from django.utils import timezone

from core.access import withheld_grid_degrees
from core.geo import snap

from ..camtrap.exporter import _fmt_dt, _source_metadata, data_license, filtered_querysets
from ..models import Media, Observation
from ..services.locations import anchor_of, deployment_view, is_precise, precise_owner_ids
from .countries import country_code

DWC = "http://rs.tdwg.org/dwc/terms/"
DC = "http://purl.org/dc/terms/"
AC = "http://rs.tdwg.org/ac/terms/"
XMP = "http://ns.adobe.com/xap/1.0/"
TERMS = [
    ("occurrenceID", DWC),
    ("basisOfRecord", DWC),
    ("eventID", DWC),
    ("eventDate", DWC),
    ("scientificName", DWC),
    ("taxonRank", DWC),
    ("kingdom", DWC),
    ("vernacularName", DWC),
    ("individualCount", DWC),
    ("sex", DWC),
    ("lifeStage", DWC),
    ("behavior", DWC),
    ("organismID", DWC),
    ("occurrenceStatus", DWC),
    ("decimalLatitude", DWC),
    ("decimalLongitude", DWC),
    ("geodeticDatum", DWC),
    ("coordinateUncertaintyInMeters", DWC),
    ("coordinatePrecision", DWC),
    ("countryCode", DWC),
    ("locationID", DWC),
    ("samplingProtocol", DWC),
    ("institutionCode", DWC),
    ("identifiedBy", DWC),
    ("dataGeneralizations", DWC),
    ("informationWithheld", DWC),
    ("license", DC),
    ("modified", DC),
]
# Audubon Core, as GBIF's multimedia extension for it names the terms.
MEDIA_TERMS = [
    ("coreid", None),
    ("identifier", DC),
    ("type", DC),
    ("format", DC),
    ("accessURI", AC),
    ("CreateDate", XMP),
    ("rights", DC),
]
OCCURRENCE_ROW = "http://rs.tdwg.org/dwc/terms/Occurrence"
MEDIA_ROW = "http://rs.tdwg.org/ac/terms/Multimedia"
CHUNK = 2000
LICENSE_TITLES = {
    "CC0-1.0": "Public Domain (CC0 1.0)",
    "CC-BY-4.0": "Creative Commons Attribution (CC-BY) 4.0",
    "CC-BY-NC-4.0": "Creative Commons Attribution Non Commercial (CC-BY-NC) 4.0",
}
LICENSE_URLS = {
    "CC0-1.0": "http://creativecommons.org/publicdomain/zero/1.0/legalcode",
    "CC-BY-4.0": "http://creativecommons.org/licenses/by/4.0/legalcode",
    "CC-BY-NC-4.0": "http://creativecommons.org/licenses/by-nc/4.0/legalcode",
}


def _dt(value):
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else ""


def _event_date(observation, deployment):
    """ISO 8601 in the offset the camera's data were written in, fractions kept (as Camtrap DP)."""
    offset = observation.utc_offset if observation.utc_offset is not None else deployment.utc_offset
    start = _fmt_dt(observation.event_start, offset)
    if observation.event_end == observation.event_start:
        return start
    return f"{start}/{_fmt_dt(observation.event_end, offset)}"


def _writer(archive, name):
    raw = archive.open(name, "w", force_zip64=True)
    text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
    # Quote only where needed, a quote doubled: the dialect meta.xml declares (fieldsEnclosedBy).
    return text, csv.writer(text, delimiter="\t", lineterminator="\n", quotechar='"', quoting=csv.QUOTE_MINIMAL)


def _file_xml(row_type, location, terms, core):
    lines = []
    for index, (name, namespace) in enumerate(terms):
        if namespace is None:
            continue
        lines.append(f'    <field index="{index}" term="{namespace}{name}"/>')
    key = '<id index="0"/>' if core else '<coreid index="0"/>'
    tag = "core" if core else "extension"
    return (
        f'  <{tag} encoding="UTF-8" fieldsTerminatedBy="\\t" linesTerminatedBy="\\n" fieldsEnclosedBy="&quot;"'
        f' ignoreHeaderLines="1" rowType="{row_type}">\n'
        f"    <files><location>{location}</location></files>\n    {key}\n" + "\n".join(lines) + f"\n  </{tag}>\n"
    )


def meta_xml():
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<archive xmlns="http://rs.tdwg.org/dwc/text/" metadata="eml.xml">\n'
        + _file_xml(OCCURRENCE_ROW, "occurrence.txt", TERMS, True)
        + _file_xml(MEDIA_ROW, "multimedia.txt", MEDIA_TERMS, False)
        + "</archive>\n"
    )


def license_of(sources):
    """{name, path} of the data licence: the source packages' (when they agree), else the portal's."""
    found = []
    for package in sources["packages"]:
        for item in package.get("licenses") or []:
            if (
                isinstance(item, dict)
                and item.get("scope", "data") == "data"
                and (item.get("name") or item.get("path"))
            ):
                found.append(item)
    if sources["unsourced"] or not found:
        found.append(data_license())
    names = {(i.get("name") or i.get("path")) for i in found}
    if len(names) == 1:
        return found[0]
    # Several licences: the archive is under the most restrictive one GBIF knows.
    for name in ("CC-BY-NC-4.0", "CC-BY-4.0", "CC0-1.0"):
        if name in names:
            return next(i for i in found if i.get("name") == name)
    return found[0]


def _license_uri(item):
    name = item.get("name") or ""
    return LICENSE_URLS.get(name) or item.get("path") or name


def _rights_xml(item):
    name = item.get("name") or ""
    url = _license_uri(item)
    title = LICENSE_TITLES.get(name) or item.get("title") or name or url
    return (
        "    <intellectualRights><para>This work is licensed under a "
        f"<ulink url={quoteattr(url)}><citetitle>{escape(title)}</citetitle></ulink>.</para></intellectualRights>\n"
    )


def eml_xml(principal, count, start, end, *, bbox=None, taxa=(), license=None, title=None, citation=None):
    """EML 2.1.1 (GBIF profile): valid for an empty archive too (coverage only of what is there)."""
    publisher = principal.agency.name_en if principal.agency else "Tumen tiger and leopard cooperation portal"
    license = license or data_license()
    title = title or "Camera-trap occurrences of the Lower Tumen tiger and leopard cooperation"
    coverage = []
    if bbox is not None:
        west, east, south, north = bbox
        coverage.append(
            "      <geographicCoverage>\n"
            "        <geographicDescription>Extent of the camera-trap locations as given to the recipient"
            " (generalized locations as their grid cells).</geographicDescription>\n"
            "        <boundingCoordinates>\n"
            f"          <westBoundingCoordinate>{west}</westBoundingCoordinate>\n"
            f"          <eastBoundingCoordinate>{east}</eastBoundingCoordinate>\n"
            f"          <northBoundingCoordinate>{north}</northBoundingCoordinate>\n"
            f"          <southBoundingCoordinate>{south}</southBoundingCoordinate>\n"
            "        </boundingCoordinates>\n"
            "      </geographicCoverage>\n"
        )
    if start and end:
        coverage.append(
            "      <temporalCoverage><rangeOfDates>\n"
            f"        <beginDate><calendarDate>{start.isoformat()}</calendarDate></beginDate>\n"
            f"        <endDate><calendarDate>{end.isoformat()}</calendarDate></endDate>\n"
            "      </rangeOfDates></temporalCoverage>\n"
        )
    if taxa:
        classes = "".join(
            "        <taxonomicClassification>"
            f"<taxonRankName>{escape(rank or 'species')}</taxonRankName>"
            f"<taxonRankValue>{escape(name)}</taxonRankValue>"
            + (f"<commonName>{escape(common)}</commonName>" if common else "")
            + "</taxonomicClassification>\n"
            for name, rank, common in taxa
        )
        coverage.append(f"      <taxonomicCoverage>\n{classes}      </taxonomicCoverage>\n")
    coverage_xml = f"    <coverage>\n{''.join(coverage)}    </coverage>\n" if coverage else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<eml:eml xmlns:eml="eml://ecoinformatics.org/eml-2.1.1"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        ' xsi:schemaLocation="eml://ecoinformatics.org/eml-2.1.1 http://rs.gbif.org/schema/eml-gbif-profile/1.1/eml.xsd"'
        f' packageId="{uuid.uuid4()}" system="tumen-portal" scope="system" xml:lang="en">\n'
        "  <dataset>\n"
        f"    <title>{escape(title)}</title>\n"
        f"    <creator><organizationName>{escape(publisher)}</organizationName></creator>\n"
        f"    <metadataProvider><organizationName>{escape(publisher)}</organizationName></metadataProvider>\n"
        f"    <pubDate>{timezone.now().date().isoformat()}</pubDate>\n"
        "    <language>en</language>\n"
        f"    <abstract><para>{count} camera-trap occurrences shared between Chinese and Russian partner agencies."
        " Camera-trap locations of other agencies are generalized to one grid (Chapman 2020), whatever was"
        " recorded there, for viewers without a precise-location grant.</para></abstract>\n"
        "    <keywordSet><keyword>Occurrence</keyword>"
        "<keywordThesaurus>GBIF Dataset Type Vocabulary: http://rs.gbif.org/vocabulary/gbif/dataset_type.xml"
        "</keywordThesaurus></keywordSet>\n"
        + (f"    <additionalInfo><para>{escape(citation)}</para></additionalInfo>\n" if citation else "")
        + _rights_xml(license)
        + coverage_xml
        + f"    <contact><organizationName>{escape(publisher)}</organizationName></contact>\n"
        "    <methods><methodStep><description><para>Camera trapping; occurrences are animal observations"
        " with a species, at event level where the deployment has events.</para></description></methodStep>"
        "<sampling><studyExtent><description><para>Camera-trap deployments of the partner agencies."
        "</para></description></studyExtent><samplingDescription><para>Camera traps (Camtrap DP 1.0)."
        "</para></samplingDescription></sampling></methods>\n"
        "  </dataset>\n"
        "</eml:eml>\n"
    )


def occurrence_queryset(principal, **filters):
    _deployments, media, observations = filtered_querysets(principal, points_required=False, **filters)
    observations = observations.filter(observation_type="animal", species__isnull=False)
    has_events = Observation.objects.filter(deployment_id=OuterRef("deployment_id"), observation_level="event")
    occurrences = observations.filter(observation_level="event") | observations.filter(
        observation_level="media"
    ).exclude(Exists(has_events))
    return occurrences, media


def _country(principal, deployment, point):
    if point is None:
        # No point for the public: the country only where the whole withheld cell lies in one.
        latitude, longitude = anchor_of(deployment)
        step = withheld_grid_degrees(principal)
        return country_code(snap(latitude, step), snap(longitude, step), step)
    return country_code(point.latitude, point.longitude, point.grid_degrees if point.generalized else None)


def export_dwca(principal, target, **filters):
    """Write the archive to `target` (path or binary file). Returns the number of occurrences."""
    owners = precise_owner_ids(principal)
    occurrences, media = occurrence_queryset(principal, **filters)
    observations = occurrences.select_related(
        "deployment", "deployment__owner_agency", "species", "individual", "owner_agency"
    ).order_by("event_start", "pk")
    count, first, last = 0, None, None
    bbox = None
    taxa = {}
    # What the sources said (licence) before the rows are written: one small query.
    found = occurrences.order_by().values_list("deployment__import_run_id", "deployment__survey_id").distinct()
    run_ids, survey_ids = set(), set()
    for run_id, survey_id in found:
        run_ids.add(run_id)
        survey_ids.add(survey_id)
    sources = _source_metadata(run_ids, survey_ids)
    sources_license = license_of(sources)
    row_license = _license_uri(sources_license)
    countries = {}  # deployment pk → code: one border test per deployment
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        text, out = _writer(archive, "occurrence.txt")
        out.writerow([name for name, _ns in TERMS])
        for o in observations.iterator(chunk_size=CHUNK):
            d = o.deployment
            view = deployment_view(principal, d, owners)
            point = view.point
            generalizations, withheld = "", ""
            if point is None:
                lat = lon = uncertainty = precision = ""
                withheld = "Location withheld."
            else:
                lat, lon = round(point.latitude, 6), round(point.longitude, 6)
                uncertainty = point.uncertainty_m or ""
                precision = point.grid_degrees or ""
                half = (point.grid_degrees / 2) if point.generalized else 0
                cell = (lon - half, lon + half, lat - half, lat + half)
                bbox = (
                    cell
                    if bbox is None
                    else (min(bbox[0], cell[0]), max(bbox[1], cell[1]), min(bbox[2], cell[2]), max(bbox[3], cell[3]))
                )
                if point.generalized:
                    generalizations = (
                        f"Coordinates generalized to the centre of a {point.grid_degrees}° grid cell (Chapman 2020)."
                    )
                    withheld = "Precise location, location name, habitat and free text withheld."
            if d.pk not in countries:
                countries[d.pk] = _country(principal, d, point)
            s = o.species
            taxa.setdefault(s.scientific_name, (s.scientific_name, s.taxon_rank, s.common_name_en or ""))
            values = [
                f"{o.owner_agency.code}:{o.observation_id}",
                "MachineObservation",
                o.event_id,
                _event_date(o, d),
                s.scientific_name,
                s.taxon_rank,
                "Animalia",
                s.common_name_en or "",
                o.count or "",
                o.sex,
                o.life_stage,
                o.behavior if is_precise(owners, d.owner_agency_id) else "",
                o.individual.catalogue_code if o.individual_id else "",
                "present",
                lat,
                lon,
                "EPSG:4326" if lat != "" else "",
                uncertainty,
                precision,
                countries[d.pk],
                view.location_id,
                "camera trap",
                o.owner_agency.code,
                o.classified_by,
                generalizations,
                withheld,
                row_license,
                _dt(o.updated_at),
            ]
            out.writerow(values)
            count += 1
            first = first or o.event_start.date()
            last = o.event_start.date()
        text.close()
        _write_media(archive, owners, occurrences, media, _license_uri(media_license_of(sources)))
        archive.writestr("meta.xml", meta_xml())
        archive.writestr(
            "eml.xml",
            eml_xml(
                principal,
                count,
                first,
                last,
                bbox=tuple(round(v, 6) for v in bbox) if bbox else None,
                taxa=[taxa[k] for k in sorted(taxa)],
                license=sources_license,
                **_source_statement(sources),
            ),
        )
    return count


def _source_statement(sources):
    """The one source package's own title and citation, as it gave them (GBIF shows both)."""
    packages = sources["packages"]
    if len(packages) != 1 or sources["unsourced"]:
        return {}
    package = packages[0]
    out = {}
    if package.get("title"):
        out["title"] = str(package["title"])
    if package.get("bibliographicCitation"):
        out["citation"] = f"Source: {package['bibliographicCitation']}"
    return out


def media_license_of(sources):
    for package in sources["packages"]:
        for item in package.get("licenses") or []:
            if isinstance(item, dict) and item.get("scope") == "media" and (item.get("name") or item.get("path")):
                return item
    return license_of(sources)


def _download_uri(media_pk):
    """The portal's download link (EXIF stripped for withheld viewers), absolute when the portal
    knows its address."""
    from django.conf import settings
    from django.urls import reverse

    base = (getattr(settings, "PORTAL_BASE_URL", "") or "").rstrip("/")
    return f"{base}{reverse('api:media-file', args=[media_pk])}"


def _media_type(mediatype):
    if (mediatype or "").startswith("video/"):
        return "MovingImage"
    if (mediatype or "").startswith("audio/"):
        return "Sound"
    return "StillImage"


def _write_media(archive, owners, occurrences, media, rights):
    """multimedia.txt: each occurrence's media (its own, or those of its event), streamed from SQL.

    The stored path is given only to those who see the point exactly; anyone else gets the
    portal's download link, which strips EXIF for them (services.locations.media_file_for).
    """
    from core.models import Agency

    from ..models import Deployment

    occ_sql, occ_params = occurrences.order_by().values("pk").query.sql_with_params()
    media_sql, media_params = media.order_by().values("pk").query.sql_with_params()
    o_table, m_table = Observation._meta.db_table, Media._meta.db_table
    a_table, d_table = Agency._meta.db_table, Deployment._meta.db_table
    columns = (
        "a.code, o.observation_id, m.media_id, m.file_mediatype, m.file_path, m.timestamp, m.id,"
        " d.owner_agency_id, o.event_start, o.id, m.file"
    )
    base = (
        f"FROM {o_table} o JOIN {a_table} a ON a.id = o.owner_agency_id JOIN {m_table} m ON {{on}}"
        f" JOIN {d_table} d ON d.id = m.deployment_id"
        f" WHERE o.id IN ({occ_sql}) AND m.id IN ({media_sql})"
    )
    sql = (
        f"SELECT {columns} "
        + base.format(on="m.id = o.media_id")
        + f" UNION ALL SELECT {columns} "
        + base.format(
            on="o.observation_level = 'event' AND o.media_id IS NULL AND m.deployment_id = o.deployment_id"
            " AND m.timestamp >= o.event_start AND m.timestamp <= o.event_end"
        )
        + " ORDER BY 9, 10, 6, 7"
    )
    params = [*occ_params, *media_params, *occ_params, *media_params]
    text, out = _writer(archive, "multimedia.txt")
    out.writerow([name for name, _ns in MEDIA_TERMS])
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(CHUNK):
            for code, observation_id, media_id, mediatype, path, timestamp, pk, owner_id, _s, _o, stored in rows:
                if is_precise(owners, owner_id):
                    uri = path
                elif stored and (mediatype or "").startswith("image/"):
                    uri = _download_uri(pk)
                else:
                    continue  # nothing it may download: no image stored here whose metadata can be stripped
                out.writerow(
                    [
                        f"{code}:{observation_id}",
                        media_id,
                        _media_type(mediatype),
                        mediatype,
                        uri,
                        _dt(timestamp),
                        rights,
                    ]
                )
    text.close()
