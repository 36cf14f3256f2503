"""List endpoints at scale: index use (EXPLAIN on PostgreSQL) and a constant number of queries."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from core.access import Principal
from monitoring import services
from monitoring.models import Deployment, Observation

from .factories import make_deployment, make_observation


def _plan(queryset):
    return queryset.explain()


@pytest.mark.postgres
@pytest.mark.django_db
def test_observation_list_filters_use_indexes(cn_agency, ru_agency, leopard, boar):
    # Enough rows (20,000 over 100 deployments, leopards rare) for the planner to choose for real.
    start = timezone.make_aware(datetime.datetime(2024, 1, 1))
    deployments = [make_deployment(cn_agency, 43 + i / 1000, 130.9) for i in range(100)]
    rows = [
        Observation(
            owner_agency=cn_agency,
            deployment=deployments[i % 100],
            observation_id=f"o{i}",
            event_start=start + datetime.timedelta(minutes=i),
            event_end=start + datetime.timedelta(minutes=i),
            observation_level="event",
            observation_type="animal",
            species=leopard if i % 200 == 0 else boar,
        )
        for i in range(20_000)
    ]
    Observation.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE monitoring_observation")
        cursor.execute("ANALYZE monitoring_deployment")
    principal = Principal(agency=ru_agency, role="agency_staff")
    base = services.annotate_view_location(
        Observation.objects.visible_to(principal).select_related("deployment", "species", "individual", "owner_agency"),
        principal,
        "deployment__",
    )
    checks = {
        "species": (base.filter(species=leopard).order_by("-event_start"), "monitoring_obs_species_start"),
        "deployment": (base.filter(deployment=deployments[3]).order_by("-event_start"), "monitoring_obs_dep_start"),
        "period": (
            base.filter(event_start__gte=start + datetime.timedelta(days=13)).order_by("-event_start"),
            "monitoring_obs_start",
        ),
        "cursor page": (base.order_by("-created_at")[:51], "monitoring_observation_created_at"),
    }
    for name, (queryset, index) in checks.items():
        plan = _plan(queryset)
        assert "Seq Scan on monitoring_observation" not in plan, (name, plan)
        if index not in plan:
            print(plan)
        assert index in plan, name


@pytest.mark.postgres
@pytest.mark.django_db
def test_deployment_list_filters_use_indexes(cn_agency, ru_agency):
    for i in range(10):
        make_deployment(cn_agency, 43 + i / 100, 131)
    principal = Principal(agency=ru_agency, role="agency_staff")
    queryset = (
        Deployment.objects.visible_to(principal).filter(start__date__lte=datetime.date(2024, 6, 1)).order_by("-start")
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # ten rows: make the planner show the index it would use
    plan = _plan(queryset)
    assert "Seq Scan on monitoring_deployment" not in plan, plan


def _list_queries(api_client, url, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit) as captured:
        response = api_client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), response


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/monitoring/observations/",
        "/api/v1/monitoring/deployments/",
        "/api/v1/monitoring/individuals/",
        "/api/v1/monitoring/surveys/",
    ],
)
def test_list_query_count_is_constant(api_client, ru_staff, cn_agency, leopard, django_assert_max_num_queries, url):
    from monitoring.models import Survey

    api_client.force_authenticate(ru_staff)

    def add(n):
        for _ in range(n):
            survey = Survey.objects.create(owner_agency=cn_agency, name="S", start_date=datetime.date(2024, 1, 1))
            deployment = make_deployment(cn_agency, 43.1, 130.9, survey=survey)
            make_observation(deployment, leopard, individual_local_id=f"T-{deployment.deployment_id}")
            from monitoring.services import individual_for_alias

            individual_for_alias(cn_agency, f"T-{deployment.deployment_id}", leopard)

    add(2)
    api_client.get(url)  # the first request also loads the user's membership
    small, first = _list_queries(api_client, url, django_assert_max_num_queries, 20)
    assert len(first.data["results"]) >= 2
    add(18)
    large, second = _list_queries(api_client, url, django_assert_max_num_queries, 20)
    assert len(second.data["results"]) >= 20
    assert large == small
