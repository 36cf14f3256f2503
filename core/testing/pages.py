"""The staff pages' contract: every `<prefix>-list` and `<prefix>-detail` URL name of the apps.

List pages answer 200 to every signed-in role and send anonymous visitors to the login page;
a detail page answers 200 when the role may see the record and 404 when it may not; a list page
never shows a record the role may not see. Page sets declared with core.pages.RecordPages are
found automatically; `PAGE_OVERRIDES` holds the exceptions.
"""

from dataclasses import dataclass

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from .rules import PAGE_ROLES, VARIANTS, expect_page

PAGE_NAMESPACES = ("reserves", "antipoaching", "monitoring", "policy", "outreach", "corridors", "core")

# {url name: reason} for pages the contract leaves to their app's tests.
PAGE_OVERRIDES = {}
# {url name: "app_label.Model"} for detail pages whose view names no model.
PAGE_MODELS = {"policy:round-detail": "policy.ExchangeRound"}


@dataclass
class Page:
    name: str  # "namespace:url-name"
    view_class: type
    kwarg: str | None = None  # the record's URL kwarg on detail pages

    @property
    def model(self):
        if self.name in PAGE_MODELS:
            from django.apps import apps

            return apps.get_model(PAGE_MODELS[self.name])
        return getattr(self.view_class, "model", None)

    def url(self, record=None):
        with translation.override(settings.LANGUAGE_CODE):
            if self.kwarg is None:
                return reverse(self.name)
            value = record.code if self.kwarg == "code" else record.pk
            return reverse(self.name, kwargs={self.kwarg: value})


def _walk(resolver, namespace=None):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and namespace:
            yield namespace, pattern


def discover_pages():
    pages = {}
    for namespace, pattern in _walk(get_resolver()):
        name = pattern.name or ""
        if namespace not in PAGE_NAMESPACES or not (name.endswith("-list") or name.endswith("-detail")):
            continue
        full = f"{namespace}:{name}"
        view_class = getattr(pattern.callback, "view_class", None)
        converters = getattr(pattern.pattern, "converters", {}) or {}
        kwarg = next(iter(converters), None) if name.endswith("-detail") else None
        if full in PAGE_OVERRIDES or view_class is None:
            continue
        if name.endswith("-detail") and kwarg is None:
            continue
        pages[full] = Page(full, view_class, kwarg)
    return pages


def _page_variants(page, endpoints):
    """The variants a detail page is checked on: its model's endpoint's (an alert is never
    owner-only), "reference" for shared vocabulary (agencies: every signed-in role reads them)."""
    endpoint = next((e for e in endpoints.values() if e.model is page.model and e.kind in PAGE_KINDS), None)
    if endpoint is not None and endpoint.kind == "reference":
        return ("reference",)
    if endpoint is not None and endpoint.declaration.variants:
        return endpoint.declaration.variants
    return tuple(VARIANTS)


PAGE_KINDS = ("shared", "child", "reference")


def page_cases(pages=None):
    from .endpoints import discover

    pages = pages or discover_pages()
    endpoints = discover()
    cases = []
    for name, page in sorted(pages.items()):
        for role in PAGE_ROLES:
            if page.kwarg is None:
                cases.append((name, role.name, None))
            else:
                cases += [(name, role.name, variant) for variant in _page_variants(page, endpoints)]
    return cases


def variants_for_model(world, model):
    """{variant: record} of the model's endpoint: shared first, then a child or reference."""
    for kind in PAGE_KINDS:
        for name, variants in world.records.items():
            if world.endpoints[name].model is model and world.endpoints[name].kind == kind:
                return variants
    return None


def _endpoint_for(world, model):
    return next((e for e in world.endpoints.values() if e.model is model and e.kind in PAGE_KINDS), None)


def check_page_case(world, page, role, variant):
    import pytest

    variants = variants_for_model(world, page.model) if page.model is not None else None
    record = variants.get(variant) if variants else None
    if page.kwarg is not None and record is None:
        pytest.skip(f"no shared contract record of {page.model} ({variant}): the app's own page tests cover it")
    endpoint = _endpoint_for(world, page.model) if page.model is not None else None
    sample = record or (next(iter(variants.values())) if variants else None)
    governing = world.governing(endpoint, sample) if endpoint is not None and sample is not None else sample
    owner = getattr(governing, "owner_agency", None)
    caller = world.caller(role, owner or world.default_owner)
    response = caller.page_client().get(page.url(record))
    if page.kwarg is None or variant == "reference":
        expected = expect_page(role)
    else:
        expected = expect_page(role, world.relation(role, governing), governing.sensitivity)
    if expected == "login":
        assert response.status_code == 302, f"{page.name} as {role}: {response.status_code}, expected the login page"
        assert reverse("login").split("/")[-2] in response["Location"], response["Location"]
        return
    assert response.status_code == expected, (
        f"{page.name} as {role} ({variant}): {response.status_code} != {expected} {response.get('Location', '')}"
    )
    if page.kwarg is None and variants:
        html = response.content.decode()
        governs = (lambda rec: world.governing(endpoint, rec)) if endpoint is not None else (lambda rec: rec)
        leaked = [
            v
            for v, rec in variants.items()
            if v != "reference" and not _sees(world, role, governs(rec)) and str(rec.pk) in html
        ]
        assert not leaked, f"{page.name} as {role} lists records it may not see: {leaked}"


def _sees(world, role, record):
    return expect_page(role, world.relation(role, record), record.sensitivity) == 200
