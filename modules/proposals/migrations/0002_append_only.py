"""Signatures, sent versions and the audit trail are append-only in the database too: an UPDATE or
DELETE of one of their rows is refused, whatever code runs it (a queryset's ``update()``, raw SQL)."""

from django.db import migrations

TABLES = ("proposals_proposalsignature", "proposals_proposalversion", "proposals_proposalevent")

FUNCTION = """
CREATE OR REPLACE FUNCTION proposals_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% rows are written once and never changed or removed', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
"""


def _forward() -> str:
    triggers = "".join(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION proposals_append_only();\n"
        for table in TABLES
    )
    return FUNCTION + triggers


def _backward() -> str:
    drops = "".join(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};\n" for table in TABLES)
    return drops + "DROP FUNCTION IF EXISTS proposals_append_only();\n"


class Migration(migrations.Migration):
    dependencies = [("proposals", "0001_proposals")]

    operations = [migrations.RunSQL(_forward(), _backward())]
