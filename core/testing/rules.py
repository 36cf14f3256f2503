"""The contract's one table of rules: what each role may do to a record, by the access policy.

The table restates core/access.py in plain terms (who sees which sensitivity, who writes what);
`test_rules_agree_with_the_policy` in tests/test_contract_api.py checks that it says the same as
`visible_filter`/`can_edit`/`can_create_for`, so neither can drift without a failing test.
"""

from dataclasses import dataclass

from core.models.base import Sensitivity

# --- roles ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Role:
    """A kind of caller, described by its relation to the record's owning agency.

    relation: "anonymous", "owner" (same agency as the record), "other" (a partner agency, no
    grant), "view" / "precise" (a partner the owner granted that scope), "secretariat" (the
    secretariat's coordinator: a partner, listed on restricted records of the contract data).
    """

    name: str
    relation: str
    kind: str  # "anonymous", "user" or "key"
    membership_role: str | None = None  # core.models.Role value for users
    writes: bool = False

    def __str__(self):
        return self.name


ROLES = [
    Role("anonymous", "anonymous", "anonymous"),
    Role("observer", "owner", "user", "observer"),
    Role("owner_staff", "owner", "user", "agency_staff", writes=True),
    Role("other_staff", "other", "user", "agency_staff", writes=True),
    Role("view_grant_staff", "view", "user", "agency_staff", writes=True),
    Role("precise_grant_staff", "precise", "user", "agency_staff", writes=True),
    Role("coordinator", "owner", "user", "agency_coordinator", writes=True),
    Role("secretariat", "secretariat", "user", "secretariat_coordinator", writes=True),
    Role("read_only_key", "owner", "key", writes=False),
    Role("read_write_key", "owner", "key", writes=True),
]
ROLE_BY_NAME = {role.name: role for role in ROLES}
PAGE_ROLES = [role for role in ROLES if role.kind != "key"]  # keys are for the API only

# --- record variants: one record per sensitivity the contract checks --------------------------

# "restricted" records of the contract data list the secretariat's agency in shared_with.
VARIANTS = {
    "partners": Sensitivity.PARTNERS,
    "restricted": Sensitivity.RESTRICTED,
    "owner_only": Sensitivity.OWNER,
}

# --- the table --------------------------------------------------------------------------------

ALL = {Sensitivity.PUBLIC, Sensitivity.PARTNERS, Sensitivity.RESTRICTED, Sensitivity.OWNER}
PARTNER = {Sensitivity.PUBLIC, Sensitivity.PARTNERS}

# Which sensitivities a relation sees. "listed" is a partner named in the record's shared_with.
SEES = {
    "anonymous": {Sensitivity.PUBLIC},
    "owner": ALL,
    "view": ALL,  # a view grant opens restricted and owner-only records of the grantor
    "precise": PARTNER,  # a precise-locations grant sharpens points, it opens no record
    "other": PARTNER,
    "listed": PARTNER | {Sensitivity.RESTRICTED},
}

# Statuses. Refusals of an unauthenticated caller may be either (DRF picks by authenticator).
OK, CREATED, NO_CONTENT = 200, 201, 204
UNAUTHENTICATED = (401, 403)
FORBIDDEN = (403,)
NOT_FOUND = (404,)
REFUSED_CREATE = (400, 403)  # a create for another agency: refused, by validation or permission
IN_USE = 409  # an allowed delete of a record other records still use (PROTECT): refused, cleanly


def relation_to(role, owner_is_secretariat, listed):
    """The role's relation to one record: `listed` when the record's shared_with names it."""
    relation = role.relation
    if relation == "secretariat":
        relation = "owner" if owner_is_secretariat else "other"
    if relation == "other" and listed:
        relation = "listed"
    return relation


def sees(relation, sensitivity):
    return sensitivity in SEES[relation]


def may_edit(role, relation):
    """Edits: a writing principal of the owning agency, nobody else (core.access.can_edit)."""
    return role.writes and relation == "owner"


@dataclass(frozen=True)
class Expectation:
    statuses: tuple
    visible: bool | None = None  # for lists: should the record be listed?

    def allows(self, status):
        return status in self.statuses


def expect_record(role, op, relation, sensitivity, *, public_read=False):
    """The outcome of `op` ("list", "retrieve", "update", "delete") on one record."""
    if role.kind == "anonymous" and not (public_read and op in ("list", "retrieve")):
        return Expectation(UNAUTHENTICATED, visible=False)
    visible = sees(relation, sensitivity)
    if op == "list":
        return Expectation((OK,), visible=visible)
    if op == "retrieve":
        return Expectation((OK,) if visible else NOT_FOUND, visible=visible)
    if not role.writes:
        # Refused before the record is looked up, the same for every id: it tells nothing.
        return Expectation(FORBIDDEN)
    if not visible:
        return Expectation(NOT_FOUND)  # never 403: that would confirm the record exists
    if not may_edit(role, relation):
        return Expectation(FORBIDDEN)
    return Expectation((OK,) if op == "update" else (NO_CONTENT, IN_USE))


def expect_create(role, relation):
    """A create of a record owned by the record's owner (core.access.can_create_for)."""
    if role.kind == "anonymous":
        return Expectation(UNAUTHENTICATED)
    if not role.writes:
        return Expectation(FORBIDDEN)
    if relation == "owner":
        return Expectation((CREATED,))
    return Expectation(REFUSED_CREATE)


def expect_reference(role, op):
    """Shared reference data (agencies, species, vocabularies): everyone signed in reads, the
    secretariat's coordinator writes (core.api.permissions.SecretariatOrAdminWrite)."""
    if role.kind == "anonymous":
        return Expectation(UNAUTHENTICATED)
    if op in ("list", "retrieve"):
        return Expectation((OK,), visible=True)
    if role.relation != "secretariat" or not role.writes:
        return Expectation(FORBIDDEN)
    return Expectation({"create": (CREATED,), "update": (OK,), "delete": (NO_CONTENT, IN_USE)}[op])


def expect_signed_in_read(role, users_only=False):
    """Endpoints declared as "any signed-in principal reads" (reports, the caller's own lists);
    `users_only`: things of a user account (notifications), which an agency key has not."""
    if role.kind == "anonymous":
        return Expectation(UNAUTHENTICATED)
    if users_only and role.kind == "key":
        return Expectation(FORBIDDEN)
    return Expectation((OK,))


# --- pages ------------------------------------------------------------------------------------


def expect_page(role, relation=None, sensitivity=None):
    """A list page (relation None) or a record's detail page: login first, then visibility."""
    if role.kind == "anonymous":
        return "login"
    if relation is None:
        return OK
    return OK if sees(relation, sensitivity) else 404


# --- rows that are not shared records (core/testing/endpoints.py kinds) ---------------------------

GOVERNED = ("agency_row", "party", "recipient", "link")
COORDINATORS = {"agency_coordinator", "secretariat_coordinator"}


def expect_governed(kind, role, op, visible, writes):
    """`op` on a row of `kind` that `role` sees (`visible`) and may change (`writes`).

    Same shape as the shared records: anonymous refused, an invisible row is 404 (never 403), a
    read-only principal gets 403 on writes before any lookup; an inbox is a user's, never a key's.
    """
    if role.kind == "anonymous":
        return Expectation(UNAUTHENTICATED, visible=False)
    if kind == "recipient" and role.kind == "key":
        return Expectation(FORBIDDEN, visible=False)
    if op == "list":
        return Expectation((OK,), visible=visible)
    if op == "retrieve":
        return Expectation((OK,) if visible else NOT_FOUND, visible=visible)
    if not role.writes and kind != "recipient":  # a reader may still mark its own inbox read
        return Expectation(FORBIDDEN)
    if not visible:
        return Expectation(NOT_FOUND)
    if not writes:
        return Expectation(FORBIDDEN)
    return Expectation({"update": (OK,), "delete": (NO_CONTENT, IN_USE), "action": (OK,)}[op])


def expect_governed_create(kind, role, owns):
    """A create of a row for the caller's side (`owns`: it gives the grant, it is the agency)."""
    if role.kind == "anonymous":
        return Expectation(UNAUTHENTICATED)
    if not role.writes:
        return Expectation(FORBIDDEN)
    return Expectation((CREATED,) if owns else REFUSED_CREATE)
