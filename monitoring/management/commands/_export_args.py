"""Shared arguments of the export commands."""

import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from core.access import Principal
from core.models import Agency, Species
from reserves.models import ProtectedArea

from ...models import Survey
from ...services.taxa import match_species


def add_export_arguments(parser):
    parser.add_argument("--as-agency", required=True, help="Export what this agency may see, generalized for it")
    parser.add_argument("--output", required=True, help="The zip file to write")
    parser.add_argument("--agency", help="Only records owned by this agency (code)")
    parser.add_argument("--survey", help="Only this survey (id)")
    parser.add_argument("--start", type=datetime.date.fromisoformat, help="From this date (YYYY-MM-DD)")
    parser.add_argument("--end", type=datetime.date.fromisoformat, help="Until this date (YYYY-MM-DD)")
    parser.add_argument("--species", help="Only this species (scientific name)")
    parser.add_argument("--area", help="Only deployments in this protected area (id)")


def resolve(options):
    try:
        viewer = Agency.objects.get(code=options["as_agency"])
    except Agency.DoesNotExist:
        raise CommandError(f"Unknown agency {options['as_agency']}") from None
    principal = Principal(agency=viewer, role="agency_staff")
    filters = {"start": options.get("start"), "end": options.get("end")}
    lookups = (
        ("agency", Agency, "code"),
        ("survey", Survey, "pk"),
        ("area", ProtectedArea, "pk"),
    )
    for name, model, field in lookups:
        if options.get(name):
            try:
                found = model.objects.filter(**{field: options[name]}).first()
            except (ValueError, ValidationError):  # not an id at all
                found = None
            if found is None:
                raise CommandError(f"Unknown {name} {options[name]}")
            filters[name] = found
    if options.get("species"):
        match = match_species(options["species"])  # names are matched as everywhere else
        if not match:
            raise CommandError(f"Unknown species {options['species']}: {match.problem}")
        filters["species"] = Species.objects.get(pk=match.pk)
    return principal, {k: v for k, v in filters.items() if v is not None}
