"""pytest fixtures: the contract world seeded once per test module, each test in a savepoint.

Use in a test module marked `pytest.mark.django_db` (so that pytest-django creates the test database):
`contract_world, world = fixtures.contract_world, fixtures.world`
"""

import pytest
from django.db import transaction

from .world import build_world


@pytest.fixture(scope="module")
def contract_world(django_db_setup, django_db_blocker):
    """The demo plus the contract variants, in a transaction rolled back after the module."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            built = build_world()
            yield built
            transaction.set_rollback(True)


@pytest.fixture
def world(contract_world, django_db_blocker):
    """The module's world; whatever a test changes is rolled back after it."""
    with django_db_blocker.unblock():
        savepoint = transaction.savepoint()
        try:
            yield contract_world
        finally:
            transaction.savepoint_rollback(savepoint)
