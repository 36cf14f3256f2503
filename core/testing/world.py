"""The contract's data: the demo (`seed_demo`), three partner agencies, and for every shared
endpoint one record per sensitivity variant, plus the principals of every role.

Records are the demo's own, copied per variant (a copy keeps every field the demo filled in, so
serializers and pages see realistic rows). Partner agencies: CTOTHER (no grant), CTVIEW (a view
grant from every agency) and CTPRECISE (a precise-locations grant from every agency).
"""

import io
import uuid
from dataclasses import dataclass, field

from django.core.management import call_command
from django.db import models, transaction
from django.utils import timezone

from core.models import Agency, AgencyAPIKey, DataSharingGrant, Membership
from core.models.base import Sensitivity, SharedRecord

from .endpoints import discover
from .rules import COORDINATORS, GOVERNED, ROLES, VARIANTS, relation_to, sees

PARTNERS = {"other": "CTOTHER", "view": "CTVIEW", "precise": "CTPRECISE"}
SECRETARIAT_CODE = "SEC"
DEFAULT_OWNER_CODE = "LOTL"


@dataclass
class Caller:
    """How a role authenticates: a user (force_authenticate / force_login) or an API key."""

    role: object
    user: object = None
    key: str | None = None
    key_obj: object = None
    agency: object = None

    def api_client(self):
        # Every JSON answer the suite sees must match /api/v1/schema/ (core.testing.schema_check).
        from .schema_check import SchemaCheckedAPIClient

        client = SchemaCheckedAPIClient()
        if self.user is not None:
            client.force_authenticate(self.user)
        elif self.key is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Api-Key {self.key}")
        return client

    def page_client(self):
        from django.test import Client

        client = Client()
        if self.user is not None:
            client.force_login(self.user)
        return client


@dataclass
class World:
    endpoints: dict
    records: dict = field(default_factory=dict)  # {endpoint name: {variant: record}}
    skipped: dict = field(default_factory=dict)  # {endpoint name: why there is no record}
    _callers: dict = field(default_factory=dict)
    secretariat: object = None
    default_owner: object = None  # plays "the owner" for endpoints whose rows have none

    # --- principals ----------------------------------------------------------------------------
    def caller(self, role, owner):
        """The caller playing `role` towards records owned by `owner` (an Agency or None)."""
        agency = self._agency_for(role, owner)
        cache_key = (role.name, agency.pk if agency else None)
        if cache_key not in self._callers:
            self._callers[cache_key] = self._make_caller(role, agency)
        return self._callers[cache_key]

    def _agency_for(self, role, owner):
        if role.kind == "anonymous":
            return None
        if role.relation == "owner":
            return owner or self.secretariat
        if role.relation == "secretariat":
            return self.secretariat
        return Agency.objects.get(code=PARTNERS[role.relation])

    def _make_caller(self, role, agency):
        if role.kind == "anonymous":
            return Caller(role)
        if role.kind == "key":
            _obj, key = AgencyAPIKey.objects.create_key(
                name=f"contract {role.name}", agency=agency, read_only=not role.writes
            )
            return Caller(role, key=key, key_obj=_obj, agency=agency)
        from core.tests.factories import UserFactory

        # One user per (role, agency): a second factory call would reset the password and so
        # log the first one's sessions out.
        user = UserFactory(username=f"ct-{agency.code.lower()}-{role.name}"[:150])
        Membership.objects.update_or_create(user=user, defaults={"agency": agency, "role": role.membership_role})
        user.refresh_from_db()
        return Caller(role, user=user, agency=agency)

    def relation(self, role, record):
        owner_id = getattr(record, "owner_agency_id", None)
        listed = False
        if role.relation == "secretariat" and record.pk is not None and hasattr(record, "shared_with"):
            listed = record.shared_with.filter(pk=self.secretariat.pk).exists()
        return relation_to(role, owner_id == self.secretariat.pk, listed)

    def owner_of(self, endpoint, record):
        return getattr(self.governing(endpoint, record), "owner_agency", None) or self.default_owner

    # --- rows that are not shared records (kinds agency_row, party, recipient, link) ----------
    def governed_owner(self, endpoint, record):
        """The agency whose people play "the owner" towards `record`."""
        declared = endpoint.declaration
        if endpoint.kind == "recipient":
            return self.default_owner
        if endpoint.kind == "link":
            return getattr(record, declared.parent).owner_agency
        return getattr(record, declared.owner_field)

    def governed_access(self, endpoint, role, record):
        """(visible, writes) of `record` for `role`, restating the endpoint's rule."""
        declared = endpoint.declaration
        caller = self.caller(role, self.governed_owner(endpoint, record))
        if role.kind == "anonymous":
            return False, False
        agency_id = caller.agency.pk if caller.agency else None
        if endpoint.kind == "agency_row":
            return True, role.writes and agency_id == getattr(record, f"{declared.owner_field}_id")
        if endpoint.kind == "party":
            giver = getattr(record, f"{declared.owner_field}_id")
            visible = agency_id in (giver, getattr(record, f"{declared.party_field}_id"))
            return visible, role.writes and role.membership_role in COORDINATORS and agency_id == giver
        if endpoint.kind == "recipient":
            mine = caller.user is not None and caller.user.pk == getattr(record, f"{declared.owner_field}_id")
            return mine, mine
        ends = (getattr(record, declared.parent), getattr(record, declared.party_field))
        visible = all(sees(self.relation(role, end), end.sensitivity) for end in ends)
        return visible, role.writes and agency_id == getattr(record, f"{declared.owner_field}_id")

    def governing(self, endpoint, record):
        """The shared record whose policy governs `record` (itself, or its parent)."""
        parent = endpoint.declaration.parent if endpoint.kind == "child" else None
        return getattr(record, parent) if parent else record


def _unique_char_fields(model):
    names = {f.name for f in model._meta.fields if f.unique and isinstance(f, models.CharField) and not f.primary_key}
    for constraint in model._meta.constraints:
        # A conditional constraint (one automatic submission per dataset) holds for some rows
        # only; suffixing its fields would make the copy invalid (an unknown dataset type).
        if getattr(constraint, "condition", None) is not None:
            continue
        names |= set(getattr(constraint, "fields", ()) or ())
    for together in model._meta.unique_together:
        names |= set(together)
    # A field with choices (a crosswalk's vocabulary) cannot take a suffix.
    return [f for f in model._meta.fields if f.name in names and isinstance(f, models.CharField) and not f.choices]


def copy_record(record, suffix, **changes):
    """A saved copy of `record` under a new primary key, unique text fields suffixed."""
    model = type(record)
    # Raw column values (a FieldFile would not survive bulk_create).
    raw = model._default_manager.filter(pk=record.pk).values(*[f.attname for f in model._meta.concrete_fields])[0]
    values = {f.attname: raw[f.attname] for f in model._meta.concrete_fields if not f.primary_key}
    for f in _unique_char_fields(model):
        value = values.get(f.attname) or ""
        values[f.attname] = (value + suffix)[-f.max_length :] if f.max_length else value + suffix
    values.update(changes)
    pk = model._meta.pk
    if isinstance(pk, models.UUIDField):
        values[pk.attname] = uuid.uuid4()
    copy = model(**values)
    # A raw insert: the demo row is valid already, and the copy must not run save() side effects.
    model.objects.bulk_create([copy])
    # Many-to-many values too (a joint plan's participating agencies): the copy must be as valid
    # as the demo row. shared_with is the variant's business (_set_sensitivity).
    for m2m in model._meta.many_to_many:
        if m2m.name != "shared_with" and m2m.remote_field.through._meta.auto_created:
            getattr(copy, m2m.name).set(getattr(record, m2m.name).all())
    return model.objects.get(pk=copy.pk)


def _set_sensitivity(record, sensitivity, listed):
    type(record).objects.filter(pk=record.pk).update(sensitivity=sensitivity)
    record.shared_with.set(listed if sensitivity == Sensitivity.RESTRICTED else [])
    record.refresh_from_db()


def _first(model):
    return model._default_manager.order_by("pk").first()


def _extra_bases():
    """Records the demo does not have."""
    from monitoring.models import Deployment, Media

    if Media.objects.exists():
        return
    deployment = _first(Deployment)
    if deployment is None:
        return
    Media.objects.create(
        owner_agency=deployment.owner_agency,
        deployment=deployment,
        media_id="contract-media",
        timestamp=timezone.now(),
        file_path="contract/media.jpg",
        file_mediatype="image/jpeg",
    )


def build_world():
    """Seed the demo and the contract's variants; call inside a transaction you roll back."""
    with transaction.atomic():
        call_command("seed_demo", quiet_logins=True, stdout=io.StringIO())
        secretariat = Agency.objects.get(code=SECRETARIAT_CODE)
        owners = list(Agency.objects.all())
        partners = {}
        for relation, code in PARTNERS.items():
            partners[relation], _ = Agency.objects.get_or_create(
                code=code, defaults={"name_en": f"Contract {relation}", "country": "CN", "kind": "ngo"}
            )
        for owner in owners:
            for relation, scope in (("view", "view"), ("precise", "precise_locations")):
                DataSharingGrant.objects.create(grantor=owner, grantee=partners[relation], scope=scope, dataset_type="")
        _extra_bases()
        world = World(
            endpoints=discover(), secretariat=secretariat, default_owner=Agency.objects.get(code=DEFAULT_OWNER_CODE)
        )
        shared = [e for e in world.endpoints.values() if e.kind == "shared" and e.model is not None]
        for endpoint in shared:
            _guarded(world, endpoint, _variants_for_shared, secretariat)
        for endpoint in (e for e in world.endpoints.values() if e.kind == "child"):
            _guarded(world, endpoint, _variants_for_child)
        for endpoint in (e for e in world.endpoints.values() if e.kind == "reference"):
            base = _first(endpoint.model)
            if base is not None:
                world.records[endpoint.name] = {"reference": base}
        # Callers of every role for every owner in use, made now: tests run in savepoints that
        # roll back, so nothing a test needs may be created lazily.
        for name, variants in world.records.items():
            for record in variants.values():
                for role in ROLES:
                    world.caller(role, world.owner_of(world.endpoints[name], record))
        for role in ROLES:
            world.caller(role, world.default_owner)
        for endpoint in (e for e in world.endpoints.values() if e.kind in GOVERNED):
            _guarded(world, endpoint, _governed_rows)
        for name, variants in world.records.items():
            if world.endpoints[name].kind in GOVERNED:
                for record in variants.values():
                    for role in ROLES:
                        world.caller(role, world.governed_owner(world.endpoints[name], record))
    return world


def _guarded(world, endpoint, build, *args):
    """Build one endpoint's variants; a failure skips that endpoint's cases, with the reason."""
    try:
        with transaction.atomic():
            build(world, endpoint, *args)
    except Exception as exc:  # the data of one model must not take the whole contract down
        world.records.pop(endpoint.name, None)
        world.skipped[endpoint.name] = f"could not copy the demo's {endpoint.model._meta.label}: {exc}"[:300]


def _variants_for_shared(world, endpoint, secretariat):
    model = endpoint.model
    existing = next((v for name, v in world.records.items() if world.endpoints[name].model is model), None)
    if existing:
        world.records[endpoint.name] = existing
        return
    base = _first(model)
    if base is None:
        world.skipped[endpoint.name] = f"no {model._meta.label} in the demo"
        return
    variants = {}
    wanted = endpoint.declaration.variants or tuple(VARIANTS)
    for variant, sensitivity in ((v, VARIANTS[v]) for v in wanted):
        # Every variant is a fresh copy: the newest rows, first in a list ordered by -created_at.
        changes = endpoint.declaration.variant_changes.get(variant, {})
        record = copy_record(base, f"-ct{variant[:2]}", **changes)
        _set_sensitivity(record, sensitivity, [secretariat])
        variants[variant] = record
    world.records[endpoint.name] = variants


def _variants_for_child(world, endpoint):
    parent_field = endpoint.declaration.parent
    model = endpoint.model
    parent_model = model._meta.get_field(parent_field).related_model
    parents = next(
        (v for name, v in world.records.items() if world.endpoints[name].model is parent_model and "partners" in v),
        None,
    )
    base = _first(model)
    if parents is None or base is None:
        world.skipped[endpoint.name] = f"no {model._meta.label} (or its {parent_field}) in the demo"
        return
    fk = model._meta.get_field(parent_field).attname
    world.records[endpoint.name] = {
        variant: copy_record(base, f"-ct{variant[:2]}", **{fk: parent.pk}) for variant, parent in parents.items()
    }


def _governed_rows(world, endpoint):
    """One row per variant for the kinds agency_row, party, recipient and link."""
    from antipoaching.models import IncidentLink
    from core.models import DataSharingGrant, Notification
    from monitoring.models import Crosswalk, Vocabulary
    from monitoring.models.protocols import shared_keys

    owner = world.default_owner
    if endpoint.kind == "party":
        grant = DataSharingGrant.objects.filter(grantor=owner, grantee__code=PARTNERS["view"]).first()
        world.records[endpoint.name] = {"row": grant}
    elif endpoint.kind == "agency_row":
        vocabulary = Vocabulary.SPECIES
        row = Crosswalk.objects.create(
            agency=owner, vocabulary=vocabulary, local_code="ct-local", shared_key=sorted(shared_keys(vocabulary))[0]
        )
        world.records[endpoint.name] = {"row": row}
    elif endpoint.kind == "recipient":
        recipient = world.caller(next(r for r in ROLES if r.name == "owner_staff"), owner).user
        row = Notification.objects.create(recipient=recipient, subject="Contract notification", body="For one user.")
        world.records[endpoint.name] = {"row": row}
    elif endpoint.kind == "link":
        incidents = world.records.get("incident")
        if not incidents:
            world.skipped[endpoint.name] = "no incident variants"
            return
        start = incidents["partners"]
        ends = {"partners": copy_record(start, "-ctp2"), **{v: incidents[v] for v in ("restricted", "owner_only")}}
        world.records[endpoint.name] = {
            variant: IncidentLink.objects.create(
                from_incident=start, to_incident=end, created_by_agency=start.owner_agency, note="contract"
            )
            for variant, end in ends.items()
        }


def is_shared(model):
    return isinstance(model, type) and issubclass(model, SharedRecord)


__all__ = ["ROLES", "Caller", "World", "build_world", "copy_record"]
