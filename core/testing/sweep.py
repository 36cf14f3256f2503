"""The sensitive-path sweep: precise points of every kind, read through every API endpoint, page,
map, export and search as each role; no precise digit may appear where the policy withholds it.

The fixture (`build_sweep_world`) gives agency SWA (the owner) a joint survey with:

* a deployment at a leopard's place (EXIF GPS in its media, the point in the media's file path,
  the location ID, habitat, tags and comments), and its *twin* at the same location ID that
  recorded only deer;
* a snow-track transect with leopard tracks, a patrol whose track passes the point, a leopard
  sign waypoint on a vertex of that track (its time to the second), a leopard incident;
* a tiny protected area of another agency (SWATTACK) over the camera: an oracle area that no
  record of SWA may be assigned to, for anyone.

Every coordinate lies in one 0.1° cell (44.3–44.4 N, 132.4–132.5 E), far from the demo's data,
so any number near it that is not on the withheld grid (a multiple of half a cell) is a leak.

Reads are found, not listed: every /api/v1/ endpoint (core.testing.endpoints.discover: list and
detail for each fixture record of its model, record actions), every page URL of the apps' namespaces
(a record's page for each fixture record of the view's model), the exports in every format and
search. `SWEEP_DECLARED` adds parameters (export formats) or a record for views whose model the
sweep cannot infer; `SWEEP_SKIPPED` says why a view is not read. A new endpoint or page is swept
without a declaration when its model is known, and `unswept()` fails the suite otherwise.
"""

import io
import re
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from .endpoints import discover
from .world import Caller

# --- the secrets ---------------------------------------------------------------------------------

OWNER = "SWA"
ATTACKER = "SWATTACK"  # owns the oracle area; plays no role
PARTNERS = {"other": "SWOTHER", "view": "SWVIEW", "precise": "SWPRECISE"}

CAMERA = (44.318734, 132.465172)  # (lat, lon) of the leopard deployment and its deer-only twin
TRANSECT = [(132.472913, 44.327461), (132.481357, 44.336829), (132.489641, 44.344187)]  # (lon, lat)
TRACK = [(132.451283, 44.305917), (132.458649, 44.312283), (132.467937, 44.321761), (132.476413, 44.331149)]
WAYPOINT = (44.312283, 132.458649)  # on the second vertex of the track
WAYPOINT_TIME = "2019-02-03T03:47:29+00:00"
INCIDENT = (44.341962, 132.452718)
# EXIF GPS as cameras write it (degrees, minutes, seconds) for CAMERA.
EXIF_SECONDS = ("7.4424", "54.6192")
LOCATION_ID = f"SWEEP-{CAMERA[0]}_{CAMERA[1]}"

# Everything lies in this cell; the window is one cell around it.
CELL = ((44.3, 44.4), (132.4, 132.5))
WINDOW = ((44.2, 44.5), (132.3, 132.6))
LATTICE = 0.05  # half of the 0.1° withheld grid: cell corners and centres are the only allowed values

_NUMBER = re.compile(r"(?<![\w.])-?\d{2,3}\.\d+")
_TIME = re.compile(r"2019-02-03[T ]03:47|03:47:29(?!\.\d)|\b3:47\s*a\.m\.")


def precise_tokens(body):
    """The numbers in `body` that lie near the fixture's points and are finer than the grid."""
    found = set()
    for match in _NUMBER.finditer(body):
        try:
            value = abs(float(match.group()))
        except ValueError:
            continue
        near = any(low <= value <= high for low, high in WINDOW)
        # 1e-6 off the lattice is a degenerate extent made to have an area, not a position.
        if near and abs(value - round(value / LATTICE) * LATTICE) > 1.5e-6:
            found.add(match.group())
    for seconds in EXIF_SECONDS:
        if seconds in body:
            found.add(f"EXIF {seconds}")
    if _TIME.search(body):
        found.add(f"time {_TIME.search(body).group()}")
    return found


# What a precise reader must find: (label, pattern). The sweep fails both ways.
SHOWN = {
    "camera": re.escape(str(CAMERA[0])),
    "transect": re.escape(str(TRANSECT[0][1])),
    "track": re.escape(str(TRACK[1][0])),
    "waypoint": re.escape(str(WAYPOINT[0])),
    "incident": re.escape(str(INCIDENT[0])),
}


# --- roles ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepRole:
    name: str
    agency: str | None  # code, None for anonymous
    kind: str  # anonymous, user, key
    membership_role: str | None = None
    read_only: bool = True
    precise: bool = False  # sees the fixture's points exactly
    track: bool = False  # sees the patrol's line (the owner only)

    def __str__(self):
        return self.name


SWEEP_ROLES = [
    SweepRole("anonymous", None, "anonymous"),
    SweepRole("partner_observer", PARTNERS["other"], "user", "observer"),
    SweepRole("partner_staff", PARTNERS["other"], "user", "agency_staff", read_only=False),
    SweepRole("view_grant_staff", PARTNERS["view"], "user", "agency_staff", read_only=False),
    SweepRole("secretariat", "SEC", "user", "secretariat_coordinator", read_only=False),
    SweepRole("partner_read_only_key", PARTNERS["other"], "key"),
    SweepRole("partner_read_write_key", PARTNERS["other"], "key", read_only=False),
    SweepRole("precise_grant_staff", PARTNERS["precise"], "user", "agency_staff", read_only=False, precise=True),
    SweepRole("owner_staff", OWNER, "user", "agency_staff", read_only=False, precise=True, track=True),
    SweepRole("owner_read_only_key", OWNER, "key", precise=True, track=True),
]
SWEEP_ROLE_BY_NAME = {role.name: role for role in SWEEP_ROLES}


# --- the fixture ---------------------------------------------------------------------------------


@dataclass
class SweepWorld:
    records: dict = field(default_factory=dict)  # {label: record}
    callers: dict = field(default_factory=dict)  # {role name: Caller}
    attacker_area: object = None

    def of_model(self, model):
        return [r for r in self.records.values() if type(r) is model]

    def forbidden_ids(self):
        """Ids nobody may be shown: the oracle area's (no SWA record may be assigned to it)."""
        return {str(self.attacker_area.pk)} if self.attacker_area else set()


def _call(module, name, *args):
    function = getattr(module, name, None)
    if function is not None:
        return function(*args)
    return None


def build_sweep_world():
    """The demo, the sweep's agencies, grants, records and callers. Call inside a transaction you
    roll back."""
    import datetime

    from django.core.management import call_command
    from django.db import transaction

    from antipoaching import services as ap_services
    from antipoaching.models import Incident, IncidentType, Patrol, PatrolLeg, Waypoint
    from core.models import Agency, AgencyAPIKey, DataSharingGrant, Membership, Species
    from core.models.base import Sensitivity
    from monitoring import services as mon_services
    from monitoring.models import Deployment, Individual, IndividualAlias, Media, Observation, SnowTrackTransect, Survey
    from reserves.models import ProtectedArea

    world = SweepWorld()
    with transaction.atomic():
        call_command("seed_demo", quiet_logins=True, stdout=io.StringIO())
        agencies = {}
        for code in (OWNER, ATTACKER, *PARTNERS.values()):
            agencies[code], _ = Agency.objects.get_or_create(
                code=code, defaults={"name_en": f"Sweep {code}", "country": "RU", "kind": "national_park"}
            )
        owner = agencies[OWNER]
        DataSharingGrant.objects.create(
            grantor=owner, grantee=agencies[PARTNERS["view"]], scope="view", dataset_type=""
        )
        DataSharingGrant.objects.create(
            grantor=owner, grantee=agencies[PARTNERS["precise"]], scope="precise_locations", dataset_type=""
        )
        leopard = Species.objects.get(scientific_name="Panthera pardus orientalis")
        deer = Species.objects.get(scientific_name="Cervus nippon")
        when = datetime.datetime(2019, 2, 1, tzinfo=datetime.UTC)

        # The oracle: another agency's hidden, tiny area over the camera (about 20 m a side).
        lat, lon = CAMERA
        d = 0.0002
        world.attacker_area = ProtectedArea.objects.create(
            owner_agency=agencies[ATTACKER],
            sensitivity=Sensitivity.OWNER,
            name="Sweep oracle cell",
            country="RU",
            boundary={
                "type": "Polygon",
                "coordinates": [
                    [[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]]
                ],
            },
        )

        survey = Survey.objects.create(
            owner_agency=owner,
            sensitivity=Sensitivity.PARTNERS,
            kind="single",
            method="camera_trapping",
            name_en="Sweep survey",
            start_date=when.date(),
            end_date=(when + datetime.timedelta(days=60)).date(),
        )
        survey.participating_agencies.set([owner])
        world.records["survey"] = survey
        text = f"Camera on the old oak at {CAMERA[0]}, {CAMERA[1]}"
        for label in ("deployment", "twin"):
            world.records[label] = Deployment.objects.create(
                owner_agency=owner,
                sensitivity=Sensitivity.PARTNERS,
                survey=survey,
                deployment_id=f"SWEEP-{label.upper()}",
                location_id=LOCATION_ID,
                location_name=f"Oak {CAMERA[0]} {CAMERA[1]}",
                latitude=lat,
                longitude=lon,
                coordinate_uncertainty=5,
                start=when,
                end=when + datetime.timedelta(days=50),
                camera_id=f"CAM-SWEEP-{label}",
                habitat=f"oak ridge at {CAMERA[0]}N",
                deployment_tags=f"gps:{CAMERA[0]}|{CAMERA[1]}",
                deployment_comments=text,
            )
        deployment, twin = world.records["deployment"], world.records["twin"]
        world.records["media"] = Media.objects.create(
            owner_agency=owner,
            sensitivity=Sensitivity.PARTNERS,
            deployment=deployment,
            media_id="SWEEP-MEDIA-1",
            timestamp=when + datetime.timedelta(days=3, hours=2),
            file_path=f"/cameras/{CAMERA[0]}_{CAMERA[1]}/IMG_0001.JPG",
            file_name="IMG_0001.JPG",
            file_mediatype="image/jpeg",
            exif_data={
                "GPSLatitudeRef": "N",
                "GPSLatitude": [44, 19, float(EXIF_SECONDS[0])],
                "GPSLongitudeRef": "E",
                "GPSLongitude": [132, 27, float(EXIF_SECONDS[1])],
                "GPSDecimal": f"{CAMERA[0]},{CAMERA[1]}",
                "Make": "Reconyx",
            },
            media_comments=text,
        )
        individual = Individual.objects.create(
            owner_agency=owner,
            sensitivity=Sensitivity.PARTNERS,
            species=leopard,
            catalogue_code="AL-SWEEP-1",
            name="Sweep leopard",
            first_detected=when.date(),
        )
        IndividualAlias.objects.create(individual=individual, agency=owner, local_id="SW-L1")
        world.records["individual"] = individual
        for label, where, species, ind in (
            ("observation", deployment, leopard, individual),
            ("twin_observation", twin, deer, None),
        ):
            world.records[label] = Observation.objects.create(
                owner_agency=owner,
                sensitivity=Sensitivity.PARTNERS,
                deployment=where,
                media=world.records["media"] if where is deployment else None,
                observation_id=f"SWEEP-{label}",
                event_id=f"SWEEP-{label}",
                event_start=when + datetime.timedelta(days=3, hours=2),
                event_end=when + datetime.timedelta(days=3, hours=2),
                observation_level="event",
                observation_type="animal",
                scientific_name=species.scientific_name,
                species=species,
                count=1,
                individual=ind,
                individual_local_id="SW-L1" if ind else "",
                classification_method="human",
                observation_comments=text,
            )
        for record in (deployment, twin):
            _call(mon_services, "deployment_saved", record)
        for label in ("observation", "twin_observation"):
            _call(mon_services, "observation_saved", world.records[label])
        mon_services.refresh_deployment_areas([deployment, twin])
        mon_services.refresh_location_categories([deployment.pk, twin.pk])
        _call(mon_services, "refresh_deployment_locations", [deployment.pk, twin.pk])

        transect = SnowTrackTransect.objects.create(
            owner_agency=owner,
            sensitivity=Sensitivity.PARTNERS,
            survey=survey,
            name="Sweep transect",
            date=(when + datetime.timedelta(days=10)).date(),
            route={"type": "LineString", "coordinates": [list(p) for p in TRANSECT]},
            snow_age_days=1,
        )
        mon_services.replace_transect_tracks(transect, [{"species": leopard, "tracks": 2}])
        _call(mon_services, "transect_saved", transect)
        world.records["transect"] = transect

        start = datetime.datetime(2019, 2, 3, 1, tzinfo=datetime.UTC)
        patrol = ap_services.save_patrol(
            Patrol(
                owner_agency=owner,
                sensitivity=Sensitivity.PARTNERS,
                leader="Sweep leader",
                members=["Sweep member"],
                start=start,
                end=start + datetime.timedelta(hours=6),
                transport="foot",
                title_en="Sweep patrol",
            )
        )
        world.records["patrol"] = patrol
        world.records["leg"] = ap_services.save_leg(
            PatrolLeg(
                patrol=patrol,
                start=start,
                end=start + datetime.timedelta(hours=6),
                transport="foot",
                track={"type": "LineString", "coordinates": [list(p) for p in TRACK]},
            )
        )
        sign = IncidentType.objects.get(code="leopard_sign")
        world.records["waypoint"] = ap_services.save_waypoint(
            Waypoint(
                patrol=patrol,
                time=datetime.datetime.fromisoformat(WAYPOINT_TIME),
                latitude=f"{WAYPOINT[0]:.6f}",
                longitude=f"{WAYPOINT[1]:.6f}",
                incident_type=sign,
                count=1,
                actions=["photographed"],
            )
        )
        world.records["incident"] = Incident.objects.create(
            owner_agency=owner,
            sensitivity=Sensitivity.PARTNERS,
            incident_type=IncidentType.objects.get(code="carcass"),
            species=leopard,
            occurred_on=datetime.date(2019, 2, 3),
            reference="SWEEP-2019-001",
            place_en="Sweep valley",
            latitude=f"{INCIDENT[0]:.6f}",
            longitude=f"{INCIDENT[1]:.6f}",
            patrol=patrol,
        )
        for name in ("refresh_incident_areas", "incident_saved"):
            _call(ap_services, name, world.records["incident"])

        for role in SWEEP_ROLES:
            world.callers[role.name] = _caller(role, agencies, Agency, AgencyAPIKey, Membership)
    for label, record in world.records.items():
        world.records[label] = type(record).objects.get(pk=record.pk)
    return world


def _caller(role, agencies, Agency, AgencyAPIKey, Membership):
    if role.kind == "anonymous":
        return Caller(role)
    agency = agencies.get(role.agency) or Agency.objects.get(code=role.agency)
    if role.kind == "key":
        obj, key = AgencyAPIKey.objects.create_key(name=f"sweep {role.name}", agency=agency, read_only=role.read_only)
        return Caller(role, key=key, key_obj=obj, agency=agency)
    from core.tests.factories import UserFactory

    user = UserFactory(username=f"sweep-{role.name}"[:150])
    Membership.objects.update_or_create(user=user, defaults={"agency": agency, "role": role.membership_role})
    user.refresh_from_db()
    return Caller(role, user=user, agency=agency)


# --- the reads -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Read:
    """One path the sweep reads: `name` ("api deployment-detail", "page monitoring:deployment-map")."""

    name: str
    kind: str  # "api" or "page"
    url_name: str | None = None  # for pages: the namespaced URL name
    route: str | None = None  # for the API: the URL with {lookup}
    model: object = None  # records of this model fill {lookup} / the page's kwarg
    kwarg: str | None = None
    lookup: str = "pk"
    params: tuple = ({},)  # query strings, one request each
    shows: tuple = ()  # SHOWN labels a precise reader must find here

    @property
    def id(self):
        return self.name


@dataclass(frozen=True)
class SweepDeclaration:
    params: tuple = ({},)
    shows: tuple = ()
    model: object = None  # "app_label.Model" for a page or action whose view names no model
    kwarg_value: object = None  # callable(world) -> the URL kwarg, for pages on something else


XLSX = ({}, {"as": "xlsx"})
PAGE_EXPORTS = ({}, {"export": "csv"}, {"export": "xlsx"})

# Reads that need more than the default GET; keyed by endpoint name or namespaced URL name.
SWEEP_DECLARED = {
    "patrol-export": SweepDeclaration(params=XLSX),
    "waypoint-export": SweepDeclaration(params=XLSX, shows=("waypoint",)),
    "incident-export": SweepDeclaration(params=XLSX, shows=("incident",)),
    "camtrap-export": SweepDeclaration(params=({}, {"agency": OWNER}), shows=("camera",)),
    "dwca-export": SweepDeclaration(params=({}, {"agency": OWNER}), shows=("camera",)),
    "deployment": SweepDeclaration(shows=("camera",)),
    "media": SweepDeclaration(),
    "observation": SweepDeclaration(),
    "transect": SweepDeclaration(shows=("transect",)),
    "waypoint": SweepDeclaration(shows=("waypoint",)),
    "incident": SweepDeclaration(shows=("incident",)),
    "patrol-leg": SweepDeclaration(shows=("track",)),
    "antipoaching:patrol-list": SweepDeclaration(params=PAGE_EXPORTS),
    "antipoaching:incident-list": SweepDeclaration(params=PAGE_EXPORTS),
    "antipoaching:kpis": SweepDeclaration(params=({}, {"export": "csv"})),
    "monitoring:deployment-detail": SweepDeclaration(shows=("camera",)),
    "antipoaching:incident-detail": SweepDeclaration(shows=("incident",)),
    "antipoaching:patrol-add-leg": SweepDeclaration(model="antipoaching.Patrol"),
    "antipoaching:patrol-add-waypoint": SweepDeclaration(model="antipoaching.Patrol"),
    "antipoaching:incident-link": SweepDeclaration(model="antipoaching.Incident"),
    "monitoring:individual-propose-match": SweepDeclaration(model="monitoring.Individual"),
    "core:agency-detail": SweepDeclaration(kwarg_value=lambda world: world.records["deployment"].owner_agency.code),
    "core:search": SweepDeclaration(
        params=(
            {"q": "Sweep"},
            {"q": str(CAMERA[0])},
            {"q": str(CAMERA[0])[3:7]},
            {"q": LOCATION_ID},
        )
    ),
}

# {name: why the sweep does not read it}
SWEEP_SKIPPED = {
    "schema": "the OpenAPI document: no record data",
    "docs": "Swagger UI: no record data",
    "camtrap-import": "a POSTed package; its GET lists the caller's own import runs",
    "core:attachment-download": "files are attached by hand; core/tests/test_documents.py checks the policy",
    "core:attachment-remove": "a POST form",
    "core:attachment-add": "a POST form on a record type and id",
    "core:notification-read": "a POST on one notification",
    "core:workflow-transition": "a POST",
    "core:notification-read-all": "a POST",
    "antipoaching:alert-acknowledge": "a POST",
    "core:apikey-revoke": "a POST that revokes an API key",
    # Records that hold no location (plans, training, visits, protocols, rounds): not in the fixture.
    "antipoaching:plan-add-activity": "a plan's form: plans hold no point",
    "antipoaching:plan-add-target": "a plan's form: plans hold no point",
    "core:exchange-visit-member-add": "an exchange visit's form: no point",
    "core:training-participant-add": "a course's form: no point",
    "monitoring:protocol-version-create": "a protocol's form: no point",
    "policy:round-detail": "a delivery round: no point",
}

PAGE_NAMESPACES = ("core", "reserves", "antipoaching", "monitoring", "policy", "outreach", "corridors")


def _model(label):
    from django.apps import apps

    return apps.get_model(label) if isinstance(label, str) else label


def _api_reads():
    reads = []
    endpoints = discover()
    for name, endpoint in sorted(endpoints.items()):
        base = name.split(" ")[0]
        declared = SWEEP_DECLARED.get(base, SweepDeclaration())
        if base in SWEEP_SKIPPED:
            continue
        model = endpoint.model
        if endpoint.kind == "record_action":
            model = endpoints[endpoint.declaration.parent].model
        if endpoint.list_url and not _is_post_only(endpoint):
            # Lists on one page: the fixture's rows are among the newest, the demo is small.
            list_params = tuple({**p, "page_size": "100"} if "list" in endpoint.actions else p for p in declared.params)
            reads.append(
                Read(
                    f"api {name}" + ("-list" if "list" in endpoint.actions else ""),
                    "api",
                    route=endpoint.list_url,
                    params=list_params,
                    shows=declared.shows,
                )
            )
        if endpoint.detail_url and endpoint.detail_url.count("{lookup}") == 1 and not _is_post_only(endpoint):
            reads.append(
                Read(
                    f"api {name}" + ("-detail" if "retrieve" in endpoint.actions else ""),
                    "api",
                    route=endpoint.detail_url,
                    model=model,
                    lookup=endpoint.lookup_field if endpoint.kind != "record_action" else "pk",
                    params=declared.params,
                    shows=declared.shows,
                )
            )
    return reads


_POST_ACTIONS = {"acknowledge", "split", "revoke", "read", "read_all", "take_transition", "create"}


def _is_post_only(endpoint):
    methods = set()
    view = endpoint.view_class
    for action in endpoint.actions:
        handler = getattr(view, action, None) if view else None
        mapping = getattr(handler, "mapping", None)
        if mapping:
            methods |= set(mapping)
        elif action in ("list", "retrieve", "get"):
            methods.add("get")
        elif action in _POST_ACTIONS:
            methods.add("post")
    return bool(methods) and "get" not in methods


def _walk(resolver, namespace=None):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and namespace:
            yield namespace, pattern


def _page_reads():
    reads = []
    seen = set()
    for namespace, pattern in _walk(get_resolver()):
        if namespace not in PAGE_NAMESPACES or not pattern.name:
            continue
        name = f"{namespace}:{pattern.name}"
        if name in seen or name in SWEEP_SKIPPED:
            continue
        seen.add(name)
        declared = SWEEP_DECLARED.get(name, SweepDeclaration())
        converters = getattr(pattern.pattern, "converters", {}) or {}
        kwargs = list(converters)
        view_class = getattr(pattern.callback, "view_class", None)
        model = _model(declared.model) if declared.model else getattr(view_class, "model", None)
        if not kwargs:
            reads.append(Read(f"page {name}", "page", url_name=name, params=declared.params, shows=declared.shows))
        elif len(kwargs) == 1 and (model is not None or declared.kwarg_value is not None):
            reads.append(
                Read(
                    f"page {name}",
                    "page",
                    url_name=name,
                    model=model,
                    kwarg=kwargs[0],
                    params=declared.params,
                    shows=declared.shows,
                )
            )
        else:
            reads.append(Read(f"page {name}", "unswept", url_name=name))
    return reads


def all_reads():
    return _api_reads() + _page_reads()


def reads():
    return [read for read in all_reads() if read.kind != "unswept"]


def unswept():
    """Pages the sweep cannot fill in: declare a model or kwarg for them, or skip them with a reason."""
    return sorted(read.url_name for read in all_reads() if read.kind == "unswept")


# --- reading and checking ------------------------------------------------------------------------


def decode(response):
    """The text of a response: JSON/HTML/CSV as text, every member of a zip (Camtrap DP, DwC-A,
    XLSX) unpacked, a streamed body joined."""
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    return _text(content)


def _text(content, depth=0):
    if content[:4] == b"PK\x03\x04" and depth < 3:
        parts = []
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for info in archive.infolist():
                parts.append(f"\n== {info.filename}\n")
                parts.append(_text(archive.read(info), depth + 1))
        return "".join(parts)
    return content.decode("utf-8", errors="replace")


def _urls(world, read):
    """[(url, params, record label)] for a read: one per fixture record of its model."""
    if read.kind == "api":
        if read.model is None:
            return [(read.route, None)]
        return [
            (read.route.replace("{lookup}", str(getattr(record, read.lookup))), label)
            for label, record in world.records.items()
            if type(record) is read.model
        ]
    declared = SWEEP_DECLARED.get(read.url_name, SweepDeclaration())
    with translation.override(settings.LANGUAGE_CODE):
        if read.kwarg is None:
            return [(reverse(read.url_name), None)]
        if declared.kwarg_value is not None:
            return [(reverse(read.url_name, kwargs={read.kwarg: declared.kwarg_value(world)}), None)]
        return [
            (reverse(read.url_name, kwargs={read.kwarg: record.pk}), label)
            for label, record in world.records.items()
            if type(record) is read.model
        ]


def fetch(world, read, role):
    """[(request description, status, text)] of every request of `read` as `role`."""
    caller = world.callers[role.name]
    client = caller.api_client() if read.kind == "api" else caller.page_client()
    results = []
    for url, label in _urls(world, read):
        for params in read.params:
            response = client.get(url, params or {})
            text = decode(response)
            for value in params.values():  # a search echoes its term; that is not a leak
                if value not in ("csv", "xlsx", "100"):
                    text = text.replace(value, "")
            where = f"{url}{'?' + '&'.join(f'{k}={v}' for k, v in params.items()) if params else ''}"
            results.append((where + (f" [{label}]" if label else ""), response.status_code, text))
    return results


def leaks(world, read, role):
    """What `role` was shown through `read` that the policy withholds from it: [description]."""
    found = []
    for where, status, text in fetch(world, read, role):
        assert status < 500, f"{where} as {role}: server error {status}"
        if role.precise:
            oracle = {i for i in world.forbidden_ids() if i in text}
            if oracle:
                found.append(f"{where}: another agency's oracle area {sorted(oracle)}")
            continue
        tokens = precise_tokens(text)
        oracle = {i for i in world.forbidden_ids() if i in text}
        if tokens or oracle:
            found.append(f"{where}: {sorted(tokens)[:8]}{' oracle area' if oracle else ''}")
        if "q" in where and any(str(r.pk) in text for r in world.of_model(_model("monitoring.Deployment"))):
            if re.search(r"q=[\d.]", where):
                found.append(f"{where}: search by digits of the point finds the deployment")
    return found


def missing(world, read, role):
    """For precise readers: the SHOWN labels of `read` the body does not carry: [label]."""
    texts = [text for _where, status, text in fetch(world, read, role) if status == 200]
    joined = "\n".join(texts)
    wanted = [label for label in read.shows if label != "track" or role.track]
    return [label for label in wanted if not re.search(SHOWN[label], joined)]


__all__ = [
    "SWEEP_DECLARED",
    "SWEEP_ROLES",
    "SWEEP_SKIPPED",
    "build_sweep_world",
    "leaks",
    "missing",
    "reads",
    "unswept",
]
