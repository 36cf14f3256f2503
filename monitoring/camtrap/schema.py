"""Camtrap DP 1.0.2: the profile and the three table schemas, kept in the project.

Descriptors name the schemas by remote URL; these are resolved to the local copies in
`schemas/` so that validation never touches the network.
"""

import datetime
import json
import re
from functools import cache
from pathlib import Path

from django.utils.translation import gettext as _

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
VERSION = "1.0.2"
TABLES = ("deployments", "media", "observations")
PROFILE_URL = f"https://raw.githubusercontent.com/tdwg/camtrap-dp/{VERSION}/camtrap-dp-profile.json"


def table_schema_url(table):
    return f"https://raw.githubusercontent.com/tdwg/camtrap-dp/{VERSION}/{table}-table-schema.json"


# Remote URL → local file.
LOCAL_COPIES = {
    PROFILE_URL: "camtrap-dp-profile.json",
    **{table_schema_url(t): f"{t}-table-schema.json" for t in TABLES},
    "https://specs.frictionlessdata.io/schemas/data-package.json": "frictionless-data-package.json",
    "http://json.schemastore.org/geojson.json": "geojson.json",
    "https://json.schemastore.org/geojson.json": "geojson.json",
}


@cache
def load(filename):
    return json.loads((SCHEMA_DIR / filename).read_text(encoding="utf-8"))


def table_schema(table):
    return load(f"{table}-table-schema.json")


@cache
def profile_validator():
    from jsonschema import Draft4Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    registry = Registry().with_resources(
        (url, Resource.from_contents(load(name), default_specification=DRAFT4))
        for url, name in LOCAL_COPIES.items()
        if name not in {"camtrap-dp-profile.json"}
    )
    return Draft4Validator(load("camtrap-dp-profile.json"), registry=registry)


def resolve_table_schema(resource):
    """The local table schema for a resource's `schema` (a Camtrap DP 1.0.x URL), or None."""
    schema = resource.get("schema")
    name = resource.get("name")
    if isinstance(schema, str) and re.search(
        r"camtrap-dp/1\.0(\.\d+)?/" + re.escape(f"{name}-table-schema.json") + "$", schema
    ):
        return table_schema(name)
    return None


def validate_descriptor(descriptor):
    """Errors of the package descriptor against the profile: [(path, message)]."""
    errors = []
    for error in sorted(profile_validator().iter_errors(descriptor), key=lambda e: list(e.absolute_path)):
        path = "/".join(str(p) for p in error.absolute_path) or "datapackage.json"
        message = error.message
        if len(message) > 300:
            message = message[:300] + "…"
        errors.append((path, message))
    return errors


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


def compile_fields(table, crosswalked=()):
    schema = table_schema(table)
    return [Field(spec, checked_elsewhere=spec["name"] in crosswalked) for spec in schema["fields"]], set(
        schema.get("missingValues", [""])
    )
