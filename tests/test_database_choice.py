"""Which PostgreSQL Portico uses: DATABASE_URL, else 127.0.0.1:5432, else an embedded server."""

import subprocess
import sys
from pathlib import Path

import psycopg

from config import database

ROOT = Path(__file__).resolve().parents[1]


def test_it_prefers_database_url(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgres://someone@db.internal:6543/portico")
    monkeypatch.setattr(database, "local_server_listening", lambda: True)
    assert database.database_url(tmp_path) == "postgres://someone@db.internal:6543/portico"


def test_it_uses_the_local_server_when_one_listens(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr(database, "local_server_listening", lambda: True)
    assert database.database_url(tmp_path) == database.LOCAL_URL


def test_it_starts_an_embedded_server_when_nothing_else_is_there(monkeypatch, tmp_path):
    """The fresh-machine path: a real PostgreSQL from the pgserver package, under .data/."""
    script = (
        "import sys, pathlib\n"
        "sys.path.insert(0, 'platform')\n"
        "from config import database\n"
        "database.local_server_listening = lambda: False\n"
        f"root = pathlib.Path({str(tmp_path)!r})\n"
        "url = database.database_url(root)\n"
        "print(url)\n"
        "import psycopg\n"
        "with psycopg.connect(url) as conn:\n"
        "    print(conn.execute('select current_database(), version()').fetchone())\n"
        "database.embedded_server_stop(database.embedded_data_dir(root))\n"
    )
    # A plain system PATH (as root, pgserver creates its own system user with useradd from sbin).
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    url, row = out.stdout.strip().splitlines()[-2:]
    assert "/portico" in url and str(tmp_path / ".data" / "postgres") in url
    assert "('portico', 'PostgreSQL 16" in row
    assert (tmp_path / ".data" / "postgres" / "PG_VERSION").exists()
    try:
        psycopg.connect(url, connect_timeout=2).close()
        stopped = False
    except psycopg.OperationalError:
        stopped = True
    assert stopped, "the test's embedded server should be stopped again"


def test_it_reads_a_socket_directory_url_as_the_host(monkeypatch):
    import importlib

    import config.settings.base as base

    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres:@/portico?host=/srv/portico/.data/postgres")
    try:
        reloaded = importlib.reload(base)
        assert reloaded.DATABASES["default"]["HOST"] == "/srv/portico/.data/postgres"
        assert "host" not in reloaded.DATABASES["default"].get("OPTIONS", {})
    finally:
        monkeypatch.undo()
        importlib.reload(base)
