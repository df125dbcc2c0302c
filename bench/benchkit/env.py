"""Where the benchmarks run: a database and a Redis database of their own, on loopback."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
BENCH_DIR = ROOT / "bench"
PLATFORM_DIR = ROOT / "platform"
BENCH_DATABASE = "portico_bench"
BENCH_REDIS_DB = 13


def put_on_path() -> None:
    """The repository root, ``platform/`` and ``bench/``, in that order: the root must come first, or
    ``bench/webhooks.py`` (this folder's bench) would hide the ``webhooks`` app."""
    ordered = [str(ROOT), str(PLATFORM_DIR), str(BENCH_DIR)]
    sys.path[:] = ordered + [p for p in sys.path if p not in ordered]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def bench_database_url(name: str = BENCH_DATABASE) -> str:
    """``PORTICO_BENCH_DATABASE_URL``, else the database ``name`` on the project's server."""
    explicit = os.environ.get("PORTICO_BENCH_DATABASE_URL")
    if explicit:
        return explicit
    put_on_path()
    from config.database import database_url

    parts = urlsplit(database_url(ROOT))
    return urlunsplit(parts._replace(path=f"/{name}"))


def bench_redis_url() -> str:
    """``PORTICO_BENCH_REDIS_URL``, else the project's Redis server, database 13."""
    explicit = os.environ.get("PORTICO_BENCH_REDIS_URL")
    if explicit:
        return explicit
    base = os.environ.get("REDIS_URL") or os.environ.get("PORTICO_TEST_REDIS_URL") or "redis://127.0.0.1:6379"
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{BENCH_REDIS_DB}"))


def bench_environ(settings_module: str, database: str = BENCH_DATABASE, **extra: str) -> dict[str, str]:
    """The environment for this process and its children. Also applied to ``os.environ``."""
    values = {
        "DJANGO_SETTINGS_MODULE": settings_module,
        "DATABASE_URL": bench_database_url(database),
        "REDIS_URL": bench_redis_url(),
        "PORTICO_BASE_DOMAIN": os.environ.get("PORTICO_BASE_DOMAIN", "localhost"),
        "PYTHONPATH": os.pathsep.join(
            [str(BENCH_DIR), str(PLATFORM_DIR), str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
        ),
        **extra,
    }
    os.environ.update(values)
    return dict(os.environ)


def prepare_database(env: dict[str, str]) -> None:
    """Create the bench database and migrate it, once Django is set up in this process.

    ``migrate_platform`` skips the schemas already at the code's migrations; it runs only when the
    public or template schema has migrations pending (every schema is made from the template, so
    they move together).
    """
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django_tenants.utils import schema_context, schema_exists

    from config.database import ensure_database

    ensure_database(env["DATABASE_URL"])
    pending = []
    for schema in ("public", "t_base"):
        if schema != "public" and not schema_exists(schema):
            continue
        with schema_context(schema):
            executor = MigrationExecutor(connection)
            if executor.migration_plan(executor.loader.graph.leaf_nodes()):
                pending.append(schema)
    if pending:
        log(f"migrating the bench database ({', '.join(pending)} behind)…")
        started = time.perf_counter()
        subprocess.run(  # noqa: S603
            [sys.executable, str(ROOT / "manage.py"), "migrate_platform", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=sys.stderr,
        )
        log(f"migrated in {time.perf_counter() - started:.1f}s")
    connection.close()
