"""An index of periodic work by due time, so that the minute and daily tasks do not visit every office.

Code that makes work for later in an office's schema marks it (:func:`due_mark`, in the same
transaction): the schema's row of that kind keeps the earliest time. A periodic task, from the
public schema, visits only the active offices whose row is due (:func:`due_visit`), and after each
visit stores when that schema is next due (or drops its row). A mark made meanwhile wins: every mark
bumps the row's version and the visit writes back only over the version it read, so no work marked
during a visit is forgotten. ``full=True`` visits every active office (a slow backstop for work
marked by no code path).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from django.db import connection
from django_tenants.utils import schema_context

logger = logging.getLogger(__name__)

PUBLIC = "public"


def _table() -> str:
    from .models import DueWork

    return f"{PUBLIC}.{connection.ops.quote_name(DueWork._meta.db_table)}"


def due_mark(kind: str, when: datetime, *, schema_name: str | None = None) -> None:
    """The current office's schema (or ``schema_name``) has work of ``kind`` due at ``when``."""
    schema = schema_name or connection.schema_name
    if schema == PUBLIC:
        return
    table = _table()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (schema_name, kind, due_at, version) VALUES (%s, %s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (schema_name, kind) DO UPDATE "
            f"SET due_at = LEAST({table}.due_at, EXCLUDED.due_at), version = {table}.version + 1",
            [schema, kind, when],
        )


def _settle(schema: str, kind: str, version: int | None, next_due: datetime | None) -> None:
    from .models import DueWork

    if version is None:  # the schema had no row: a full visit found work of its own
        if next_due is not None:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {_table()} (schema_name, kind, due_at, version) VALUES (%s, %s, %s, 1) "  # noqa: S608
                    "ON CONFLICT (schema_name, kind) DO NOTHING",
                    [schema, kind, next_due],
                )
        return
    rows = DueWork.objects.filter(schema_name=schema, kind=kind, version=version)
    if next_due is None:
        rows.delete()
    else:
        rows.update(due_at=next_due)


def due_visit(
    kind: str,
    *,
    now: datetime,
    visit: Callable[[], int],
    next_due: Callable[[], datetime | None],
    full: bool = False,
    suspended_too: bool = False,
) -> int:
    """From the public schema: run ``visit`` in every active office (and suspended one, with
    ``suspended_too``) due by ``now`` (every such office with ``full``), then store ``next_due()``
    for it. One office's trouble stops no other. Returns the sum of what the visits returned."""
    from .models import DueWork, Tenant

    connection.set_schema_to_public()
    served = [Tenant.Status.ACTIVE, *([Tenant.Status.SUSPENDED] if suspended_too else [])]
    active = Tenant.objects.filter(status__in=served).values("schema_name")
    rows = DueWork.objects.filter(kind=kind, schema_name__in=active)
    versions = dict(rows.values_list("schema_name", "version"))
    if full:
        schemas = list(active.values_list("schema_name", flat=True))
    else:
        schemas = list(rows.filter(due_at__lte=now).order_by("due_at").values_list("schema_name", flat=True))
    total = 0
    for schema in schemas:
        try:
            with schema_context(schema):
                total += visit()
                upcoming = next_due()
        except Exception:
            logger.exception("%s failed in schema %s", kind, schema)
            continue
        _settle(schema, kind, versions.get(schema), upcoming)
    return total


def due_backstop(kind: str, *, now: datetime, every) -> bool:
    """Whether the slow full visit of ``kind`` is due (at most once per ``every``); records it."""
    from .models import DueWork

    connection.set_schema_to_public()
    row = DueWork.objects.filter(schema_name=PUBLIC, kind=kind).first()
    if row is not None and row.due_at > now:
        return False
    DueWork.objects.update_or_create(schema_name=PUBLIC, kind=kind, defaults={"due_at": now + every})
    return True
