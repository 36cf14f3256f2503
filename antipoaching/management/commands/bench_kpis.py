"""Time the KPI table on synthetic patrols. Everything is created in a transaction that is rolled back."""

import datetime
import random
import time
import uuid
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import connection, reset_queries, transaction
from django.test.utils import CaptureQueriesContext

from antipoaching import services
from antipoaching.models import Incident, IncidentType, Patrol, Waypoint
from core.access import Principal
from core.models import Agency


class Command(BaseCommand):
    help = "Generate N synthetic patrols (bulk_create, rolled back) and print the time to compute the KPI table."

    def add_arguments(self, parser):
        parser.add_argument("--patrols", type=int, default=100_000)
        parser.add_argument("--waypoints-per-patrol", type=int, default=2)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--explain", action="store_true", help="Print EXPLAIN ANALYZE of the agency's queries.")

    def handle(self, *args, patrols, waypoints_per_patrol, seed, explain=False, **options):
        self.explain = explain
        rng = random.Random(seed)
        with transaction.atomic():
            self._run(rng, patrols, waypoints_per_patrol)
            transaction.set_rollback(True)  # nothing of the benchmark stays
        self.stdout.write("Rolled back: no benchmark rows remain.")

    def _run(self, rng, count, per_patrol):
        agencies = [
            Agency.objects.get_or_create(
                code=code, defaults={"name_en": code, "country": country, "kind": "national_park"}
            )[0]
            for code, country in (("BENCHCN", "CN"), ("BENCHRU", "RU"))
        ]
        types = list(IncidentType.objects.all()[:6]) or [
            IncidentType.objects.create(code="bench-snare", name_en="Snare", category="threat", removable=True)
        ]
        started = time.perf_counter()
        base = datetime.datetime(2024, 1, 1, 8, tzinfo=datetime.UTC)
        rows, points, incidents = [], [], []
        for i in range(count):
            start = base + datetime.timedelta(hours=rng.randrange(0, 24 * 700))
            days = rng.choice((1, 1, 1, 2, 3))
            team = rng.randint(2, 6)
            patrol = Patrol(
                id=uuid.uuid4(),
                owner_agency=agencies[i % 2],
                leader=f"Leader {i}",
                start=start,
                end=start + datetime.timedelta(days=days - 1, hours=8),
                team_size=team,
                distance_km=Decimal(rng.randint(2000, 40000)) / 1000,
                hours=Decimal(8 * days),
                patrol_days=days,
                person_days=days * team,
            )
            rows.append(patrol)
            for _ in range(per_patrol):
                points.append(
                    Waypoint(
                        patrol_id=patrol.id,
                        time=start,
                        latitude=Decimal("43.1"),
                        longitude=Decimal("131.2"),
                        incident_type=rng.choice(types),
                        count=rng.randint(0, 5),
                        removed=rng.randint(0, 2),
                    )
                )
            if i % 10 == 0:
                incidents.append(
                    Incident(
                        owner_agency=agencies[i % 2],
                        incident_type=rng.choice(types),
                        occurred_on=start.date(),
                        arrests=rng.randint(0, 2),
                        is_seizure=rng.random() < 0.3,
                    )
                )
        Patrol.objects.bulk_create(rows, batch_size=5000)
        Waypoint.objects.bulk_create(points, batch_size=10000)
        Incident.objects.bulk_create(incidents, batch_size=5000)
        self.stdout.write(
            f"Generated {len(rows)} patrols, {len(points)} waypoints, {len(incidents)} incidents "
            f"in {time.perf_counter() - started:.1f} s on {connection.vendor}."
        )
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "ANALYZE antipoaching_patrol; ANALYZE antipoaching_waypoint; ANALYZE antipoaching_incident"
                )
        principal = Principal(is_superuser=True, read_only=False)
        for label, group in (("per country", ("country",)), ("per agency and month", ("agency", "month"))):
            reset_queries()
            with CaptureQueriesContext(connection) as queries:
                began = time.perf_counter()
                table = services.compute_kpis(principal, group=group)
                elapsed = time.perf_counter() - began
            self.stdout.write(
                f"KPI table {label}: {elapsed * 1000:.0f} ms, {len(queries)} SQL queries, {len(table.rows)} rows"
            )
        # And as a partner agency sees it (the access policy in the query).
        staff = Principal(agency=agencies[1], role="agency_staff", read_only=False)
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            services.compute_kpis(staff, group=("country",))
            elapsed = time.perf_counter() - began
        each = ", ".join(q["time"] for q in queries.captured_queries)
        self.stdout.write(
            f"KPI table per country as an agency sees it: {elapsed * 1000:.0f} ms, {len(queries)} SQL queries ({each} s)"
        )
        if connection.vendor == "postgresql":
            # The visibility OR-EXISTS inflates the planner's cost estimate past jit_above_cost, and JIT
            # compilation then costs more than the scan itself: show the figure without it.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
            for label, principal_ in (("superuser", principal), ("agency", staff)):
                began = time.perf_counter()
                services.compute_kpis(principal_, group=("country",))
                self.stdout.write(
                    f"KPI table per country ({label}) with jit=off: {(time.perf_counter() - began) * 1000:.0f} ms"
                )
        if self.explain and connection.vendor == "postgresql":
            for query in queries.captured_queries:
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN ANALYZE " + query["sql"])
                    self.stdout.write("\n".join(row[0] for row in cursor.fetchall()))
