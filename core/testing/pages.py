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


@dataclass
class Page:
    name: str  # "namespace:url-name"
    view_class: type
    kwarg: str | None = None  # the record's URL kwarg on detail pages

    @property
    def model(self):
        return getattr(self.view_class, "model", None)

    def url(self, record=None):
        with translation.override(settings.LANGUAGE_CODE):
            if self.kwarg is None:
                return reverse(self.name)
            return reverse(self.name, kwargs={self.kwarg: record.pk})


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


def page_cases(pages=None):
    pages = pages or discover_pages()
    cases = []
    for name, page in sorted(pages.items()):
        for role in PAGE_ROLES:
            if page.kwarg is None:
                cases.append((name, role.name, None))
            else:
                cases += [(name, role.name, variant) for variant in VARIANTS]
    return cases


def variants_for_model(world, model):
    for name, variants in world.records.items():
        if world.endpoints[name].model is model and world.endpoints[name].kind == "shared":
            return variants
    return None


def check_page_case(world, page, role, variant):
    import pytest

    variants = variants_for_model(world, page.model) if page.model is not None else None
    record = variants.get(variant) if variants else None
    if page.kwarg is not None and record is None:
        pytest.skip(f"no shared contract record of {page.model} ({variant}): the app's own page tests cover it")
    owner = getattr(record or (next(iter(variants.values())) if variants else None), "owner_agency", None)
    caller = world.caller(role, owner or world.default_owner)
    response = caller.page_client().get(page.url(record))
    if page.kwarg is None:
        expected = expect_page(role)
    else:
        expected = expect_page(role, world.relation(role, record), record.sensitivity)
    if expected == "login":
        assert response.status_code == 302, f"{page.name} as {role}: {response.status_code}, expected the login page"
        assert reverse("login").split("/")[-2] in response["Location"], response["Location"]
        return
    assert response.status_code == expected, (
        f"{page.name} as {role} ({variant}): {response.status_code} != {expected} {response.get('Location', '')}"
    )
    if page.kwarg is None and variants:
        html = response.content.decode()
        leaked = [v for v, rec in variants.items() if not _sees(world, role, rec) and str(rec.pk) in html]
        assert not leaked, f"{page.name} as {role} lists records it may not see: {leaked}"


def _sees(world, role, record):
    return expect_page(role, world.relation(role, record), record.sensitivity) == 200
