"""Darwin Core Archive of camera-trap occurrences: occurrence.txt core, meta.xml, eml.xml.

One occurrence per animal observation with a species (event level; media-level ones only where a
deployment has no event-level observations). Coordinates are the viewer's (monitoring.services.
locations, issue 9): another agency's points are at the centre of their location's cell on the
one withheld grid, whatever was recorded there, with a pseudonymous locationID and no free text;
dataGeneralizations and informationWithheld say so. The public gets no coordinates at all.
"""

import csv
import datetime
import io
import uuid
import zipfile
from xml.sax.saxutils import escape

from django.db.models import Exists, OuterRef
from django.utils import timezone

from ..camtrap.exporter import filtered_querysets
from ..models import Observation
from ..services.locations import deployment_view, is_precise, precise_owner_ids

DWC = "http://rs.tdwg.org/dwc/terms/"
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
    ("modified", "http://purl.org/dc/terms/"),
]
COUNTRY = {"CN": "CN", "RU": "RU"}


def _dt(value):
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else ""


def meta_xml():
    fields = "\n".join(f'    <field index="{i}" term="{ns}{name}"/>' for i, (name, ns) in enumerate(TERMS) if i > 0)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<archive xmlns="http://rs.tdwg.org/dwc/text/" metadata="eml.xml">
  <core encoding="UTF-8" fieldsTerminatedBy="\\t" linesTerminatedBy="\\n" fieldsEnclosedBy="" ignoreHeaderLines="1" rowType="http://rs.tdwg.org/dwc/terms/Occurrence">
    <files><location>occurrence.txt</location></files>
    <id index="0"/>
    <field index="0" term="http://rs.tdwg.org/dwc/terms/occurrenceID"/>
{fields}
  </core>
</archive>
"""


def eml_xml(principal, count, start, end):
    publisher = principal.agency.name_en if principal.agency else "Tumen tiger and leopard cooperation portal"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<eml:eml xmlns:eml="eml://ecoinformatics.org/eml-2.1.1" packageId="{uuid.uuid4()}" system="tumen-portal" xml:lang="en">
  <dataset>
    <title>Camera-trap occurrences of the Lower Tumen tiger and leopard cooperation</title>
    <creator><organizationName>{escape(publisher)}</organizationName></creator>
    <pubDate>{timezone.now().date().isoformat()}</pubDate>
    <language>en</language>
    <abstract><para>{count} camera-trap occurrences shared between Chinese and Russian partner agencies.
Camera-trap locations of other agencies are generalized to one grid (Chapman 2020), whatever was recorded there, for viewers without a precise-location grant.</para></abstract>
    <coverage><temporalCoverage><rangeOfDates>
      <beginDate><calendarDate>{start or ""}</calendarDate></beginDate>
      <endDate><calendarDate>{end or ""}</calendarDate></endDate>
    </rangeOfDates></temporalCoverage></coverage>
    <contact><organizationName>{escape(publisher)}</organizationName></contact>
  </dataset>
</eml:eml>
"""


def occurrence_queryset(principal, **filters):
    _deployments, _media, observations = filtered_querysets(principal, points_required=False, **filters)
    observations = observations.filter(observation_type="animal", species__isnull=False)
    has_events = Observation.objects.filter(deployment_id=OuterRef("deployment_id"), observation_level="event")
    return observations.filter(observation_level="event") | observations.filter(observation_level="media").exclude(
        Exists(has_events)
    )


def export_dwca(principal, target, **filters):
    """Write the archive to `target` (path or binary file). Returns the number of occurrences."""
    owners = precise_owner_ids(principal)
    observations = (
        occurrence_queryset(principal, **filters)
        .select_related("deployment", "deployment__owner_agency", "species", "individual", "owner_agency")
        .order_by("event_start", "pk")
    )
    count, first, last = 0, None, None
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        raw = archive.open("occurrence.txt", "w", force_zip64=True)
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        out = csv.writer(text, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, escapechar="\\")
        out.writerow([name for name, _ns in TERMS])
        for o in observations.iterator(chunk_size=2000):
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
                if point.generalized:
                    generalizations = (
                        f"Coordinates generalized to the centre of a {point.grid_degrees}° grid cell (Chapman 2020)."
                    )
                    withheld = "Precise location, location name, habitat and free text withheld."
            values = [
                f"{o.owner_agency.code}:{o.observation_id}",
                "MachineObservation",
                o.event_id,
                f"{_dt(o.event_start)}/{_dt(o.event_end)}" if o.event_end != o.event_start else _dt(o.event_start),
                o.species.scientific_name,
                o.species.taxon_rank,
                "Animalia",
                o.species.common_name_en or "",
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
                COUNTRY.get(d.owner_agency.country, ""),
                view.location_id,
                "camera trap",
                o.owner_agency.code,
                o.classified_by,
                generalizations,
                withheld,
                _dt(o.updated_at),
            ]
            out.writerow([str(v).replace("\t", " ").replace("\n", " ") for v in values])
            count += 1
            first = first or o.event_start.date()
            last = o.event_start.date()
        text.close()
        archive.writestr("meta.xml", meta_xml())
        archive.writestr("eml.xml", eml_xml(principal, count, first, last))
    return count
