"""What protects shared data in an import, and the report of what an import did or would do.

- Another agency's IDs (`foreign_keys`): rows whose deployment, media or observation ID another
  agency owns and the importing agency does not are left out and reported by owner.
- Nothing the package does not give is cleared (`classify`): a missing column, an empty cell
  or no survey chosen keeps the stored value; a row with nothing new is not written.
- Points outside settings.PORTAL_REGION_BBOX are refused unless confirmed (`check_region`).
The methods are mixed into the Importer, whose state (agency, run, errors, report) they use.
"""

import dataclasses
import json
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from core.models import Agency, Species

from ..services.catalogue import individual_for_import
from .package import format_error

MAX_ERRORS = 50
TABLES = ("deployments", "media", "observations")
# Never taken from a row on update: who created it, when, its owner, and the sensitivity the
# owner chose (an import does not loosen it); derived fields are recomputed after the import.
FIXED = {"id", "owner_agency_id", "created_by_id", "created_at", "revision", "sensitivity"}
DERIVED = {"protected_area_id", "protected_area_covers_cell", "location_category"}
STAMPS = {"updated_at", "import_run_id"}


def region_bbox():
    """(west, south, east, north) of the portal's region, or None when none is configured."""
    box = getattr(settings, "PORTAL_REGION_BBOX", None)
    if not box:
        return None
    west, south, east, north = (float(v) for v in box)
    return west, south, east, north


@dataclass
class ImportReport:
    """What an import did, or a dry run would do: per table created/updated/unchanged/refused, and notes."""

    dry_run: bool = False
    counts: dict = dataclasses.field(default_factory=lambda: {t: dict.fromkeys(COUNT_KINDS, 0) for t in TABLES})
    notices: list = dataclasses.field(default_factory=list)
    individuals_created: int = 0
    version: str = ""
    run: object = None

    def add(self, table, kind, n=1):
        self.counts[table][kind] += n

    def as_dict(self):
        return {
            "dry_run": self.dry_run,
            "version": self.version,
            "counts": self.counts,
            "individuals_created": self.individuals_created,
            "notices": [{**n, "text": format_error(n)} for n in self.notices],
        }


COUNT_KINDS = ("created", "updated", "unchanged", "refused")
KEY_FIELDS = {"deployments": "deploymentID", "media": "mediaID", "observations": "observationID"}


class Safeguards:
    def notice(self, resource, message, **extra):
        """Something left out or not linked that does not refuse the package (shown in the report)."""
        self.report.notices.append({"resource": resource, "message": str(message), **extra})

    def advance(self, rows):
        self.done_rows += rows
        if self.progress is not None:
            total = getattr(getattr(self, "summary", None), "total_rows", 0)
            self.progress(self.done_rows, max(total, self.done_rows))

    # what belongs to whom ------------------------------------------------------
    def other_agency_ids(self):
        if not hasattr(self, "_others"):
            self._others = list(Agency.objects.exclude(pk=self.agency.pk).values_list("pk", flat=True))
        return self._others

    def foreign_keys(self, model, key, keys):
        """{ID: agency code} of the IDs another agency owns and the importing agency does not."""
        if not keys or not self.other_agency_ids():
            return {}
        # owner_agency_id first: the (owner agency, ID) unique index answers it.
        theirs = dict(
            model.objects.filter(owner_agency_id__in=self.other_agency_ids(), **{f"{key}__in": keys}).values_list(
                key, "owner_agency__code"
            )
        )
        if not theirs:
            return {}
        ours = set(
            model.objects.filter(owner_agency=self.agency, **{f"{key}__in": list(theirs)}).values_list(key, flat=True)
        )
        return {k: v for k, v in theirs.items() if k not in ours}

    def refuse_foreign(self, resource, foreign, label):
        """One note per owning agency for rows left out because their IDs are that agency's records."""
        self.report.add(resource, "refused", len(foreign))
        by_agency = {}
        for key, code in foreign.items():
            by_agency.setdefault(code, []).append(key)
        for code, keys in sorted(by_agency.items()):
            keys.sort()
            shown = ", ".join(keys[:5]) + ("…" if len(keys) > 5 else "")
            self.notice(
                resource,
                _(
                    "%(n)s %(label)s left out: their IDs (%(ids)s) are records of %(agency)s, which only that "
                    "agency changes; an import never copies them into your agency's name."
                )
                % {"n": len(keys), "label": label, "ids": shown, "agency": code},
                ids=keys[:50],
                agency=code,
                kind="other_agency",
            )

    def classify(self, model, columns, key, rows, resource, numbers):
        """Rows to write (new or changed), merged with what is stored; counts created/updated/unchanged.

        A value the package does not give (None or "") keeps the stored one. A row whose ID was
        already written by this import is a duplicate (an error naming the row).
        """
        fields = {f.column: f for f in model._meta.concrete_fields}
        attnames = [fields[c].attname for c in columns]
        json_columns = {i for i, c in enumerate(columns) if fields[c].get_internal_type() == "JSONField"}
        key_index = columns.index(key)
        stored = {
            values[key_index]: values
            for values in model.objects.filter(
                owner_agency=self.agency, **{f"{key}__in": [r[key_index] for r in rows]}
            ).values_list(*attnames)
        }
        run_index = columns.index("import_run_id")
        out = []
        for row, number in zip(rows, numbers, strict=True):
            old = stored.get(row[key_index])
            if old is None:
                self.report.add(resource, "created")
                out.append(row)
                continue
            if old[run_index] == self.run.pk:
                self.error(
                    resource,
                    number,
                    KEY_FIELDS[resource],
                    _("Duplicate value “%(value)s”.") % {"value": row[key_index]},
                )
                continue
            merged, changed = list(row), False
            for i, column in enumerate(columns):
                if column in FIXED or column in STAMPS:
                    continue
                if column in DERIVED:
                    merged[i] = old[i]
                    continue
                new = row[i]
                given = json.loads(new) if i in json_columns and new is not None else new
                if given is None or given == "":
                    # Not in the package: what is stored stays.
                    if old[i] is not None:
                        merged[i] = json.dumps(old[i]) if i in json_columns else old[i]
                    continue
                if given != old[i]:
                    changed = True
            if changed:
                self.report.add(resource, "updated")
                out.append(tuple(merged))
            else:
                self.report.add(resource, "unchanged")
        return out

    def check_region(self, number, r):
        box = self.region
        if box is None or self.confirm_outside_region:
            return
        west, south, east, north = box
        if not (south <= r["latitude"] <= north and west <= r["longitude"] <= east):
            self.outside_region.append((number, r["deploymentID"], r["latitude"], r["longitude"]))

    def refuse_outside_region(self):
        if not self.outside_region:
            return
        west, south, east, north = self.region
        listed = ", ".join(f"{key} ({lat:.4f}, {lon:.4f})" for _number, key, lat, lon in self.outside_region[:5]) + (
            "…" if len(self.outside_region) > 5 else ""
        )
        self.errors.insert(
            0,
            {
                "resource": "deployments",
                "row": self.outside_region[0][0] if len(self.outside_region) == 1 else None,
                "field": "latitude",
                "code": "outside_region",
                "message": _(
                    "%(n)s deployments lie outside the portal's region (latitude %(south)s to %(north)s, "
                    "longitude %(west)s to %(east)s): %(listed)s. Check the coordinates (latitude and longitude "
                    "swapped? a sign lost?); if they are right, confirm that points outside the region may be "
                    "imported and import again."
                )
                % {
                    "n": len(self.outside_region),
                    "south": south,
                    "north": north,
                    "west": west,
                    "east": east,
                    "listed": listed,
                },
                "ids": [key for _n, key, _la, _lo in self.outside_region[:50]],
            },
        )
        del self.errors[MAX_ERRORS:]

    def individual(self, local_id, species_pk, sex, seen_at):
        """The catalogue individual of the agency's ID (services.catalogue.individual_for_import), or None."""
        if local_id not in self.individuals:
            species = Species.objects.get(pk=species_pk)
            individual, how = individual_for_import(
                self.agency, local_id, species, sex=sex, first_detected=seen_at.date()
            )
            if how == "created":
                self.report.individuals_created += 1
            elif how == "other_agency":
                self.unlinked_ids[local_id] = _(
                    "individualID “%(id)s” is another agency's ID for an individual of the catalogue, not an ID "
                    "of yours: no new individual was made and its observations are not linked. Use your agency's "
                    "own ID or the catalogue code, or propose a match."
                ) % {"id": local_id}
            elif how == "other_species":
                self.unlinked_ids[local_id] = _(
                    "individualID “%(id)s” is the catalogue code of an individual of another species: "
                    "its observations are not linked."
                ) % {"id": local_id}
            self.individuals[local_id] = individual.pk if individual else None
        if self.individuals[local_id]:
            self.touched_individuals.add(self.individuals[local_id])
        return self.individuals[local_id]
