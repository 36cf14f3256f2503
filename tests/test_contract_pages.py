"""The pages' contract: list and detail pages of every app as every signed-in role and anonymous
(core/testing/pages.py; rules in core/testing/rules.py)."""

import pytest

from core.testing import fixtures
from core.testing.pages import check_page_case, discover_pages, page_cases
from core.testing.rules import COORDINATORS, PAGE_ROLES, ROLE_BY_NAME

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]
contract_world, world = fixtures.contract_world, fixtures.world  # one seeded world per module

PAGES = discover_pages()


def test_every_app_has_its_pages_in_the_contract():
    namespaces = {name.split(":")[0] for name in PAGES}
    assert {"reserves", "antipoaching", "monitoring", "policy"} <= namespaces, sorted(PAGES)


@pytest.mark.parametrize(
    "name, role, variant", [pytest.param(*c, id="-".join(p for p in c if p)) for c in page_cases(PAGES)]
)
def test_page_contract(world, name, role, variant):
    check_page_case(world, PAGES[name], ROLE_BY_NAME[role], variant)


# Pages for an agency's coordinators only (function views, outside the list/detail rule above):
# 200 to its coordinators (the secretariat's coordinator manages the secretariat's own), 403 to
# everyone else signed in, the login page for anonymous visitors.
COORDINATOR_PAGES = ("core:apikey-list", "core:apikey-create")
# Pages every member of an agency reads, each showing only what names the member's agency.
MEMBER_PAGES = ("core:grant-list",)


def test_every_list_page_without_a_view_class_is_declared():
    from django.urls import get_resolver

    from core.testing.pages import PAGE_NAMESPACES, _walk

    function_lists = {
        f"{namespace}:{pattern.name}"
        for namespace, pattern in _walk(get_resolver())
        if namespace in PAGE_NAMESPACES
        and (pattern.name or "").endswith("-list")
        and getattr(pattern.callback, "view_class", None) is None
    }
    declared = set(COORDINATOR_PAGES) | set(MEMBER_PAGES)
    assert function_lists <= declared, sorted(function_lists - declared)


@pytest.mark.parametrize("name", COORDINATOR_PAGES)
@pytest.mark.parametrize("role_name", [role.name for role in PAGE_ROLES])
def test_coordinator_pages(world, name, role_name):
    from django.conf import settings
    from django.urls import reverse
    from django.utils import translation

    role = ROLE_BY_NAME[role_name]
    with translation.override(settings.LANGUAGE_CODE):
        url = reverse(name)
    response = world.caller(role, world.default_owner).page_client().get(url)
    if role.kind == "anonymous":
        assert response.status_code == 302 and "login" in response["Location"], response.status_code
    elif role.membership_role in COORDINATORS:
        assert response.status_code == 200, response.status_code
    else:
        assert response.status_code == 403, response.status_code


@pytest.mark.parametrize("role_name", [role.name for role in PAGE_ROLES])
def test_the_grant_page_shows_only_the_grants_of_the_members_agency(world, role_name):
    from django.conf import settings
    from django.urls import reverse
    from django.utils import translation

    from core.testing.world import PARTNERS

    role = ROLE_BY_NAME[role_name]
    with translation.override(settings.LANGUAGE_CODE):
        url = reverse("core:grant-list")
    response = world.caller(role, world.default_owner).page_client().get(url)
    if role.kind == "anonymous":
        assert response.status_code == 302 and "login" in response["Location"]
        return
    assert response.status_code == 200
    body = response.content.decode()
    # The contract world's grants all go to CTVIEW and CTPRECISE: the agency without a grant sees
    # none of them, a grantee sees its own.
    if role.relation == "other":
        assert PARTNERS["view"] not in body and PARTNERS["precise"] not in body
    if role.relation in ("view", "precise"):
        assert PARTNERS[role.relation] in body
