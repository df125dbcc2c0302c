"""What a deploy and the pool's refill cost with many offices in one database.

    .venv/bin/python bench/scale.py [--offices 1000] [--jobs 2] [--samples 5] [--deploy-offices N]

An office set ``bs-00001``… of ``--offices`` active offices is kept between runs in a database of
its own (``portico_bench_scale``; ``PORTICO_BENCH_DATABASE_URL`` overrides it), each made as a
sign-up makes it (a pooled schema from the template, claimed by ``tenant_provision``). Then:

* ``refill``: ``--samples`` pooled schemas made the product's way (the template's script) and as many
  with django-tenants' ``clone_schema``, interleaved; seconds per schema, p50. They are dropped after.
* ``noop_migrate``: ``manage.py migrate_platform`` with nothing to apply, in a process of its own
  (Django's start-up included): wall seconds.
* ``sweep``: the webhook sweeper's minute run with every office idle, through the index of due work,
  against one visit of every office (what it did each minute before, and does once an hour now).
* ``routing``: the bytes one office's route takes in a process's route cache (tracemalloc, over every
  office's host, loaded cold), and the queries of a warm request's routing (none).
* ``operator``: the operators' list of offices (first page) and a search, p95 of ``--samples`` × 4.
* ``one_migration``: a bench app's migration (a table with an index) is taken off every schema, as if
  a release had added it; ``migrate_platform --jobs 1`` brings it back, then the same again with
  ``--jobs J``: wall seconds of each and the speed-up. ``--deploy-offices`` limits how many office
  schemas (besides the template and the pool) this part covers, to keep a run short.

Progress goes to stderr; the last line of stdout is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchkit import env as bench_env  # noqa: E402

SETTINGS = "benchkit.settings_scale"
DATABASE = "portico_bench_scale"
PREFIX = "bs-"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--offices", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=2, help="processes for the parallel deploy (default 2)")
    parser.add_argument("--samples", type=int, default=5, help="schemas per refill way (default 5)")
    parser.add_argument("--deploy-offices", type=int, default=None, help="office schemas the deploy covers")
    parser.add_argument("--no-deploy", action="store_true", help="skip the one-migration deploys")
    return parser.parse_args()


def offices_ensure(count: int) -> int:
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from tenants.models import Tenant
    from tenants.services import pooled_schema_create, tenant_provision

    have = Tenant.objects.filter(slug__startswith=PREFIX).count()
    started = time.perf_counter()
    password = make_password("Bench-scale-2026!")
    for n in range(have + 1, count + 1):
        pooled_schema_create()
        slug = f"{PREFIX}{n:05d}"
        tenant_provision(
            office_name=f"Scale Office {n}",
            slug=slug,
            owner_name="Scale Owner",
            email=f"owner@{slug}.example",
            password_hash=password,
        )
        connection.set_schema_to_public()
        if n % 50 == 0 or n == count:
            rate = (n - have) / (time.perf_counter() - started)
            bench_env.log(f"  {n}/{count} offices ({rate:.1f} a second)")
    return Tenant.objects.filter(slug__startswith=PREFIX).count()


def refill(samples: int) -> dict:
    from django.conf import settings
    from django.db import connection, transaction
    from django_tenants.clone import CloneSchema

    from tenants.models import Tenant
    from tenants.schema_script import template_script
    from tenants.services import pooled_schema_create

    template_script()  # as after a deploy
    script, clone, made = [], [], []
    for _ in range(samples):
        started = time.perf_counter()
        made.append(pooled_schema_create().schema_name)
        script.append(time.perf_counter() - started)
        name = Tenant.new_schema_name()
        started = time.perf_counter()
        with transaction.atomic():
            CloneSchema().clone_schema(settings.PORTICO_BASE_SCHEMA, name, set_connection=False)
        clone.append(time.perf_counter() - started)
        made.append(name)
    Tenant.objects.filter(schema_name__in=made).delete()  # drops the pooled ones' schemas
    with connection.cursor() as cursor:
        for name in made:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
    return {
        "refill_script_p50_s": round(statistics.median(script), 3),
        "refill_clone_p50_s": round(statistics.median(clone), 3),
    }


def sweep() -> dict:
    from tenants.due_work import due_visit
    from webhooks import clock
    from webhooks.tasks import deliveries_due, deliveries_enqueue_due, deliveries_next_due

    deliveries_due()  # the hour's backstop, if due, out of the way
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        deliveries_due()
        runs.append(time.perf_counter() - started)
    started = time.perf_counter()
    due_visit(
        "webhooks.sweep",
        now=clock.now(),
        visit=deliveries_enqueue_due,
        next_due=deliveries_next_due,
        full=True,
    )
    every_office = time.perf_counter() - started
    return {
        "sweep_index_s": round(statistics.median(runs), 4),
        "sweep_every_office_s": round(every_office, 2),
    }


def routing() -> dict:
    import tracemalloc

    from django.conf import settings
    from django.db import connection

    from tenants.models import Domain
    from tenants.routing import routes

    hosts = list(
        Domain.objects.filter(tenant__slug__startswith=PREFIX, is_primary=True).values_list(
            "domain", flat=True
        )
    )
    routes.clear()
    routes.get(hosts[0])  # the generation read and the loader's code, out of the measure
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    for host in hosts[1:]:
        routes.get(host)
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    grown = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    queries = []
    with connection.execute_wrapper(lambda execute, sql, *rest: queries.append(sql) or execute(sql, *rest)):
        for host in hosts[:50]:
            routes.get(host)
    return {
        "route_bytes_per_office": round(grown / max(1, len(hosts) - 1)),
        "route_cache_limit": routes.MAX_ENTRIES,
        "warm_routing_queries": len(queries),
        "recheck_seconds": settings.PORTICO_ROUTING_RECHECK_SECONDS,
    }


def operator(samples: int) -> dict:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from tenants.operator_two_factor import SESSION_VERIFIED

    connection.set_schema_to_public()
    user = get_user_model().objects.filter(username="scale-operator").first()
    if user is None:
        user = get_user_model().objects.create_superuser(
            "scale-operator", "op@scale.example", "Scale-op-2026!"
        )
    browser = Client(HTTP_HOST=settings.PORTICO_BASE_DOMAIN)
    browser.force_login(user)
    session = browser.session
    session[SESSION_VERIFIED] = user.pk
    session.save()
    figures = {}
    for name, path in (
        ("operator_list", "/admin/tenants/tenant/"),
        ("operator_search", "/admin/tenants/tenant/?q=Scale+Office+77"),
    ):
        if browser.get(path).status_code != 200:
            raise RuntimeError(f"{path} did not answer 200")
        timings = []
        for _ in range(samples * 4):
            started = time.perf_counter()
            browser.get(path)
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        figures[f"{name}_p95_ms"] = round(timings[min(len(timings) - 1, int(len(timings) * 0.95))], 1)
    return figures


def migrate(env: dict, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run(  # noqa: S603
        [sys.executable, str(bench_env.ROOT / "manage.py"), "migrate_platform", *args],
        cwd=bench_env.ROOT,
        env=env,
        check=True,
        stdout=sys.stderr,
    )
    return time.perf_counter() - started


def take_the_migration_off(limit: int | None) -> int:
    """The bench app's migration undone on every schema (``limit`` office schemas at most): its table
    dropped and its record gone, in batches of 100 schemas a transaction."""
    from django.db import connection, transaction

    from tenants.models import SchemaMigrationState, Tenant

    others = list(
        Tenant.objects.exclude(slug__startswith=PREFIX)
        .exclude(schema_name="public")
        .values_list("schema_name", flat=True)
    )
    offices = list(
        Tenant.objects.filter(slug__startswith=PREFIX).order_by("slug").values_list("schema_name", flat=True)
    )
    schemas = others + offices[:limit]
    for start in range(0, len(schemas), 100):
        with transaction.atomic(), connection.cursor() as cursor:
            for schema in schemas[start : start + 100]:
                cursor.execute(f'DROP TABLE IF EXISTS "{schema}".scale_step_marker')
                cursor.execute(f"DELETE FROM \"{schema}\".django_migrations WHERE app = 'scale_step'")  # noqa: S608
    SchemaMigrationState.objects.filter(schema_name__in=schemas).update(fingerprint="behind")
    return len(schemas)


def main() -> None:
    args = parse_args()
    bench_env.put_on_path()
    environ = bench_env.bench_environ(SETTINGS, database=DATABASE)
    import django

    django.setup()
    figures: dict = {}
    with contextlib.redirect_stdout(sys.stderr):
        bench_env.prepare_database(environ)
        bench_env.log(f"making sure {args.offices} offices exist…")
        figures["offices"] = offices_ensure(args.offices)
        bench_env.log("refill: the template's script against django-tenants' clone…")
        figures.update(refill(args.samples))
        bench_env.log(f"  script {figures['refill_script_p50_s']} s, clone {figures['refill_clone_p50_s']} s")
        bench_env.log("the webhook sweeper with every office idle…")
        figures.update(sweep())
        bench_env.log(
            f"  index {figures['sweep_index_s']} s, every office {figures['sweep_every_office_s']} s"
        )
        bench_env.log("routing and the operators' list…")
        figures.update(routing())
        figures.update(operator(args.samples))
        bench_env.log(
            f"  {figures['route_bytes_per_office']} bytes a route, operators' list p95 "
            f"{figures['operator_list_p95_ms']} ms, search p95 {figures['operator_search_p95_ms']} ms"
        )
        from django.db import connection

        connection.close()
        bench_env.log("a deploy with nothing to apply…")
        migrate(environ, "-v", "0")  # records any schema made outside a migrate first
        figures["noop_migrate_s"] = round(migrate(environ), 2)
        bench_env.log(f"  {figures['noop_migrate_s']} s")
        for jobs in () if args.no_deploy else (1, args.jobs):
            covered = take_the_migration_off(args.deploy_offices)
            connection.close()
            bench_env.log(f"a deploy with one new migration over {covered} schemas, {jobs} job(s)…")
            figures[f"one_migration_{jobs}_jobs_s"] = round(migrate(environ, "--jobs", str(jobs)), 2)
            bench_env.log(f"  {figures[f'one_migration_{jobs}_jobs_s']} s")
            figures["deploy_schemas"] = covered
    if not args.no_deploy:
        figures["jobs"] = args.jobs
        one, several = figures["one_migration_1_jobs_s"], figures[f"one_migration_{args.jobs}_jobs_s"]
        figures["parallel_speedup"] = round(one / several, 2)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
