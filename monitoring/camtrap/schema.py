"""Camtrap DP 1.0, 1.0.1 and 1.0.2: each version's profile and table schemas, kept in the project.

A package is read against the version it declares (its `profile` URL), not the newest one:
every Agouti export and the official example as tagged 1.0 declare 1.0 or 1.0.1, and each
profile's version pattern accepts only its own schema URLs. Descriptors name the schemas by
remote URL; these are resolved to the local copies in `schemas/` (1.0.2 at the top, older
versions in a folder of their name) so that validation never touches the network.

Camtrap DP 0.1.x and the 1.0 release candidates have other tables and field names; like the
camtrapdp R package, the portal does not read them: they are refused with one message that
names the version (`unsupported_version_message`).
"""

import datetime
import json
import re
from functools import cache
from pathlib import Path

from django.utils.translation import gettext as _

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
VERSION = "1.0.2"  # what the portal writes
VERSIONS = ("1.0", "1.0.1", "1.0.2")  # what it reads
TABLES = ("deployments", "media", "observations")
BASE_URL = "https://raw.githubusercontent.com/tdwg/camtrap-dp"
PROFILE_URL = f"{BASE_URL}/{VERSION}/camtrap-dp-profile.json"

_VERSION_IN_URL = re.compile(r"/camtrap-dp/(?P<version>[0-9][0-9A-Za-z.\-]*)/(?P<file>[a-z-]+)\.json$")


def profile_url(version=VERSION):
    return f"{BASE_URL}/{version}/camtrap-dp-profile.json"


def table_schema_url(table, version=VERSION):
    return f"{BASE_URL}/{version}/{table}-table-schema.json"


# Remote URL → local file (the frictionless and GeoJSON schemas the profiles build on).
SHARED_COPIES = {
    "https://specs.frictionlessdata.io/schemas/data-package.json": "frictionless-data-package.json",
    # The 1.0 profile names the Data Package schema without "specs.".
    "https://frictionlessdata.io/schemas/data-package.json": "frictionless-data-package.json",
    "http://json.schemastore.org/geojson.json": "geojson.json",
    "https://json.schemastore.org/geojson.json": "geojson.json",
}
LOCAL_COPIES = {
    **{profile_url(v): f"{'' if v == VERSION else v + '/'}camtrap-dp-profile.json" for v in VERSIONS},
    **{
        table_schema_url(t, v): f"{'' if v == VERSION else v + '/'}{t}-table-schema.json"
        for v in VERSIONS
        for t in TABLES
    },
    **SHARED_COPIES,
}


def _file(version, filename):
    return filename if version == VERSION else f"{version}/{filename}"


@cache
def load(filename):
    text = (SCHEMA_DIR / filename).read_text(encoding="utf-8")
    # The published 1.0 profile refers to "#$defs/version" (no slash), which no JSON Schema
    # library resolves; 1.0.1 fixed it to "#/$defs/version". Same meaning, readable reference.
    return json.loads(text.replace('"#$defs/', '"#/$defs/'))


def table_schema(table, version=VERSION):
    return load(_file(version, f"{table}-table-schema.json"))


@cache
def profile_validator(version=VERSION):
    from jsonschema import Draft4Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    registry = Registry().with_resources(
        (url, Resource.from_contents(load(name), default_specification=DRAFT4)) for url, name in SHARED_COPIES.items()
    )
    return Draft4Validator(load(_file(version, "camtrap-dp-profile.json")), registry=registry)


def version_of_url(url):
    """The Camtrap DP version in a profile or table schema URL ("1.0.1"), or None."""
    if not isinstance(url, str):
        return None
    match = _VERSION_IN_URL.search(url.strip())
    return match["version"] if match else None


def declared_version(descriptor):
    """The Camtrap DP version a descriptor declares: its profile's, else its table schemas'."""
    if not isinstance(descriptor, dict):
        return None
    version = version_of_url(descriptor.get("profile"))
    if version:
        return version
    resources = descriptor.get("resources")
    for resource in resources if isinstance(resources, list) else []:
        if isinstance(resource, dict) and resource.get("name") in TABLES:
            version = version_of_url(resource.get("schema"))
            if version:
                return version
    return None


def unsupported_version_message(version):
    """The one message that refuses a package of a version the portal does not read."""
    if version is None:
        return _(
            "datapackage.json does not say which Camtrap DP version it follows: its “profile” should be a "
            "Camtrap DP profile URL such as %(url)s."
        ) % {"url": PROFILE_URL}
    if version.startswith("0."):
        return _(
            "This package is Camtrap DP %(version)s, an older version with other tables and field names. "
            "The portal reads Camtrap DP %(versions)s: export the data again from Agouti (which writes 1.0), "
            "or upgrade the package (for example with camtraptor in R), then import it."
        ) % {"version": version, "versions": ", ".join(VERSIONS)}
    return _(
        "This package is Camtrap DP %(version)s; the portal reads Camtrap DP %(versions)s. "
        "Export or upgrade it to one of those versions, then import it."
    ) % {"version": version, "versions": ", ".join(VERSIONS)}


def resolve_table_schema(resource, version=VERSION):
    """The local table schema for a resource's `schema` (a URL of the package's version), or None."""
    schema = resource.get("schema")
    name = resource.get("name")
    if name in TABLES and isinstance(schema, str):
        match = _VERSION_IN_URL.search(schema.strip())
        if match and match["version"] == version and match["file"] == f"{name}-table-schema":
            return table_schema(name, version)
    return None


# --- descriptor errors in the user's words ------------------------------------------------------


def _type_name(kind):
    names = {
        "string": _("a text"),
        "number": _("a number"),
        "integer": _("a whole number"),
        "boolean": _("true or false"),
        "array": _("a list"),
        "object": _("an object with named values"),
        "null": _("empty"),
    }
    if isinstance(kind, list):
        return _(" or ").join(names.get(k, k) for k in kind)
    return names.get(kind, kind)


def _shown(value, limit=80):
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[:limit] + "…"


def _deepest(error):
    """For anyOf/oneOf ("is not valid under any of the given schemas"): the branch that came closest."""
    from jsonschema.exceptions import best_match

    while error.context:
        best = best_match(error.context)
        if best is None or best is error:
            break
        error = best
    return error


def describe_error(error, version=VERSION):
    """(path, message) of one jsonschema error, in words a data manager acts on."""
    error = _deepest(error)
    path = "/".join(str(p) for p in error.absolute_path) or "datapackage.json"
    value = error.instance
    kind, expected = error.validator, error.validator_value
    if kind == "required":
        missing = next((name for name in expected if isinstance(value, dict) and name not in value), expected[0])
        field = f"{path}/{missing}" if path != "datapackage.json" else missing
        return field, _("“%(name)s” is required and missing.") % {"name": missing}
    if kind == "type":
        return path, _("must be %(type)s, not %(value)s.") % {"type": _type_name(expected), "value": _shown(value)}
    if kind == "enum":
        return path, _("“%(value)s” is not one of: %(allowed)s.") % {
            "value": _shown(value),
            "allowed": ", ".join(str(v) for v in expected),
        }
    if kind == "pattern":
        if version_of_url(value) or "camtrap-dp" in str(value):
            return path, _("“%(value)s” is not a Camtrap DP %(version)s URL, the version the package declares.") % {
                "value": _shown(value),
                "version": version,
            }
        return path, _("“%(value)s” does not have the expected form.") % {"value": _shown(value)}
    if kind == "format":
        words = {"uri": _("a URL"), "date-time": _("a date and time"), "email": _("an e-mail address")}
        return path, _("“%(value)s” is not %(format)s.") % {
            "value": _shown(value),
            "format": words.get(expected, expected),
        }
    if kind in ("minItems", "minLength"):
        return path, _("must not be empty.") if expected == 1 else _("needs at least %(n)s entries.") % {"n": expected}
    if kind == "minimum":
        return path, _("%(value)s is below the minimum %(minimum)s.") % {"value": value, "minimum": expected}
    if kind == "maximum":
        return path, _("%(value)s is above the maximum %(maximum)s.") % {"value": value, "maximum": expected}
    if kind == "uniqueItems":
        return path, _("lists the same value twice.")
    if kind == "additionalProperties":
        return path, _("has a property the standard does not define: %(value)s.") % {
            "value": _shown(sorted(set(value) - set(error.schema.get("properties", {}))))
        }
    message = error.message
    return path, message if len(message) <= 300 else message[:300] + "…"


def validate_descriptor(descriptor, version=VERSION):
    """Errors of the package descriptor against its version's profile: [(path, message)]."""
    errors = [describe_error(e, version) for e in profile_validator(version).iter_errors(descriptor)]
    return sorted(set(errors))


# --- field conversion (Table Schema types used by Camtrap DP) ---------------------------------

TRUE_VALUES = {"true", "True", "TRUE", "1"}
FALSE_VALUES = {"false", "False", "FALSE", "0"}


class FieldError(ValueError):
    pass


def _datetime(value):
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise FieldError(_("“%(value)s” is not a date and time like 2020-05-30T04:57:37+02:00") % {"value": value})
    if parsed.tzinfo is None:
        raise FieldError(_("“%(value)s” has no time zone offset") % {"value": value})
    return parsed


def _number(value):
    try:
        number = float(value)
    except ValueError:
        raise FieldError(_("“%(value)s” is not a number") % {"value": value})
    if number != number or number in (float("inf"), float("-inf")):
        raise FieldError(_("“%(value)s” is not a number") % {"value": value})
    return number


def _integer(value):
    try:
        return int(value)
    except ValueError:
        raise FieldError(_("“%(value)s” is not an integer") % {"value": value})


def _boolean(value):
    if value in TRUE_VALUES:
        return True
    if value in FALSE_VALUES:
        return False
    raise FieldError(_("“%(value)s” is not true or false") % {"value": value})


def _any(value):
    if value[:1] in "{[":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


CONVERTERS = {
    "string": None,
    "number": _number,
    "integer": _integer,
    "boolean": _boolean,
    "datetime": _datetime,
    "any": _any,
}


class Field:
    """One compiled Table Schema field: type conversion and constraints."""

    __slots__ = ("name", "convert", "required", "enum", "minimum", "maximum", "pattern", "checked_elsewhere")

    def __init__(self, spec, checked_elsewhere=False):
        constraints = spec.get("constraints", {})
        self.name = spec["name"]
        self.convert = CONVERTERS.get(spec.get("type", "string"))
        self.required = constraints.get("required", False)
        # Fields mapped through crosswalks are checked against the shared vocabulary instead.
        self.checked_elsewhere = checked_elsewhere
        self.enum = set(constraints["enum"]) if "enum" in constraints and not checked_elsewhere else None
        self.minimum = constraints.get("minimum")
        self.maximum = constraints.get("maximum")
        self.pattern = re.compile(constraints["pattern"]) if "pattern" in constraints else None

    def parse(self, raw):
        """The typed value of a non-missing raw string; raises FieldError."""
        if self.pattern is not None and not self.pattern.fullmatch(raw):
            raise FieldError(
                _("“%(value)s” does not match the pattern %(pattern)s")
                % {"value": raw, "pattern": self.pattern.pattern}
            )
        value = self.convert(raw) if self.convert else raw
        if self.enum is not None and value not in self.enum:
            raise FieldError(
                _("“%(value)s” is not one of: %(allowed)s") % {"value": raw, "allowed": ", ".join(sorted(self.enum))}
            )
        if self.minimum is not None and value < self.minimum:
            raise FieldError(_("%(value)s is below the minimum %(minimum)s") % {"value": raw, "minimum": self.minimum})
        if self.maximum is not None and value > self.maximum:
            raise FieldError(_("%(value)s is above the maximum %(maximum)s") % {"value": raw, "maximum": self.maximum})
        return value


def compile_fields(table, crosswalked=(), version=VERSION):
    schema = table_schema(table, version)
    return [Field(spec, checked_elsewhere=spec["name"] in crosswalked) for spec in schema["fields"]], set(
        schema.get("missingValues", [""])
    )
