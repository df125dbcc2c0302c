"""PostgreSQL's client tools (pg_dump, psql) for the configured database."""

from __future__ import annotations

import shutil
from pathlib import Path

from django.conf import settings


def pg_binary(name: str) -> str:
    """pgserver's ``name`` (PostgreSQL 16 client tools), else the one on PATH."""
    from importlib.util import find_spec

    spec = find_spec("pgserver")
    bundled = Path(spec.origin).parent / "pginstall" / "bin" / name if spec and spec.origin else Path()
    return str(bundled) if bundled.exists() else (shutil.which(name) or name)


def pg_connection_args() -> tuple[list[str], dict[str, str]]:
    db = settings.DATABASES["default"]
    args = ["--dbname", db["NAME"]]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            args += [option, str(db[key])]
    return args, {"PGPASSWORD": db.get("PASSWORD") or ""}
