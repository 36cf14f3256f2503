"""The data migration that moved the plans' own status log into core.StatusChange."""

import datetime
import importlib

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from antipoaching.models import ActionPlan
from core.models import StatusChange
from core.workflow import approved_countries, history

migration = importlib.import_module("antipoaching.migrations.0003_plan_history_to_status_change")


@pytest.mark.django_db
def test_every_plan_transition_row_is_copied_with_its_approvals(cn_agency, ru_agency, cn_coord, ru_coord):
    plan = ActionPlan.objects.create(
        owner_agency=cn_agency,
        title_en="Old plan",
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 12, 31),
        status="approved",
    )
    plan.participating_agencies.set([cn_agency, ru_agency])
    # The state before the migration: PlanTransition exists (created inside this test's
    # transaction, PostgreSQL rolls the table back with it).
    nodes = [("antipoaching", "0002_incident_vocabulary"), *migration.Migration.dependencies[1:]]
    old_apps = MigrationLoader(connection).project_state(nodes).apps
    PlanTransition = old_apps.get_model("antipoaching", "PlanTransition")
    with connection.schema_editor() as editor:
        editor.create_model(PlanTransition)
    rows = [
        ("draft", "under_review", False, "", cn_coord, cn_agency),
        ("under_review", "under_review", True, "CN", cn_coord, cn_agency),
        ("under_review", "approved", True, "RU", ru_coord, ru_agency),
    ]
    start = timezone.now() - datetime.timedelta(days=30)
    for index, (from_status, to_status, is_approval, country, user, agency) in enumerate(rows):
        row = PlanTransition.objects.create(
            plan_id=plan.pk,
            from_status=from_status,
            to_status=to_status,
            is_approval=is_approval,
            country=country,
            user_id=user.pk,
            agency_id=agency.pk,
            note=f"step {index}",
        )
        PlanTransition.objects.filter(pk=row.pk).update(at=start + datetime.timedelta(days=index))

    migration.copy_forward(old_apps, None)

    steps = list(history(plan))
    assert [(s.transition, s.from_status, s.to_status, s.is_approval, s.country) for s in steps] == [
        ("submit", "draft", "under_review", False, ""),
        ("approve", "under_review", "under_review", True, "CN"),
        ("approve", "under_review", "approved", True, "RU"),
    ]
    assert [s.user_id for s in steps] == [cn_coord.pk, cn_coord.pk, ru_coord.pk]
    assert [s.note for s in steps] == ["step 0", "step 1", "step 2"]
    assert steps[0].at == start
    assert approved_countries(plan) == {"CN", "RU"}
    assert StatusChange.objects.count() == 3
