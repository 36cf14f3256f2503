"""Every JSON answer the contract suite sees is checked against /api/v1/schema/.

The OpenAPI document is generated once per process (drf-spectacular, as the schema view does);
each answer's body is validated with jsonschema against the response schema of its operation
and status. OpenAPI 3.0's `nullable` is turned into JSON Schema's null type first.

    client = SchemaCheckedAPIClient()  # an APIClient that raises SchemaMismatch on a bad answer
"""

import re
from functools import lru_cache

from jsonschema import Draft202012Validator
from rest_framework.test import APIClient

ROUTER_INDEX = re.compile(r"^/api/v1/([a-z-]+/)?$")


class SchemaMismatch(AssertionError):
    pass


def _nullable_to_json_schema(node):
    """OpenAPI 3.0 → JSON Schema 2020-12 (recursively): `nullable: true` becomes the null type."""
    if isinstance(node, list):
        return [_nullable_to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    # drf-spectacular writes a blank-or-valid string as oneOf [maxLength 0, format email]; formats
    # are not asserted, so "" matches both: anyOf says what is meant.
    converted = {("anyOf" if key == "oneOf" else key): _nullable_to_json_schema(value) for key, value in node.items()}
    if converted.pop("nullable", False):
        kind = converted.get("type")
        if isinstance(kind, str) and "enum" not in converted:
            converted["type"] = [kind, "null"]
        else:
            return {"anyOf": [converted, {"type": "null"}]}
    return converted


@lru_cache(maxsize=1)
def openapi_document():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


@lru_cache(maxsize=1)
def _operations():
    """[(compiled path regex, {method: operation})] of the document, most specific first."""
    document = openapi_document()
    found = []
    for template, item in document["paths"].items():
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", r"[^/]+", re.escape(template)) + "$"
        found.append((template.count("{"), re.compile(pattern), item))
    found.sort(key=lambda entry: entry[0])  # literal paths win over templated ones
    return [(pattern, item) for _count, pattern, item in found]


@lru_cache(maxsize=1)
def _components():
    return _nullable_to_json_schema(openapi_document().get("components", {}))


@lru_cache(maxsize=512)
def _validator(template_key, method, status):
    pattern_item = dict(_operations_by_key()).get(template_key)
    operation = (pattern_item or {}).get(method)
    if operation is None:
        return None
    responses = operation.get("responses", {})
    response = responses.get(str(status)) or responses.get("default")
    if response is None:
        return "undeclared"
    schema = (response.get("content") or {}).get("application/json", {}).get("schema")
    if schema is None:
        return None
    wrapper = {"components": _components(), "allOf": [_nullable_to_json_schema(schema)]}
    return Draft202012Validator(wrapper)


@lru_cache(maxsize=1)
def _operations_by_key():
    return [(pattern.pattern, item) for pattern, item in _operations()]


def problems(method, path, status, content_type, body):
    """A list of messages (empty when the answer matches the schema, or is not JSON)."""
    if not path.startswith("/api/v1/") or status >= 500:
        return []
    if not (content_type or "").startswith("application/json"):
        return []
    for pattern, _item in _operations():
        if pattern.match(path):
            validator = _validator(pattern.pattern, method.lower(), status)
            break
    else:
        if ROUTER_INDEX.match(path):
            return []  # the routers' indexes of links (/api/v1/, /api/v1/<app>/) are not in the schema
        return [f"{method} {path}: no operation in the schema"]
    if validator == "undeclared":
        return [f"{method} {path}: status {status} is not declared"] if status < 400 else []
    if validator is None:
        return []
    return [
        f"{method} {path} {status}: {'/'.join(map(str, error.absolute_path)) or '<body>'}: {error.message[:200]}"
        for error in validator.iter_errors(body)
    ][:5]


class SchemaCheckedAPIClient(APIClient):
    """An APIClient whose every JSON answer under /api/v1/ must match the OpenAPI document."""

    def request(self, **kwargs):
        response = super().request(**kwargs)
        content_type = response.get("Content-Type", "")
        if content_type.startswith("application/json") and response.content:
            found = problems(
                kwargs.get("REQUEST_METHOD", "GET"),
                kwargs.get("PATH_INFO", ""),
                response.status_code,
                content_type,
                response.json(),
            )
            if found:
                raise SchemaMismatch("The answer does not match /api/v1/schema/:\n" + "\n".join(found))
        return response
