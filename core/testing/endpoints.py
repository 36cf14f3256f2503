"""Every registered /api/v1/ endpoint, found by walking the URL resolver, with how the contract
treats it.

Most endpoints need no declaration: a viewset on `SharedRecordViewSet` is a "shared" endpoint
and gets the whole rule table (core/testing/rules.py). The rest are declared in `DECLARED` below,
by their router basename (or URL name for plain views); `undeclared()` lists what is neither,
and tests/test_contract_api.py fails while that list is not empty, so a new endpoint cannot slip
through uncovered.
"""

import re
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver

API_PREFIX = "api/v1/"

# Kinds:
#   shared      a SharedRecord model under the rule table (inferred for SharedRecordViewSet)
#   child       rows governed by a parent shared record (`parent` names the field)
#   reference   shared vocabulary: everyone signed in reads, the secretariat writes
#   signed_in   any signed-in principal may read (GET) it; anonymous is refused
#   user_only   as signed_in, but it belongs to a user account: an agency API key gets 403
#   public      readable by anyone (a decision, listed so that it is deliberate)
#   manual      covered by its app's own tests; `reason` says where and why
#   agency_row  rows of one agency (field `owner_field`): every signed-in principal reads them, the
#               agency's own writers change them (crosswalks)
#   party       rows between two agencies (`owner_field` gives, `party_field` receives): only the
#               two parties see them, a coordinator of the giver writes (grants)
#   recipient   a user's own rows (notifications): only that user sees them, an API key gets 403
#   link        a link between two shared records (`parent` and `party_field` name them): seen
#               when both are seen, removed by the agency that made it (`owner_field`)
#   record_action / collection_action
#               an extra action of a shared viewset (inferred): GET on a record follows retrieve,
#               GET on the collection follows list, POST on a record follows the write rules up
#               to the lookup (anonymous, read-only, invisible) and may then be the app's workflow


@dataclass
class Declaration:
    kind: str
    parent: str | None = None
    reason: str = ""
    # {"field": value or callable(record) -> value} applied to a round-trip create payload;
    # create=False when the endpoint has no generic create (the reason says why).
    create_changes: dict = field(default_factory=dict)
    create: bool = True
    delete: bool = True
    # Variants the model allows (an alert is never owner-only); None: every variant.
    variants: tuple | None = None
    # {variant: {field: value}} applied to that variant's copy of the demo record, so that each
    # copy is valid under the model's rules (suspects only on a restricted incident).
    variant_changes: dict = field(default_factory=dict)
    # The kinds agency_row, party, recipient and link (see above).
    owner_field: str | None = None
    party_field: str | None = None
    # Extra actions: "post" for a POST action; second_lookup fills a second URL part (a workflow
    # transition's name).
    method: str = "get"
    second_lookup: str | None = None
    # Known breaches of the policy: {(role name, operation, variant or None): reason}. These run
    # as xfail(strict=True): when the code is fixed the test turns red until the entry goes.
    known_breaches: dict = field(default_factory=dict)


def _code(record):
    return f"{getattr(record, 'code', 'x')}-ct"[:32]


DECLARED = {
    # --- core -------------------------------------------------------------------------------
    "agency": Declaration(
        "reference",
        create_changes={"code": "CTNEW"},
        delete=False,
        reason="agencies are PROTECTed by every record; deleting one is not a contract case",
    ),
    "species": Declaration("reference", create_changes={"scientific_name": "Contractus testus"}),
    # Only grantor and grantee see a grant; a coordinator of the grantor gives and revokes it.
    "grant": Declaration("party", owner_field="grantor", party_field="grantee", variants=("row",)),
    "grant-revoke": Declaration("record_action", parent="grant", method="post"),
    "training-participant": Declaration("child", parent="course"),
    "training-trained-staff": Declaration("signed_in"),
    "notification": Declaration("recipient", owner_field="recipient", variants=("row",)),
    "notification-preference": Declaration(
        "manual", reason="the caller's own settings: core/tests/test_notifications.py"
    ),
    "obligation": Declaration("signed_in"),
    "notification-read-all": Declaration("user_only", method="post"),
    "notification-unread-count": Declaration("user_only"),
    "notification-urgent": Declaration("user_only"),
    "notification-acknowledge": Declaration("record_action", parent="notification", method="post"),
    "notification-read": Declaration("record_action", parent="notification", method="post"),
    "notification-preference-me": Declaration("user_only"),
    "attachment": Declaration(
        "manual", reason="needs a stored, content-checked file per record: core/tests/test_documents.py"
    ),
    "me": Declaration("signed_in"),
    # The schema, its docs and the routers' indexes are for signed-in callers only.
    "schema": Declaration("signed_in"),
    "docs": Declaration("signed_in"),
    "api-root": Declaration("signed_in"),
    # --- antipoaching -----------------------------------------------------------------------
    # Suspects may only be kept on a restricted record: the create template and the other
    # variants' copies drop them.
    "incident": Declaration(
        "shared",
        create_changes={"suspects": []},
        variant_changes={"partners": {"suspects": []}, "owner_only": {"suspects": []}},
    ),
    "alert": Declaration(
        "shared",
        variants=("partners", "restricted"),
        create_changes={"recipients": lambda record: [a.code for a in record.shared_with.all()] or ["CTOTHER"]},
        reason="an alert goes to partners or to listed agencies, never owner-only",
    ),
    "incident-type": Declaration("reference", create_changes={"code": "ct-type"}),
    "patrol-leg": Declaration("child", parent="patrol"),
    "waypoint": Declaration("child", parent="patrol"),
    "waypoint-export": Declaration("signed_in"),
    # A link is seen when both cases are; the agency that linked them unlinks them.
    "case-link": Declaration(
        "link",
        parent="from_incident",
        party_field="to_incident",
        owner_field="created_by_agency",
        create=False,
        reason="a create needs a fresh pair of visible cases: antipoaching/tests/test_incidents.py",
    ),
    "plan-transition": Declaration("record_action", parent="plan", method="post", second_lookup="submit"),
    "antipoaching-kpis": Declaration("signed_in"),
    "antipoaching-alerts-pending": Declaration("signed_in"),
    # --- monitoring -------------------------------------------------------------------------
    "observation-type": Declaration("reference", create_changes={"key": "ct-key"}),
    "feature-type": Declaration("reference", create_changes={"key": "ct-key"}),
    "effort-unit": Declaration("reference", create_changes={"key": "ct-key"}),
    "media-file": Declaration(
        "manual", reason="a stored image file (EXIF stripped for partners): monitoring/tests (cams)"
    ),
    "media-thumbnail": Declaration(
        "manual",
        reason="a thumbnail of a stored image file, under the file's rule: monitoring/tests/test_media_serving.py",
    ),
    "crosswalk": Declaration("agency_row", owner_field="agency", variants=("row",)),
    "protocol-version": Declaration(
        "child", parent="protocol", create=False, reason="a version needs a fresh effective date and version number"
    ),
    # GET lists the import runs the caller may see; a POSTed package: monitoring/tests/test_camtrap_import.py
    "camtrap-import": Declaration("signed_in"),
    # Queued imports: the caller's agency's own (owner-only, like the jobs); a job's status is
    # followed through an import: monitoring/tests (imports).
    "camtrap-import-jobs": Declaration("signed_in"),
    "camtrap-import-job": Declaration(
        "manual", reason="one queued import of the caller's agency, made by a big import: monitoring/tests (imports)"
    ),
    "data-request-transition": Declaration(
        "record_action", parent="data-request", method="post", second_lookup="withdraw"
    ),
    "match-proposal-transition": Declaration(
        "record_action", parent="match-proposal", method="post", second_lookup="reject"
    ),
    "camtrap-export": Declaration("signed_in"),
    "dwca-export": Declaration("signed_in"),
    "cross-border-report": Declaration("signed_in"),
    # --- policy -----------------------------------------------------------------------------
    # A round is seen with its agreement (ExchangeRound.access_parent); it is read-only.
    "round": Declaration("child", parent="agreement"),
}


@dataclass
class Endpoint:
    """One router basename (list + detail routes) or one plain view."""

    name: str
    view_class: type
    list_url: str | None = None
    detail_url: str | None = None  # with "{lookup}" where the record goes
    actions: set = field(default_factory=set)  # list, create, retrieve, update, delete
    declaration: Declaration | None = None

    @property
    def kind(self):
        return self.declaration.kind if self.declaration else None

    @property
    def model(self):
        model = getattr(self.view_class, "model", None)
        if model is None:
            serializer = getattr(self.view_class, "serializer_class", None)
            model = getattr(getattr(serializer, "Meta", None), "model", None)
        return model

    @property
    def lookup_field(self):
        return getattr(self.view_class, "lookup_field", "pk")

    @property
    def public_read(self):
        return bool(getattr(self.view_class, "allow_public_read", False))

    def url_for(self, record):
        value = getattr(record, self.lookup_field)
        url = self.detail_url.replace("{lookup}", str(value), 1)
        second = self.declaration.second_lookup if self.declaration else None
        return url.replace("{lookup}", second) if second else url

    def __str__(self):
        return self.name


_ACTION_NAMES = {
    "list": "list",
    "create": "create",
    "retrieve": "retrieve",
    "partial_update": "update",
    "destroy": "delete",
}
_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")


def _walk(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def _clean_route(route):
    """'api/v1/reserves/^protected-areas/(?P<pk>[^/.]+)/$' → '/api/v1/reserves/protected-areas/{lookup}/'."""
    route = route.replace("^", "").replace("$", "")
    route = _GROUP.sub("{lookup}", route)
    return "/" + route


def _infer(view_class):
    # Imported here: the URLconf must load first (DRF's parser setting imports core.api.views).
    from core.api.permissions import SecretariatOrAdminWrite
    from core.api.views import SharedRecordViewSet

    if view_class is not None and issubclass(view_class, SharedRecordViewSet):
        return Declaration("shared")
    permission_classes = getattr(view_class, "permission_classes", ()) or ()
    if any(issubclass(p, SecretariatOrAdminWrite) for p in permission_classes if isinstance(p, type)):
        return Declaration("reference")
    return None


def discover():
    """{name: Endpoint} for every route under /api/v1/ (format-suffix twins left out)."""
    endpoints = {}
    for route, pattern in _walk(get_resolver()):
        if not route.startswith(API_PREFIX) or "format" in route:
            continue
        callback = pattern.callback
        view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
        actions = getattr(callback, "actions", None)
        url = _clean_route(route)
        name = pattern.name or route
        if name == "api-root":
            name = f"api-root {url}"  # each app's router has its own index
        if actions and (name.endswith("-list") or name.endswith("-detail")):
            base = name.rsplit("-", 1)[0]
            endpoint = endpoints.setdefault(base, Endpoint(base, view_class))
            if name.endswith("-list"):
                endpoint.list_url = url
            else:
                endpoint.detail_url = url
            endpoint.actions |= {_ACTION_NAMES[a] for a in actions.values() if a in _ACTION_NAMES}
        else:
            # extra actions (exports, transitions) and plain views: their own endpoint
            endpoints[name] = Endpoint(
                name,
                view_class,
                list_url=url if "{lookup}" not in url else None,
                detail_url=url if "{lookup}" in url else None,
                actions=set((actions or {}).values()) or {"get"},
            )
    for name, endpoint in endpoints.items():
        declared = DECLARED.get(name.split(" ")[0])
        if declared is None and (endpoint.detail_url or "").count("{lookup}") > 1:
            declared = Declaration("manual", reason="a workflow transition: the app's workflow tests")
        endpoint.declaration = declared or _infer_extra(name, endpoint, endpoints)
    return endpoints


def _infer_extra(name, endpoint, endpoints):
    declared = _infer(endpoint.view_class)
    if declared is None:
        return None
    if not _is_crud(endpoint):
        # An extra action of a viewset (export, transitions, report): a GET on a record follows
        # retrieve; a GET on the collection follows list; POST actions are the app's workflow.
        parent = next((e for e in endpoints.values() if e.view_class is endpoint.view_class and _is_crud(e)), None)
        if parent is None:
            return None
        return Declaration("record_action" if endpoint.detail_url else "collection_action", parent=parent.name)
    return declared


def _is_crud(endpoint):
    return bool(endpoint.actions & set(_ACTION_NAMES.values()))


def undeclared(endpoints=None):
    """Names of endpoints the contract does not know how to treat: declare them in DECLARED."""
    endpoints = endpoints or discover()
    return sorted(name for name, e in endpoints.items() if e.declaration is None)


def by_kind(*kinds, endpoints=None):
    endpoints = endpoints or discover()
    return [e for e in endpoints.values() if e.kind in kinds]
