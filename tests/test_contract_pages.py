"""The pages' contract: list and detail pages of every app as every signed-in role and anonymous
(core/testing/pages.py; rules in core/testing/rules.py)."""

import pytest

from core.testing import fixtures
from core.testing.pages import check_page_case, discover_pages, page_cases
from core.testing.rules import ROLE_BY_NAME

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
