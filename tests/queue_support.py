"""A task used by the queue tests: it records the schema it ran in on the portal configuration."""

from django.db import connection

from portal_core.models import PortalConfig


def record_schema(marker: str) -> str:
    PortalConfig.objects.update(welcome_message=f"{marker} ran in {connection.schema_name}")
    return connection.schema_name
