"""Names of taxa that come in (Camtrap DP packages, transect forms) matched to the shared species list.

The shared list is vocabulary the administrators keep: nothing that comes in ever adds to it.
A name is matched with care, never guessed:
- the agency's crosswalk (vocabulary "species") first, then the shared scientific names;
- case, underscores and runs of whitespace (also non-breaking and full-width spaces) do not
  count: "Panthera tigris  altaica", "panthera_tigris_altaica" and "PANTHERA TIGRIS ALTAICA" are
  the Amur tiger;
- when the package gives a GBIF taxon key for the name (Camtrap DP `taxonomic[].taxonID` as a
  GBIF URL or a bare number) that key is checked against the species' `gbif_key`: it finds the
  species when the name does not, and refuses the name when the two disagree;
- anything else (another spelling, a missing subspecies, an author string) is unknown, and the
  caller refuses it by name.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.models import Species

from ..models import Crosswalk, Vocabulary

_GBIF_KEY = re.compile(
    r"^(?:(?:https?://)?(?:www\.|api\.)?gbif\.org/(?:v1/)?species/|gbif:)?(?P<key>\d{1,10})/?$", re.IGNORECASE
)


def normalise_name(name):
    """The form names are compared in: NFKC, underscores as spaces, single spaces, case-folded."""
    text = unicodedata.normalize("NFKC", str(name or "")).replace("_", " ")
    return " ".join(text.split()).casefold()


def gbif_key(taxon_id):
    """The GBIF taxon key in a `taxonID` (https://www.gbif.org/species/5219404, gbif:5219404, 5219404), or None."""
    if taxon_id is None or isinstance(taxon_id, bool):
        return None
    match = _GBIF_KEY.match(str(taxon_id).strip())
    return int(match["key"]) if match else None


@dataclass(frozen=True)
class Match:
    """The answer for one name: the species (pk and its shared scientific name), or why not."""

    pk: object = None
    scientific_name: str = ""
    problem: str = ""

    def __bool__(self):
        return self.pk is not None


class SpeciesMatcher:
    """Matches names to the shared species list for one agency (its crosswalk) and one package (its taxa).

    Load once, then call `match(name)` for each row: the list is read once, not per row.
    `taxa` is the Camtrap DP `taxonomic` list (dicts with scientificName and taxonID).
    """

    def __init__(self, agency=None, taxa=()):
        self.by_name = {}
        self.exact = {}
        self.by_gbif = {}
        for pk, name, key in Species.objects.values_list("pk", "scientific_name", "gbif_key"):
            self.exact[name] = (pk, name)
            self.by_name.setdefault(normalise_name(name), []).append((pk, name))
            if key is not None:
                self.by_gbif.setdefault(key, []).append((pk, name))
        self.crosswalk = {}
        if agency is not None:
            for local, shared in Crosswalk.objects.filter(agency=agency, vocabulary=Vocabulary.SPECIES).values_list(
                "local_code", "shared_key"
            ):
                self.crosswalk[local] = shared
                self.crosswalk.setdefault(normalise_name(local), shared)
        self.package_keys = {}
        for taxon in taxa or ():
            if isinstance(taxon, dict) and isinstance(taxon.get("scientificName"), str):
                key = gbif_key(taxon.get("taxonID"))
                if key is not None:
                    self.package_keys.setdefault(normalise_name(taxon["scientificName"]), key)
        self._cache = {}

    def _by_name(self, name):
        if name in self.exact:
            return self.exact[name], ""
        found = self.by_name.get(normalise_name(name), [])
        if len(found) == 1:
            return found[0], ""
        if len(found) > 1:
            return None, _("it matches more than one species: %(names)s") % {
                "names": ", ".join(sorted(n for _pk, n in found))
            }
        return None, ""

    def match(self, name, taxon_id=None):
        """The Match for `name` (and an optional taxonID given with it); falsy when refused."""
        if name in (None, ""):
            return Match()
        cache_key = (name, taxon_id)
        if cache_key not in self._cache:
            self._cache[cache_key] = self._match(name, taxon_id)
        return self._cache[cache_key]

    def _match(self, name, taxon_id):
        shared = self.crosswalk.get(name) or self.crosswalk.get(normalise_name(name))
        found, problem = self._by_name(shared if shared else name)
        key = gbif_key(taxon_id) if taxon_id is not None else self.package_keys.get(normalise_name(name))
        by_key = self.by_gbif.get(key, []) if key is not None else []
        if found and by_key and found not in by_key:
            return Match(
                problem=_("the package gives GBIF key %(key)s for it, which is %(other)s in the shared list")
                % {"key": key, "other": ", ".join(n for _pk, n in by_key)}
            )
        if not found and len(by_key) == 1:
            found = by_key[0]
        if found:
            return Match(pk=found[0], scientific_name=found[1])
        return Match(problem=problem or _("not in the shared species list"))


def match_species(name, agency=None, taxon_id=None):
    """One name → its Match (see SpeciesMatcher); for forms that take one name at a time."""
    return SpeciesMatcher(agency).match(name, taxon_id)


def unknown_species_message(problems):
    """The one message that refuses names: {name: problem} → what is wrong and what to do."""
    listed = "; ".join(f"“{name}” ({problem})" for name, problem in sorted(problems.items()))
    return _(
        "Unknown species: %(names)s. An import never adds to the shared species list: ask an administrator "
        "to add the species (with its GBIF key), or map your name to a shared species in your agency's "
        "crosswalk, then import again. Nothing was changed."
    ) % {"names": listed}


def unknown_species_error(problems):
    """The importer's error for {name: problem}: one error for the package, naming every name."""
    return {
        "resource": "observations",
        "row": None,
        "field": "scientificName",
        "message": unknown_species_message(problems),
        "unknown_species": sorted(problems),
    }


UNKNOWN_SPECIES = "monitoring.unknown_species"


def ask_secretariat_about(agency, problems):
    """An import was refused for names not in the shared list: the secretariat, who keeps the
    list, is told which names and by whom, so that it can add the species or map the names.
    Nothing is added to the list here: only an administrator adds species."""
    from core import notify

    context = {"agency": getattr(agency, "code", ""), "names": ", ".join(f"“{name}”" for name in sorted(problems))}
    return notify.notify(
        notify.secretariat(),
        UNKNOWN_SPECIES,
        lambda values: _("Species names to review: %(names)s") % values,
        lambda values: (
            _(
                "A Camtrap DP import by %(agency)s was refused because these names are not in the shared "
                "species list: %(names)s. Add the species (with its GBIF key), or tell the agency which "
                "shared species the names stand for so that it can map them in its code crosswalk."
            )
            % values
        ),
        url="",
        context=context,
    )
