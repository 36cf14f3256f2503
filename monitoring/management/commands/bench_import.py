"""Measure the Camtrap DP import against PostgreSQL's own COPY of the same rows.

    python manage.py bench_import --observations 1000000

Generates a synthetic package on disk, imports it (streamed, batched upserts), then copies the
very rows the import wrote out of the observation table and times COPY … FROM of them into a
temporary table, bare and with the same indexes. Everything runs in one transaction that is
rolled back at the end unless --keep is given.
"""

import csv
import datetime
import json
import resource
import shutil
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from core.models import Agency

from ...camtrap.importer import import_package
from ...camtrap.schema import PROFILE_URL, TABLES, table_schema, table_schema_url
from ...models import Observation

SPECIES = ["Panthera pardus orientalis", "Panthera tigris altaica", "Sus scrofa", "Cervus nippon", "Capreolus pygargus"]


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def write_package(folder, observations, deployments):
    folder.mkdir(parents=True, exist_ok=True)
    start = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    fields = {t: [f["name"] for f in table_schema(t)["fields"]] for t in TABLES}
    media_count = observations // 4
    with open(folder / "deployments.csv", "w", newline="") as handle:
        out = csv.DictWriter(handle, fields["deployments"])
        out.writeheader()
        for d in range(deployments):
            out.writerow(
                {
                    "deploymentID": f"bench-d{d}",
                    "latitude": 42.8 + (d % 50) * 0.02,
                    "longitude": 130.3 + (d // 50) * 0.02,
                    "deploymentStart": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "deploymentEnd": (start + datetime.timedelta(days=365)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "featureType": "trailGame",
                    "cameraID": f"cam{d}",
                }
            )
    with open(folder / "media.csv", "w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(fields["media"])
        for m in range(media_count):
            ts = (start + datetime.timedelta(seconds=m * 7)).strftime("%Y-%m-%dT%H:%M:%SZ")
            out.writerow(
                [
                    f"bench-m{m}",
                    f"bench-d{m % deployments}",
                    "activityDetection",
                    ts,
                    f"media/{m}.jpg",
                    "false",
                    f"{m}.jpg",
                    "image/jpeg",
                    "",
                    "",
                    "",
                ]
            )
    with open(folder / "observations.csv", "w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(fields["observations"])
        for o in range(observations):
            ts = (start + datetime.timedelta(seconds=o * 7)).strftime("%Y-%m-%dT%H:%M:%SZ")
            media = f"bench-m{o}" if o < media_count else ""
            deployment = f"bench-d{o % deployments}" if o >= media_count else f"bench-d{o % deployments}"
            level = "media" if media else "event"
            species = SPECIES[o % len(SPECIES)]
            out.writerow(
                [
                    f"bench-o{o}",
                    deployment,
                    media,
                    f"bench-e{o}",
                    ts,
                    ts,
                    level,
                    "animal",
                    "",
                    species,
                    1,
                    "adult",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "machine",
                    "bench",
                    ts,
                    0.9,
                    "",
                    "",
                ]
            )
    descriptor = {
        "resources": [
            {
                "name": t,
                "path": f"{t}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": table_schema_url(t),
            }
            for t in TABLES
        ],
        "profile": PROFILE_URL,
        "name": "bench",
        "created": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "contributors": [{"title": "bench"}],
        "project": {
            "title": "bench",
            "samplingDesign": "targeted",
            "captureMethod": ["activityDetection"],
            "individualAnimals": False,
            "observationLevel": ["media", "event"],
        },
        "spatial": {"type": "Point", "coordinates": [130.5, 43.0]},
        "temporal": {"start": "2024-01-01", "end": "2025-01-01"},
        "taxonomic": [{"scientificName": s} for s in SPECIES],
    }
    (folder / "datapackage.json").write_text(json.dumps(descriptor))
    return media_count


class Command(BaseCommand):
    help = (
        "Import a synthetic Camtrap DP package of N observations; print rows/s beside PostgreSQL COPY and peak memory."
    )

    def add_arguments(self, parser):
        parser.add_argument("--observations", type=int, default=100_000)
        parser.add_argument("--deployments", type=int, default=200)
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument("--keep", action="store_true", help="Keep the imported rows (default: roll back)")

    def handle(self, observations, deployments, batch_size, keep, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_import compares with PostgreSQL COPY: set DATABASE_URL=postgres://…")
        work = Path(tempfile.mkdtemp(prefix="camtrap-bench-"))
        try:
            t0 = time.monotonic()
            media = write_package(work / "pkg", observations, deployments)
            self.stdout.write(
                f"generated {deployments} deployments, {media} media, {observations} observations in {time.monotonic() - t0:.1f} s"
            )
            rss_before = peak_rss_mb()
            with transaction.atomic():
                agency, _ = Agency.objects.get_or_create(
                    code="BENCH", defaults={"name_en": "Benchmark", "country": "INT", "kind": "research"}
                )
                t0 = time.monotonic()
                run = import_package(work / "pkg", agency, batch_size=batch_size)
                seconds = time.monotonic() - t0
                rss_after = peak_rss_mb()
                rows = run.deployments + run.media + run.observations
                self.stdout.write(
                    f"import: {rows} rows in {seconds:.1f} s = {rows / seconds:,.0f} rows/s "
                    f"({run.observations / seconds:,.0f} observations/s overall)"
                )
                copy_bare, copy_indexed = self.copy_same_rows(run, work)
                self.stdout.write(
                    f"COPY of the same {run.observations} observation rows into a bare temp table: {copy_bare:.1f} s = {run.observations / copy_bare:,.0f} rows/s"
                )
                self.stdout.write(
                    f"COPY into a temp table with the same indexes and constraints: {copy_indexed:.1f} s = {run.observations / copy_indexed:,.0f} rows/s"
                )
                obs_rate_import = run.observations / seconds
                self.stdout.write(
                    f"ratio import/COPY(indexed): {obs_rate_import / (run.observations / copy_indexed):.2f}; import/COPY(bare): {obs_rate_import / (run.observations / copy_bare):.2f}"
                )
                self.stdout.write(
                    f"peak memory (ru_maxrss): {rss_after:,.0f} MiB (before the import: {rss_before:,.0f} MiB)"
                )
                if not keep:
                    transaction.set_rollback(True)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def copy_same_rows(self, run, work):
        table = Observation._meta.db_table
        dump = work / "observations.copy"
        with connection.cursor() as cursor:
            raw = cursor.cursor
            with open(dump, "w") as handle:
                raw.copy_expert(f"COPY (SELECT * FROM {table} WHERE import_run_id = '{run.pk}') TO STDOUT", handle)
            timings = []
            for name, like in (("bench_copy_bare", "INCLUDING DEFAULTS"), ("bench_copy_indexed", "INCLUDING ALL")):
                cursor.execute(f"CREATE TEMP TABLE {name} (LIKE {table} {like})")
                t0 = time.monotonic()
                with open(dump) as handle:
                    raw.copy_expert(f"COPY {name} FROM STDIN", handle)
                timings.append(time.monotonic() - t0)
                cursor.execute(f"DROP TABLE {name}")
        return timings
