"""Behind PgBouncer: in session mode offices never see each other's schema, even when one server
connection serves them all in turn; in transaction mode Portico refuses to start, saying why."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django_tenants.utils import schema_context

from tenants.pooling import REFUSAL, refuse_transaction_pooling, shared_server_connections
from tests.pgbouncer_proxy import PgBouncer

pytestmark = pytest.mark.django_db(transaction=True)  # the connection is closed and opened again
ROOT = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def pgbouncer(mode: str, *, pool_size: int = 5):
    database = connection.settings_dict
    bouncer = PgBouncer(
        upstream_host=database["HOST"],
        upstream_port=database["PORT"],
        user=database["USER"] or "postgres",
        mode=mode,
        pool_size=pool_size,
    ).start()
    try:
        yield bouncer
    finally:
        bouncer.stop()


@contextlib.contextmanager
def through(bouncer: PgBouncer):
    """Django's connection goes through ``bouncer`` for the block."""
    host, port = connection.settings_dict["HOST"], connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(bouncer.port))
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(HOST=host, PORT=port)


def _contacts(office, names):
    from portal_core.models import Contact

    with schema_context(office.schema_name):
        for name in names:
            Contact.objects.create(
                first_name=name, last_name=office.slug.title(), email=f"{name}@{office.slug}.example"
            )
    connection.set_schema_to_public()


def test_in_session_mode_offices_sharing_one_server_connection_see_only_their_own(office_a, office_b):
    _contacts(office_a, ["ann", "arno"])
    _contacts(office_b, ["bea", "bram"])
    staff = {office_a.slug: office_a.staff_client(), office_b.slug: office_b.staff_client()}

    with pgbouncer("session", pool_size=1) as bouncer, through(bouncer):
        backends = set()
        for turn in range(6):  # one server connection, handed from office to office
            office, other = ((office_a, office_b), (office_b, office_a))[turn % 2]
            page = staff[office.slug].get("/office/contacts/").content.decode()
            assert page.count(f"@{office.slug}.example") >= 2  # its two clients (and its owner)
            assert f"@{other.slug}.example" not in page
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                backends.add(cursor.fetchone()[0])
            connection.close()  # as at the end of every request
    assert len(backends) == 1  # the same server backend served both offices


def _pointed_at(settings, bouncer) -> None:
    settings.DATABASES = {
        **settings.DATABASES,
        "default": {**settings.DATABASES["default"], "HOST": "127.0.0.1", "PORT": str(bouncer.port)},
    }


def test_in_session_mode_the_check_lets_portico_start(settings):
    with pgbouncer("session") as bouncer:
        _pointed_at(settings, bouncer)
        assert not shared_server_connections()
        refuse_transaction_pooling()


def test_in_transaction_mode_the_check_refuses(settings):
    with pgbouncer("transaction") as bouncer:
        _pointed_at(settings, bouncer)
        assert shared_server_connections()
        with pytest.raises(ImproperlyConfigured, match="pool_mode = session"):
            refuse_transaction_pooling()


@pytest.mark.parametrize("entry", ["wsgi", "worker"])
def test_in_transaction_mode_the_web_and_the_worker_do_not_start(entry):
    database = connection.settings_dict
    with pgbouncer("transaction") as bouncer:
        url = f"postgres://{database['USER'] or 'postgres'}@127.0.0.1:{bouncer.port}/{database['NAME']}"
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "platform")]),
        }
        command = (
            [sys.executable, "-c", "import config.wsgi"]
            if entry == "wsgi"
            else [sys.executable, str(ROOT / "manage.py"), "qcluster"]
        )
        started = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)  # noqa: S603
    assert started.returncode != 0
    assert REFUSAL in started.stderr.replace("\n", " ") or "pool_mode = session" in started.stderr


ISOLATION_SUITE = [
    "tests/portal_core/test_office_isolation.py",
    "tests/portal_core/test_client_access.py",
    "tests/api/test_portal_accounts.py",
]


def test_the_isolation_suite_passes_through_pgbouncer_in_session_mode():
    """Every connection of a whole test run (its own test database, made through PgBouncer) goes
    through the pooler: offices, clients and API keys of one office never reach another's data."""
    database = connection.settings_dict
    with pgbouncer("session", pool_size=20) as bouncer:
        url = f"postgres://{database['USER'] or 'postgres'}@127.0.0.1:{bouncer.port}/portico_pgbouncer"
        env = {**os.environ, "DATABASE_URL": url}
        run = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--create-db", *ISOLATION_SUITE],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else run.stderr[-2000:]
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert " passed" in summary and "failed" not in summary and "skipped" not in summary, summary
