"""New schemas made from a script of the template, at a cost that does not grow with the offices.

django-tenants' ``clone_schema`` reads the catalogue table by table with queries whose cost grows with
every schema in the database (1.2 s with no offices, 10.6 s with a thousand). Instead, the template is
dumped once per migration state (``pg_dump`` of its tables, indexes, constraints, sequences and rows,
stored in :class:`~tenants.models.TemplateScript`, so every machine shares it) and a new schema is
that script run under the new name, in the caller's transaction. Creating tables and indexes costs
the same whatever else the database holds.

When ``pg_dump`` cannot be run, :func:`schema_create_from_template` falls back to the clone.
"""

from __future__ import annotations

import logging
import re
import subprocess

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django_tenants.clone import CloneSchema

from .migration_state import schema_fingerprint
from .models import TemplateScript
from .pg_tools import pg_binary, pg_connection_args

logger = logging.getLogger(__name__)

SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class ScriptUnavailable(Exception):
    """The template could not be dumped (no pg_dump, or it failed)."""


def _dump(schema: str) -> str:
    args, env = pg_connection_args()
    command = [
        pg_binary("pg_dump"),
        "--no-owner",
        "--no-privileges",
        "--no-comments",
        "--inserts",
        "--rows-per-insert=500",
        "--schema",
        schema,
        *args,
    ]
    try:
        result = subprocess.run(command, capture_output=True, env=env, timeout=300, check=False)  # noqa: S603
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ScriptUnavailable(str(exc)) from exc
    if result.returncode != 0 or f"CREATE SCHEMA {schema};".encode() not in result.stdout:
        raise ScriptUnavailable(result.stderr.decode(errors="replace")[-500:])
    return result.stdout.decode()


def _statements_only(sql: str) -> str:
    """The dump without what would change the session: its SETs, its search_path and psql's own
    commands (``\\restrict``); every name in it is qualified with the schema."""
    kept = [
        line
        for line in sql.splitlines()
        if not line.startswith(("SET ", "SELECT pg_catalog.set_config(", "\\"))
    ]
    return "\n".join(kept) + "\n"


def template_script(*, refresh: bool = False) -> TemplateScript:
    """The script of the template at its current migrations, dumped now if there is none yet."""
    base = settings.PORTICO_BASE_SCHEMA
    state = schema_fingerprint(base)
    script = None if refresh else TemplateScript.objects.filter(fingerprint=state).first()
    if script is None:
        sql = _statements_only(_dump(base))
        try:
            with transaction.atomic():
                script, _ = TemplateScript.objects.update_or_create(fingerprint=state, defaults={"sql": sql})
        except IntegrityError:  # another process stored the same dump first
            script = TemplateScript.objects.get(fingerprint=state)
        TemplateScript.objects.exclude(pk=script.pk).delete()
    return script


def schema_create_from_template(schema_name: str) -> None:
    """Create ``schema_name`` as a copy of the template, inside the current transaction."""
    if not SCHEMA_NAME.match(schema_name) or schema_name == settings.PORTICO_BASE_SCHEMA:
        raise ValueError(f"not a schema name for a new office: {schema_name!r}")
    try:
        script = template_script()
    except ScriptUnavailable as exc:
        logger.warning("the template could not be dumped (%s); cloning it instead", exc)
        CloneSchema().clone_schema(settings.PORTICO_BASE_SCHEMA, schema_name, set_connection=False)
        return
    sql = re.sub(rf"\b{re.escape(settings.PORTICO_BASE_SCHEMA)}\b", schema_name, script.sql)
    with transaction.atomic(), connection.cursor() as cursor:  # all of it or nothing
        cursor.execute("SELECT current_setting('search_path')")
        search_path = cursor.fetchone()[0]
        cursor.execute("SELECT set_config('search_path', '', true)")
        cursor.execute(sql)  # no parameters: the statements go as one simple query
        cursor.execute("SELECT set_config('search_path', %s, true)", [search_path])
