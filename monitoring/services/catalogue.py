"""The individual catalogue: agency IDs, match proposals, merges and splits."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from ..models import (
    CatalogueEvent,
    Individual,
    IndividualAlias,
    IndividualStatus,
    MatchProposal,
    Observation,
)
from .notifications import match_proposed, other_country


def next_catalogue_code(species):
    prefix = {"Panthera pardus orientalis": "AL", "Panthera tigris altaica": "AT"}.get(species.scientific_name, "IND")
    taken = Individual.objects.filter(catalogue_code__startswith=f"{prefix}-").count()
    number = taken + 1
    while Individual.objects.filter(catalogue_code=f"{prefix}-{number:03d}").exists():
        number += 1
    return f"{prefix}-{number:03d}"


def individual_for_alias(agency, local_id, species, sex="", first_detected=None, create=True):
    """The catalogue individual behind an agency's ID (following merges); new IDs start a record."""
    alias = IndividualAlias.objects.select_related("individual").filter(agency=agency, local_id=local_id).first()
    if alias is not None:
        return alias.individual.current()
    if not create:
        return None
    individual = Individual.objects.create(
        owner_agency=agency,
        species=species,
        catalogue_code=next_catalogue_code(species),
        name=local_id,
        sex=sex or "unknown",
        first_detected=first_detected,
    )
    IndividualAlias.objects.create(individual=individual, agency=agency, local_id=local_id)
    return individual


def individual_for_import(agency, local_id, species, sex="", first_detected=None):
    """The catalogue individual for an ID in an agency's package: (individual or None, note).

    Each agency's IDs are its own: the agency's alias finds its individual (following merges);
    a catalogue code ("AL-003") finds that individual. An ID that is another agency's alias is
    not a new animal: nothing is created (that would duplicate the other agency's individual),
    and the observation stays unlinked until a match is proposed and confirmed; the note says so.
    Only an ID no one uses starts a new individual.
    """
    alias = IndividualAlias.objects.select_related("individual").filter(agency=agency, local_id=local_id).first()
    if alias is not None:
        return alias.individual.current(), "own"
    coded = Individual.objects.filter(catalogue_code=local_id).first()
    if coded is not None:
        current = coded.current()
        if current.species_id == getattr(species, "pk", species):
            return current, "catalogue_code"
        return None, "other_species"
    if IndividualAlias.objects.filter(local_id=local_id).exclude(agency=agency).exists():
        return None, "other_agency"
    return individual_for_alias(agency, local_id, species, sex=sex, first_detected=first_detected), "created"


@transaction.atomic
def propose_match(principal, individual, other, evidence=""):
    """A page's proposal: the model's rules (MatchProposal.clean) decide, as on every other path."""
    if not principal.can_write or principal.agency is None:
        raise PermissionDenied(_("Your account is read-only."))
    proposal = MatchProposal(
        owner_agency=principal.agency,
        individual=individual,
        other=other,
        evidence=evidence,
        created_by=principal.user,
    )
    proposal.full_clean()
    proposal.save()
    match_proposed(proposal, principal)
    return proposal


def can_review_match(principal, proposal):
    """An expert of the other country than the proposing agency's."""
    if principal.is_superuser:
        return True
    if not principal.is_expert or principal.agency is None:
        return False
    return principal.agency.country == other_country(proposal.owner_agency.country)


def merge_individuals(principal, source, target, proposal=None, note=""):
    """Fold `source` into `target`: its agency IDs and detections move; the history keeps them."""
    aliases = list(source.aliases.values_list("pk", flat=True))
    observations = [str(pk) for pk in Observation.objects.filter(individual=source).values_list("pk", flat=True)]
    IndividualAlias.objects.filter(pk__in=aliases).update(individual=target)
    Observation.objects.filter(individual=source).update(individual=target)
    source.status = IndividualStatus.MERGED
    source.merged_into = target
    source.save()
    dates = [d for d in (source.first_detected, target.first_detected) if d]
    if dates and target.first_detected != min(dates):
        target.first_detected = min(dates)
    if target.sex == "unknown" and source.sex != "unknown":
        target.sex = source.sex
    target.save()
    return CatalogueEvent.objects.create(
        kind=CatalogueEvent.Kind.MERGE,
        source=source,
        target=target,
        proposal=proposal,
        moved_aliases=aliases,
        moved_observations=observations,
        actor=principal.user,
        note=note,
    )


@transaction.atomic
def split_individual(principal, individual, alias_ids, note="", catalogue_code=None):
    """Separate the detections behind some agency IDs into a new individual."""
    if not (
        principal.is_superuser
        or principal.is_expert
        or (principal.can_write and principal.agency_id == individual.owner_agency_id)
    ):
        raise PermissionDenied(_("Only the owning agency or an expert may split an individual."))
    aliases = list(IndividualAlias.objects.filter(individual=individual, pk__in=alias_ids))
    if not aliases:
        raise ValidationError(_("Choose the agency IDs that belong to the other animal."))
    new = Individual.objects.create(
        owner_agency=individual.owner_agency,
        species=individual.species,
        catalogue_code=catalogue_code or next_catalogue_code(individual.species),
        name=aliases[0].local_id,
        sex=individual.sex,
    )
    moved = Observation.objects.filter(individual=individual).filter(
        Q(*[Q(owner_agency=a.agency, individual_local_id=a.local_id) for a in aliases], _connector=Q.OR)
    )
    observation_ids = [str(pk) for pk in moved.values_list("pk", flat=True)]
    Observation.objects.filter(pk__in=observation_ids).update(individual=new)
    IndividualAlias.objects.filter(pk__in=[a.pk for a in aliases]).update(individual=new)
    first = (
        Observation.objects.filter(individual=new).order_by("event_start").values_list("event_start", flat=True).first()
    )
    if first:
        new.first_detected = first.date()
        new.save()
    CatalogueEvent.objects.create(
        kind=CatalogueEvent.Kind.SPLIT,
        source=individual,
        target=new,
        moved_aliases=[a.pk for a in aliases],
        moved_observations=observation_ids,
        actor=principal.user,
        note=note,
    )
    return new
