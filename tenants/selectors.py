"""Reads across tenants for the operators."""

from django.db import connection
from psycopg import sql

from .models import Tenant


def tenant_usage_counts(schema_names: list[str]) -> dict[str, dict[str, int]]:
    """Staff users and portal accounts per schema, in one query."""
    if not schema_names:
        return {}
    parts = [
        sql.SQL(
            "SELECT {name} AS schema_name,"
            " (SELECT count(*) FROM {schema}.auth_user WHERE is_staff AND is_active) AS staff,"
            " (SELECT count(*) FROM {schema}.portal_core_portalaccount) AS portal_accounts"
        ).format(name=sql.Literal(name), schema=sql.Identifier(name))
        for name in schema_names
    ]
    query = sql.SQL(" UNION ALL ").join(parts)
    with connection.cursor() as cursor:
        cursor.execute(query.as_string(cursor.connection))
        return {row[0]: {"staff": row[1], "portal_accounts": row[2]} for row in cursor.fetchall()}


def offices():
    return Tenant.objects.filter(status__in=[Tenant.Status.ACTIVE, Tenant.Status.SUSPENDED])
