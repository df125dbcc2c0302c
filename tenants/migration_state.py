"""Where each schema stands in its migrations, kept in one public table that one query reads.

A deploy's migrate visits only the schemas whose recorded fingerprint differs from the code's
(:func:`target_fingerprint`); the others are not connected to. The fingerprint is a SHA-256 over the
names of the tenant apps' migrations: for the code, every migration on disk; for a schema, the ones
its ``django_migrations`` table lists (those the code still has). A schema is recorded each time a
migrate of it ends (django-tenants' ``schema_migrated`` signal, whoever ran it) and when it is cloned
from the template; a schema migrated some other way is simply visited once more.
"""

from __future__ import annotations

import hashlib
from functools import cache

from django.apps import apps
from django.conf import settings
from django.db import connection

PUBLIC = "public"


@cache
def _tenant_labels() -> frozenset[str]:
    tenant_apps = set(settings.TENANT_APPS)
    return frozenset(config.label for config in apps.get_app_configs() if config.name in tenant_apps)


@cache
def _code_migrations() -> frozenset[tuple[str, str]]:
    from django.db.migrations.loader import MigrationLoader

    labels = _tenant_labels()
    # No connection: the graph of migrations on disk, not what any schema has applied.
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    return frozenset(node for node in graph.nodes if node[0] in labels)


def fingerprint(migrations) -> str:
    digest = hashlib.sha256()
    for app_label, name in sorted(migrations):
        digest.update(f"{app_label}.{name}\n".encode())
    return digest.hexdigest()


def target_fingerprint() -> str:
    """The fingerprint of a schema that has every migration of the running code."""
    return fingerprint(_code_migrations())


def schema_fingerprint(schema_name: str) -> str:
    """The fingerprint of what ``schema_name`` has applied (empty when it has no migration table)."""
    quoted = connection.ops.quote_name(schema_name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f"{quoted}.django_migrations"])
        if cursor.fetchone()[0] is None:
            return ""
        cursor.execute(f"SELECT app, name FROM {quoted}.django_migrations")  # noqa: S608 - quoted name
        applied = {(app, name) for app, name in cursor.fetchall()}
    return fingerprint(applied & _code_migrations())


def schema_state_record(schema_name: str) -> str:
    """Store the schema's fingerprint; returns it."""
    from django.utils import timezone

    from .models import SchemaMigrationState

    value = schema_fingerprint(schema_name)
    SchemaMigrationState.objects.update_or_create(
        schema_name=schema_name, defaults={"fingerprint": value, "recorded_at": timezone.now()}
    )
    return value


def recorded_states() -> dict[str, str]:
    from .models import SchemaMigrationState

    return dict(SchemaMigrationState.objects.values_list("schema_name", "fingerprint"))


def on_schema_migrated(sender, schema_name: str, **kwargs) -> None:
    if schema_name != PUBLIC:
        schema_state_record(schema_name)
