"""New pooled schemas are the template's script run under their own name: the same tables, columns,
indexes, constraints, sequences and rows as the template, made all at once or not at all."""

import logging
import re

import pytest
from django.conf import settings
from django.db import connection

from tenants import schema_script
from tenants.migration_state import recorded_states, target_fingerprint
from tenants.models import TemplateScript, Tenant
from tenants.services import pooled_schema_create

pytestmark = pytest.mark.django_db


def _expression(definition: str) -> str:
    """An index or constraint definition without casts and brackets: PostgreSQL deparses a
    re-created ``status IN (…)`` with its casts placed differently, meaning the same."""
    return re.sub(r"::[a-z ]+(\[\])?|[()\s]", "", definition)


def _shape(schema: str) -> dict:
    """What a schema holds, with its own name written as SCHEMA."""

    def rows(sql: str) -> list:
        with connection.cursor() as cursor:
            cursor.execute(sql, [schema])
            return sorted(tuple(str(v).replace(schema, "SCHEMA") for v in row) for row in cursor.fetchall())

    tables = [t for (t,) in rows("SELECT tablename FROM pg_tables WHERE schemaname = %s")]
    counts = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{schema}"."{table}"')  # noqa: S608 - catalogue names
            counts[table] = cursor.fetchone()[0]
    return {
        "columns": rows(
            "SELECT table_name, column_name, data_type, is_nullable, column_default "
            "FROM information_schema.columns WHERE table_schema = %s"
        ),
        "indexes": [
            (name, _expression(definition))
            for name, definition in rows("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = %s")
        ],
        "constraints": [
            (name, _expression(definition))
            for name, definition in rows(
                "SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
                "JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = %s"
            )
        ],
        "sequences": rows("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = %s"),
        "rows": counts,
    }


def test_a_pooled_schema_is_the_template_under_its_own_name():
    TemplateScript.objects.all().delete()
    tenant = pooled_schema_create()

    assert TemplateScript.objects.count() == 1  # dumped once, for the template's migrations
    template, copy = _shape(settings.PORTICO_BASE_SCHEMA), _shape(tenant.schema_name)
    assert len(template["columns"]) > 200 and template["rows"]["django_migrations"] > 50
    assert copy == template
    # Named as the migrations named them (a later migration finds them by name).
    assert ("invoice_reminder_once", "UNIQUEinvoice_id,kind") in copy["constraints"]
    assert recorded_states()[tenant.schema_name] == target_fingerprint()

    second = pooled_schema_create()  # the stored script again, no second dump
    assert TemplateScript.objects.count() == 1
    assert _shape(second.schema_name) == template


def test_the_script_follows_the_templates_migrations():
    script = schema_script.template_script()
    TemplateScript.objects.filter(pk=script.pk).update(fingerprint="an-earlier-state")

    fresh = schema_script.template_script()

    assert fresh.pk != script.pk and fresh.fingerprint == target_fingerprint()
    assert list(TemplateScript.objects.values_list("fingerprint", flat=True)) == [target_fingerprint()]


def test_a_script_that_fails_leaves_no_schema_and_no_tenant():
    script = schema_script.template_script()
    TemplateScript.objects.filter(pk=script.pk).update(sql=script.sql + "\nSELECT 1 / 0;\n")
    before = set(Tenant.objects.values_list("schema_name", flat=True))

    with pytest.raises(Exception, match="division by zero"):
        pooled_schema_create()

    assert set(Tenant.objects.values_list("schema_name", flat=True)) == before
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 't\\_%%'")
        assert {name for (name,) in cursor.fetchall()} <= before | {settings.PORTICO_BASE_SCHEMA}


def test_without_pg_dump_the_template_is_cloned(monkeypatch, caplog):
    TemplateScript.objects.all().delete()
    monkeypatch.setattr(schema_script, "pg_binary", lambda name: "/nonexistent/pg_dump")

    with caplog.at_level(logging.WARNING, logger="tenants.schema_script"):
        tenant = pooled_schema_create()

    assert "cloning it instead" in caplog.text
    assert not TemplateScript.objects.exists()
    clone, template = _shape(tenant.schema_name), _shape(settings.PORTICO_BASE_SCHEMA)
    # django-tenants' clone renames unique constraints (``…_key``); the tables, rows and sequences agree.
    for part in ("columns", "sequences", "rows"):
        assert clone[part] == template[part]


@pytest.mark.parametrize("name", ["t_base", "T_Upper", "x; DROP SCHEMA public", "", "a" * 64])
def test_a_bad_schema_name_is_refused(name):
    with pytest.raises(ValueError, match="not a schema name"):
        schema_script.schema_create_from_template(name)
