"""The one access policy: who may see and change which shared record.

A *principal* is whoever acts: a logged-in user (through their agency membership) or a partner
agency's API key. Every path — API, staff pages, exports, search, maps — asks this module.
"""

from dataclasses import dataclass, field
from functools import cached_property

from django.apps import apps
from django.db.models import Exists, OuterRef, Q

from .geo import generalize_point
from .models.agencies import Role
from .models.base import Sensitivity, SharedRecord
from .models.grants import DataSharingGrant, GrantScope

WRITE_ROLES = {
    Role.SECRETARIAT_COORDINATOR,
    Role.AGENCY_COORDINATOR,
    Role.AGENCY_STAFF,
    Role.EXPERT,
}
COORDINATOR_ROLES = {Role.SECRETARIAT_COORDINATOR, Role.AGENCY_COORDINATOR}


@dataclass(eq=False)
class Principal:
    user: object = None
    agency: object = None
    role: str | None = None
    api_key: object = None
    is_superuser: bool = False
    read_only: bool = True
    _grant_cache: dict = field(default_factory=dict, repr=False)

    @classmethod
    def anonymous(cls):
        return cls()

    @classmethod
    def for_user(cls, user):
        if user is None or not getattr(user, "is_authenticated", False):
            return cls.anonymous()
        from .models.agencies import Membership

        try:
            membership = user.membership
        except (Membership.DoesNotExist, AttributeError):
            membership = None  # an account without an agency sees only public data
        agency = membership.agency if membership else None
        role = membership.role if membership else None
        return cls(
            user=user,
            agency=agency,
            role=role,
            is_superuser=bool(user.is_superuser),
            read_only=not (user.is_superuser or role in WRITE_ROLES),
        )

    @classmethod
    def for_api_key(cls, key):
        return cls(agency=key.agency, api_key=key, read_only=key.read_only)

    @property
    def is_authenticated(self):
        return self.is_superuser or self.agency is not None

    @property
    def agency_id(self):
        return self.agency.pk if self.agency else None

    @property
    def can_write(self):
        return not self.read_only and (self.is_superuser or self.agency is not None)

    @property
    def is_coordinator(self):
        return self.role in COORDINATOR_ROLES

    @property
    def is_secretariat(self):
        return self.is_superuser or bool(self.agency and self.agency.is_secretariat)

    @property
    def is_expert(self):
        return self.role == Role.EXPERT

    @cached_property
    def withheld_category(self):
        """core.access.withheld_category, read once per principal (per request)."""
        return withheld_category()

    @cached_property
    def _active_grants(self):
        if self.agency is None:
            return []
        return list(
            DataSharingGrant.objects.active()
            .filter(grantee=self.agency)
            .values_list("grantor_id", "scope", "dataset_type")
        )

    def granting_agency_ids(self, scope, dataset_type):
        """Agencies that currently grant this principal `scope` on `dataset_type`."""
        return {
            grantor
            for grantor, grant_scope, grant_dataset in self._active_grants
            if grant_scope == scope and grant_dataset in ("", dataset_type)
        }

    def sees_precise_location(self, record):
        """True when `record`'s exact coordinates may be shown to this principal."""
        if self.is_superuser:
            return True
        if self.agency is None:
            return False
        if record.owner_agency_id == self.agency.pk:
            return True
        return record.owner_agency_id in self.granting_agency_ids(
            GrantScope.PRECISE_LOCATIONS, type(record).dataset_type()
        )

    def precise_owner_ids(self, model):
        """For list paths: the owners whose records of `model` this principal sees precisely.

        Returns None for "all owners" (superuser).
        """
        if self.is_superuser:
            return None
        if self.agency is None:
            return set()
        return {self.agency.pk} | self.granting_agency_ids(GrantScope.PRECISE_LOCATIONS, model.dataset_type())


def principal_for(request):
    """The principal behind a request (API key or session user), computed once per request."""
    cached = getattr(request, "_portal_principal", None)
    if cached is not None:
        return cached
    from .models.apikeys import AgencyAPIKey

    auth = getattr(request, "auth", None)
    if isinstance(auth, AgencyAPIKey):
        principal = Principal.for_api_key(auth)
    else:
        principal = Principal.for_user(getattr(request, "user", None))
    request._portal_principal = principal
    return principal


def visible_filter(model, principal):
    """The Q object that keeps only the records of `model` that `principal` may see."""
    if principal.is_superuser:
        return Q()
    public = Q(sensitivity=Sensitivity.PUBLIC)
    if principal.agency is None:
        return public
    agency_id = principal.agency.pk
    through = model.shared_with.through
    listed = Exists(through.objects.filter(**{f"{model._meta.model_name}_id": OuterRef("pk"), "agency_id": agency_id}))
    granted = principal.granting_agency_ids(GrantScope.VIEW, model.dataset_type())
    condition = (
        public
        | Q(sensitivity=Sensitivity.PARTNERS)
        | Q(owner_agency_id=agency_id)
        | (Q(sensitivity=Sensitivity.RESTRICTED) & listed)
    )
    if granted:
        condition |= Q(owner_agency_id__in=granted)
    return condition


def editable_filter(model, principal):
    """Records a principal may change: its own agency's, if it may write at all."""
    if principal.is_superuser:
        return Q()
    if not principal.can_write:
        return Q(pk__in=[])
    return Q(owner_agency_id=principal.agency.pk)


def can_edit(principal, record):
    if principal.is_superuser:
        return True
    return principal.can_write and record.owner_agency_id == principal.agency_id


def can_create_for(principal, agency):
    """May `principal` create a record owned by `agency`?"""
    if principal.is_superuser:
        return True
    return principal.can_write and agency is not None and agency.pk == principal.agency_id


def shared_dataset_types():
    """Every dataset type a grant may name: the concrete SharedRecord models."""
    return sorted(model.dataset_type() for model in apps.get_models() if issubclass(model, SharedRecord))


def location_for(principal, record, latitude, longitude, category):
    """What `principal` may see of a point of `record` of the given sensitivity category.

    Returns a `GeneralizedPoint` (possibly exact), or None when nothing may be shown.
    """
    precise = category == 0 or principal.sees_precise_location(record)
    return point_for(principal, latitude, longitude, category, precise)


def point_for(principal, latitude, longitude, category, precise):
    """The one generalization rule: exact when `precise` (or the species is not sensitive),
    snapped to the category's grid otherwise, nothing at all for the public.

    List paths decide `precise` from `principal.precise_owner_ids(Model)` once per request
    (`owner_id in ids`, or ids None) and call this per record.
    """
    if latitude is None or longitude is None:
        return None
    precise = precise or category == 0
    if not precise and not principal.is_authenticated:
        return None  # the public sees no location of a sensitive species
    return generalize_point(latitude, longitude, 0 if precise else category)


def withheld_category():
    """The one Chapman category at which withheld camera-trap points and transects are given.

    The setting, made coarser when a species in the shared list is stricter, so that the grid of
    an answer never tells which species was recorded at a place.
    """
    from django.conf import settings
    from django.db.models import Min

    from .models.species import Species

    configured = getattr(settings, "PORTAL_WITHHELD_LOCATION_CATEGORY", 2)
    strictest = Species.objects.filter(sensitivity_category__gt=0).aggregate(c=Min("sensitivity_category"))["c"]
    return min(configured, strictest) if strictest else configured


def withheld_grid_degrees(principal=None):
    """The cell size (degrees) of the withheld grid (per principal: computed once per request)."""
    from .geo import GRID_DEGREES

    category = principal.withheld_category if principal is not None else withheld_category()
    return GRID_DEGREES[category]


def withheld_point_for(principal, latitude, longitude, precise):
    """The rule for records whose derived sensitivity the viewer may not see (camera-trap points,
    transects): exact when `precise`, otherwise always the one withheld grid, whatever species was
    recorded there, so that the form of the answer tells nothing; nothing at all for the public.
    """
    if latitude is None or longitude is None:
        return None
    if precise:
        return generalize_point(latitude, longitude, 0)
    if not principal.is_authenticated:
        return None
    return generalize_point(latitude, longitude, principal.withheld_category)


# --- links: may a principal point a new record at a target record? --------------------------------

LINK_VIEW = "view"
LINK_EDIT = "edit"


def is_visible(principal, record):
    """True when `record` is among what `principal` may see (its manager's `visible_to`)."""
    queryset = type(record)._default_manager.all()
    if not hasattr(queryset, "visible_to"):
        return True
    return queryset.visible_to(principal).filter(pk=record.pk).exists()


def is_participant(principal, record):
    """True when `record` names the principal's agency among its participants.

    A model opts in by naming its many-to-many to core.Agency in `link_participants`, e.g.
    `link_participants = "participating_agencies"` on a joint survey.
    """
    field_name = getattr(type(record), "link_participants", None)
    if not field_name or principal.agency_id is None or record.pk is None:
        return False
    return getattr(record, field_name).filter(pk=principal.agency_id).exists()


def can_link(principal, target, rule=LINK_EDIT):
    """May `principal` make a record of theirs point at `target` under `rule`?

    `rule` is "view" (seeing the target is enough), "edit" (the target's owner, an agency the
    target lists as participant, or whatever the target's `can_be_linked_by(principal)` says),
    or a callable `(principal, target) -> bool`.
    """
    if principal.is_superuser:
        return True
    if callable(rule):
        return bool(rule(principal, target))
    if rule == LINK_VIEW:
        return is_visible(principal, target)
    if rule != LINK_EDIT:
        raise ValueError(f"Unknown link rule {rule!r}")
    if not principal.can_write:
        return False
    decide = getattr(target, "can_be_linked_by", None)
    if callable(decide):
        return bool(decide(principal))
    return can_edit(principal, target) or is_participant(principal, target)


def link_rules_for(model, declared=None):
    """The link rules of `model` (its `link_rules` class attribute) updated by a form's or
    serializer's own `Meta.link_rules`. {field name: rule}."""
    rules = dict(getattr(model, "link_rules", None) or {})
    rules.update(declared or {})
    return rules


def link_refused_message(target):
    from django.utils.translation import gettext

    return gettext("You cannot link to “%(record)s”: only its owning agency or a participating agency may do so.") % {
        "record": target
    }


def visible_choices(queryset, principal, keep=()):
    """`queryset` narrowed to what `principal` may see; the pks in `keep` (the current values of
    an edited record) stay choosable so that re-saving it does not fail."""
    if principal is None or not hasattr(queryset, "visible_to"):
        return queryset
    narrowed = queryset.visible_to(principal)
    keep = [pk for pk in keep if pk is not None]
    if keep:
        narrowed = queryset.filter(Q(pk__in=narrowed.values("pk")) | Q(pk__in=keep))
    return narrowed
