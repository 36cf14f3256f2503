"""The API contract: every endpoint × role × operation answers as core/testing/rules.py says.

Declaring an endpoint: core/testing/endpoints.py (docs/contract-suite.md). Known breaches of the
policy run as strict xfails (core/testing/breaches.py).
"""

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from core.access import Principal, can_edit, visible_filter
from core.models.base import SharedRecord
from core.testing import fixtures
from core.testing.contract import api_cases, check_api_case
from core.testing.endpoints import discover, undeclared
from core.testing.rules import ROLES, expect_record, may_edit

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]
contract_world, world = fixtures.contract_world, fixtures.world  # one seeded world per module


def _params():
    for case in api_cases():
        marks = [pytest.mark.xfail(strict=True, reason=case.breach)] if case.breach else []
        yield pytest.param(case, id=case.id, marks=marks)


def test_every_api_endpoint_is_declared_or_inferred():
    assert undeclared(discover()) == [], "declare these in core/testing/endpoints.py DECLARED"


def test_rules_agree_with_the_policy(world):
    """The rule table and core.access say the same for every role and variant."""
    for name, variants in world.records.items():
        endpoint = world.endpoints[name]
        if endpoint.kind != "shared":
            continue
        for role in ROLES:
            for variant, record in variants.items():
                caller = world.caller(role, record.owner_agency)
                if caller.key_obj is not None:
                    principal = Principal.for_api_key(caller.key_obj)
                else:
                    principal = Principal.for_user(caller.user)
                relation = world.relation(role, record)
                sees = type(record).objects.filter(visible_filter(type(record), principal), pk=record.pk).exists()
                assert expect_record(role, "list", relation, record.sensitivity).visible == sees, (name, role, variant)
                assert may_edit(role, relation) == can_edit(principal, record), (name, role, variant)


def test_the_demo_and_its_copies_are_valid(world):
    """Every shared record of the contract's data (the demo and its per-variant copies) passes its
    model's rules, so an allowed write is judged on access, not on invalid data."""
    invalid = []
    for model in apps.get_models():
        if not issubclass(model, SharedRecord):
            continue
        for record in model._default_manager.all()[:300]:
            try:
                record.full_clean(validate_unique=False)
            except ValidationError as exc:
                invalid.append(f"{model._meta.label} {record.pk}: {exc.message_dict}")
    assert not invalid, "\n".join(invalid[:30])


@pytest.mark.parametrize("case", _params())
def test_api_contract(world, case):
    check_api_case(world, case)
