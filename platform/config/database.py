"""Which PostgreSQL Portico talks to.

Order of choice: ``DATABASE_URL``; else a server already listening on 127.0.0.1:5432; else an
embedded PostgreSQL (the pgserver package) that Portico starts itself under ``.data/postgres``,
so the project runs on a machine with no database installed.
"""

import os
import socket
from pathlib import Path

LOCAL_URL = "postgres://postgres@127.0.0.1:5432/portico"


def local_server_listening(host: str = "127.0.0.1", port: int = 5432) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _pgserver():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
        import pgserver
    return pgserver


def embedded_data_dir(base_dir: Path) -> Path:
    return base_dir / ".data" / "postgres"


def embedded_server_url(data_dir: Path, database: str = "portico") -> str:
    """Start (or join) the embedded server under ``data_dir`` and return a URL for ``database``."""
    pgserver = _pgserver()
    data_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data_dir, cleanup_mode=None)
    url = server.get_uri(database)
    ensure_database(url)
    return url


def ensure_database(url: str) -> None:
    """Create the database named in ``url`` when the server lacks it (dev convenience)."""
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params = conninfo_to_dict(url)
    name = params.get("dbname") or "postgres"
    admin = make_conninfo(url, dbname="postgres")
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not found:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def database_url(base_dir: Path) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    if local_server_listening():
        return LOCAL_URL
    return embedded_server_url(embedded_data_dir(base_dir))


def embedded_server_stop(data_dir: Path) -> None:
    """Stop the embedded server under ``data_dir`` if it runs."""
    if not (data_dir / "postmaster.pid").exists():
        return
    server = _pgserver().get_server(data_dir, cleanup_mode="stop")
    server.cleanup_mode = "stop"
    server.cleanup()
