"""How long a new office takes to be ready: Portico's pool against django-tenants' own paths.

    .venv/bin/python bench/provision.py [--tenants 20] [--existing 0]

Provisions ``--tenants`` offices three ways, interleaved so the three see the same database:

* ``portico``: the product path. ``signup_start`` records a sign-up (untimed; the password is
  hashed there), the pool is topped up (untimed; the background task does that between
  sign-ups in production), then the timed step is ``signup_verify_code`` — which claims a pooled
  schema — followed by the readiness check below.
* ``clone``: django-tenants' clone path, ``Tenant(...).save()`` with
  ``TENANT_CREATION_FAKES_MIGRATIONS=True`` (clone ``t_base``, then ``migrate_schemas --fake``).
* ``migrate``: django-tenants' migrate path, ``Tenant(...).save()`` with
  ``TENANT_CREATION_FAKES_MIGRATIONS=False`` (``CREATE SCHEMA`` and every migration).

The two baselines then do what ``tenant_provision`` does after it has a schema (domain, owner,
portal configuration) and the same readiness check; unlike the product path they skip the
sign-up bookkeeping (a locked row read, a code check, one update), which favours them.

Ready means the office's host resolves to its schema and its owner logs in: a real
``authenticate()`` (the project's email backend) inside the tenant's schema. See
``benchkit/settings_provision.py`` for why the bench hashes passwords with MD5.

``--existing M`` first makes sure M other active offices (``bx-00001``…) exist, with real
schemas; they are kept between runs, in a database of their own (``portico_bench_existing``;
runs without ``--existing`` use ``portico_bench_provision``; ``PORTICO_BENCH_DATABASE_URL``
overrides both). ``existing`` in the result is the number of other offices actually present.
Everything the three paths create is deleted at the end.

Progress goes to stderr; the last line of stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchkit import env as bench_env  # noqa: E402

PASSWORD = "Bench-owner-pass-2026!"
EXISTING_PREFIX = "bx-"
PATH_PREFIXES = {"portico": "bp-", "clone": "bc-", "migrate": "bm-"}
CODE_RE = re.compile(r"verification code: (\d{6})")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tenants", type=int, default=20, help="offices provisioned per path (default 20)")
    parser.add_argument("--existing", type=int, default=0, help="other offices present first (default 0)")
    args = parser.parse_args()
    if args.tenants < 1 or args.existing < 0:
        parser.error("--tenants must be at least 1 and --existing at least 0")
    return args


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(fraction * len(ordered))) - 1]


def host_for(slug: str) -> str:
    from django.conf import settings

    return f"{slug}.{settings.PORTICO_BASE_DOMAIN}"


def owner_email(slug: str) -> str:
    return f"owner@{slug}.example"


def ready_check(tenant, owner_id: int) -> None:
    """The office's host routes to its schema and its owner can log in there."""
    from django.contrib.auth import authenticate
    from django.db import connection
    from django_tenants.utils import schema_context

    from tenants.routing import load_route

    route = load_route(host_for(tenant.slug))
    if route is None or route.schema_name != tenant.schema_name:
        raise RuntimeError(f"{tenant.slug}: host does not route to {tenant.schema_name}")
    with schema_context(tenant.schema_name):
        user = authenticate(None, username=owner_email(tenant.slug), password=PASSWORD)
    connection.set_schema_to_public()
    if user is None or user.pk != owner_id or not user.is_active:
        raise RuntimeError(f"{tenant.slug}: the owner cannot log in")


def provision_portico(slug: str) -> tuple[float, object]:
    """Sign up (untimed), fill the pool (untimed), then time verification → ready."""
    from django.core import mail
    from django.db import connection

    from tenants.services import pool_top_up, signup_start, signup_verify_code

    connection.set_schema_to_public()
    pool_top_up(size=1)
    mail.outbox = []
    signup = signup_start(
        office_name=f"Office {slug}",
        slug=slug,
        owner_name="Bench Owner",
        email=owner_email(slug),
        password=PASSWORD,
        verify_url_base="http://localhost",
    )
    code = CODE_RE.search(mail.outbox[-1].subject).group(1)
    started = time.perf_counter()
    provisioned = signup_verify_code(signup_id=signup.id, code=code)
    ready_check(provisioned.tenant, provisioned.owner_id)
    return time.perf_counter() - started, provisioned.tenant


def provision_django_tenants(slug: str, *, clone: bool, password_hash: str) -> tuple[float, object]:
    """django-tenants creates the schema (clone or migrate); then what tenant_provision does."""
    from django.conf import settings
    from django.db import connection
    from django.test.utils import override_settings
    from django_tenants.utils import schema_context

    from tenants.models import Domain, Plan, Tenant
    from tenants.services import _owner_create, _tenant_defaults

    connection.set_schema_to_public()
    with override_settings(TENANT_CREATION_FAKES_MIGRATIONS=clone):
        started = time.perf_counter()
        tenant = Tenant(
            schema_name=Tenant.new_schema_name(),
            name=f"Office {slug}",
            slug=slug,
            status=Tenant.Status.ACTIVE,
            plan=Plan.objects.filter(is_default=True).first(),
        )
        tenant.save(verbosity=0)
        Domain.objects.create(
            domain=f"{slug}.{settings.PORTICO_BASE_DOMAIN}", tenant=tenant, is_primary=True, verified=True
        )
        with schema_context(tenant.schema_name):
            owner_id = _owner_create(name="Bench Owner", email=owner_email(slug), password_hash=password_hash)
            _tenant_defaults(tenant)
        ready_check(tenant, owner_id)
        return time.perf_counter() - started, tenant


def template_sql() -> str:
    """``t_base`` as SQL (``pg_dump``), without the session settings and psql meta-commands."""
    import subprocess

    from django.conf import settings

    from tenants.services import _pg_binary

    db = settings.DATABASES["default"]
    cmd = [_pg_binary("pg_dump"), "--no-owner", "--no-privileges", "--inserts"]
    cmd += ["--schema", settings.PORTICO_BASE_SCHEMA]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            cmd += [flag, str(db[key])]
    cmd += ["--dbname", db["NAME"]]
    environ = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    dump = subprocess.run(cmd, capture_output=True, text=True, check=True, env=environ).stdout  # noqa: S603
    skipped = ("\\", "--", "SET ", "SELECT pg_catalog.set_config(")
    return "\n".join(line for line in dump.splitlines() if not line.startswith(skipped))


def pooled_schema_replicate(sql: str) -> None:
    """One more pooled schema: ``t_base``'s DDL and rows replayed under a new name.

    django-tenants' ``clone_schema`` slows down as schemas add up (~0.2 s per clone with a
    few schemas, ~1.5 s with a thousand, more on a busy machine), so a thousand clones take
    upwards of a quarter of an hour. Replaying the dump costs ~0.1 s whatever the count, and
    yields the same tables, sequences, constraints and rows.
    """
    from django.conf import settings
    from django.db import connection, transaction

    from tenants.models import Tenant

    tenant = Tenant(schema_name=Tenant.new_schema_name(), status=Tenant.Status.POOLED)
    tenant.auto_create_schema = False
    pattern = re.compile(rf"\b{re.escape(settings.PORTICO_BASE_SCHEMA)}\b")
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(pattern.sub(tenant.schema_name, sql))
        tenant.save()


def existing_ensure(count: int, password_hash: str) -> None:
    """M active offices with real schemas, made offices by the product (kept between runs)."""
    from django.db import connection

    from tenants.models import Tenant
    from tenants.services import tenant_provision

    have = set(Tenant.objects.filter(slug__startswith=EXISTING_PREFIX).values_list("slug", flat=True))
    wanted = [f"{EXISTING_PREFIX}{i:05d}" for i in range(1, count + 1)]
    missing = [slug for slug in wanted if slug not in have]
    bench_env.log(f"existing offices: {len(have)} present, {len(missing)} to create")
    if not missing:
        return
    sql = template_sql()
    started = time.perf_counter()
    for done, slug in enumerate(missing, start=1):
        connection.set_schema_to_public()
        pooled_schema_replicate(sql)
        tenant_provision(
            office_name=f"Existing {slug}",
            slug=slug,
            owner_name="Existing Owner",
            email=owner_email(slug),
            password_hash=password_hash,
        )
        if done % 50 == 0 or done == len(missing):
            elapsed = time.perf_counter() - started
            eta = elapsed / done * (len(missing) - done)
            bench_env.log(f"  existing {done}/{len(missing)} ({elapsed:.0f}s, ~{eta:.0f}s left)")
    connection.set_schema_to_public()


def remove_tenants(tenants) -> None:
    """Drop the schemas and rows (with their sign-ups) of tenants the paths created."""
    from django.db import connection, transaction

    from tenants.models import SignupRequest

    connection.set_schema_to_public()
    for tenant in tenants:
        with transaction.atomic():
            SignupRequest.objects.filter(tenant=tenant).delete()
            tenant.delete(force_drop=True)


def remove_leftovers() -> None:
    """Offices and sign-ups of the three paths left by an interrupted run."""
    from django.db.models import Q

    from tenants.models import SignupRequest, Tenant

    by_prefix = Q()
    for prefix in PATH_PREFIXES.values():
        by_prefix |= Q(slug__startswith=prefix)
    leftovers = list(Tenant.objects.filter(by_prefix))
    if leftovers:
        bench_env.log(f"removing {len(leftovers)} office(s) left by an earlier run")
        remove_tenants(leftovers)
    SignupRequest.objects.filter(by_prefix).delete()


def queue_purge() -> None:
    """Every provisioning enqueues a pool top-up; no worker runs for the bench database."""
    from django_q.brokers import get_broker

    get_broker().purge_queue()


def run(args: argparse.Namespace) -> dict:
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from tenants.models import Tenant
    from tenants.services import pool_top_up

    connection.set_schema_to_public()
    remove_leftovers()
    pool_top_up(size=1)
    password_hash = make_password(PASSWORD)
    existing_ensure(args.existing, password_hash)
    existing = Tenant.objects.filter(status__in=[Tenant.Status.ACTIVE, Tenant.Status.SUSPENDED]).count()
    if existing != args.existing:
        bench_env.log(f"note: {existing} other offices are present (--existing {args.existing})")

    run_id = f"{int(time.time()) % 100000:05d}"
    timings: dict[str, list[float]] = {name: [] for name in PATH_PREFIXES}
    created = []
    try:
        # Round 0 warms the process up (imports, first connections, cached signatures), as a
        # long-running web worker would be; it is not counted.
        for i in range(args.tenants + 1):
            took = {}
            for name, prefix in PATH_PREFIXES.items():
                slug = f"{prefix}{run_id}-{i:03d}"
                if name == "portico":
                    took[name], tenant = provision_portico(slug)
                else:
                    took[name], tenant = provision_django_tenants(
                        slug, clone=name == "clone", password_hash=password_hash
                    )
                created.append(tenant)
                if i:
                    timings[name].append(took[name])
            label = f"{i}/{args.tenants}" if i else "warm-up"
            bench_env.log(f"  {label}: " + "  ".join(f"{name} {s * 1000:.0f}ms" for name, s in took.items()))
    finally:
        bench_env.log(f"removing the {len(created)} office(s) this run created")
        remove_tenants(created)
        queue_purge()

    portico_p50 = statistics.median(timings["portico"])
    clone_p50 = statistics.median(timings["clone"])
    migrate_p50 = statistics.median(timings["migrate"])
    return {
        "portico_p50_s": round(portico_p50, 4),
        "portico_p95_s": round(percentile(timings["portico"], 0.95), 4),
        "clone_p50_s": round(clone_p50, 4),
        "migrate_p50_s": round(migrate_p50, 4),
        "speedup_vs_migrate": round(migrate_p50 / portico_p50, 1),
        "speedup_vs_clone": round(clone_p50 / portico_p50, 1),
        "tenants": args.tenants,
        "existing": existing,
    }


def main() -> None:
    args = parse_args()
    bench_env.put_on_path()
    database = "portico_bench_existing" if args.existing else "portico_bench_provision"
    environ = bench_env.bench_environ("benchkit.settings_provision", database)
    import django

    django.setup()
    # Migrations and anything else that prints must not land between us and the JSON line.
    with contextlib.redirect_stdout(sys.stderr):
        bench_env.prepare_database(environ)
        result = run(args)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
