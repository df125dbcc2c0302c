"""``migrate_platform``: a deploy visits only the schemas behind the code, several at once; one
schema failing stops nothing else, and a run again takes up what is left."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tenants.migration_state import recorded_states, schema_fingerprint, target_fingerprint
from tenants.models import SchemaMigrationState, Tenant

pytestmark = pytest.mark.django_db(transaction=True)  # the worker processes see committed rows only

SAMPLE = ("sample_notes", "0001_initial")
SAMPLE_TABLE = "sample_notes_note"


def _run(**options) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("migrate_platform", stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def _set_behind(schema: str, *, keep_table: bool = False) -> None:
    """Make ``schema`` lack the sample module's migration: its row gone, its tables too unless
    ``keep_table`` (then migrating it fails: the table it creates is there)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f'DELETE FROM "{schema}".django_migrations WHERE app = %s AND name = %s',  # noqa: S608
            list(SAMPLE),
        )
        if not keep_table:
            cursor.execute(f'DROP TABLE "{schema}".sample_notes_note, "{schema}".sample_notes_hookcall')
    SchemaMigrationState.objects.filter(schema_name=schema).update(fingerprint="behind")


def _has_table(schema: str, table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f'"{schema}".{table}'])
        return cursor.fetchone()[0] is not None


def test_every_schema_is_recorded_at_the_codes_migrations_when_made(make_office):
    office = make_office("alpha")
    states = recorded_states()
    target = target_fingerprint()
    schemas = set(Tenant.objects.exclude(schema_name="public").values_list("schema_name", flat=True))
    assert office.schema_name in schemas
    # The office (claimed from the pool), the template and every pooled schema.
    assert {schema: states.get(schema) for schema in schemas} == dict.fromkeys(schemas, target)
    assert schema_fingerprint(office.schema_name) == target


def test_a_deploy_without_a_new_migration_connects_to_no_office(make_office):
    offices = [make_office("alpha"), make_office("bravo")]
    statements = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        out, _ = _run(jobs=2)

    count = Tenant.objects.exclude(schema_name="public").count()
    assert f"{count} schemas: {count} already at the code's migrations, 0 to migrate" in out
    assert f"Migrated 0, skipped {count}, failed 0" in out
    for office in offices:
        assert not [sql for sql in statements if office.schema_name in sql]


def test_a_schema_behind_is_migrated_and_recorded_the_others_skipped(make_office):
    alpha, bravo = make_office("alpha"), make_office("bravo")
    _set_behind(alpha.schema_name)
    assert not _has_table(alpha.schema_name, SAMPLE_TABLE)

    out, err = _run(jobs=2)

    assert "1 to migrate" in out and "Migrated 1," in out and "failed 0" in out
    assert "1/1 (100%)" in err  # the progress line
    assert _has_table(alpha.schema_name, SAMPLE_TABLE)
    assert recorded_states()[alpha.schema_name] == target_fingerprint()
    assert recorded_states()[bravo.schema_name] == target_fingerprint()


def test_a_failing_schema_stops_nothing_else_is_named_and_a_run_again_continues(make_office):
    alpha = make_office("alpha", name="Alpha Homes")
    bravo = make_office("bravo", name="Bravo Estates")
    charlie = make_office("charlie", name="Charlie Lettings")
    _set_behind(alpha.schema_name)
    _set_behind(bravo.schema_name, keep_table=True)  # its CREATE TABLE will fail
    _set_behind(charlie.schema_name)

    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="1 schema\\(s\\) could not be migrated"):
        call_command("migrate_platform", jobs=2, stdout=out, stderr=err)

    assert "Migrated 2, skipped" in out.getvalue() and "failed 1" in out.getvalue()
    assert f"Bravo Estates ({bravo.schema_name}):" in err.getvalue()
    assert "already exists" in err.getvalue()
    states = recorded_states()
    assert states[alpha.schema_name] == states[charlie.schema_name] == target_fingerprint()
    assert states[bravo.schema_name] != target_fingerprint()
    assert _has_table(alpha.schema_name, SAMPLE_TABLE) and _has_table(charlie.schema_name, SAMPLE_TABLE)

    # The cause is mended (the stray tables go); the next run visits only that office.
    with connection.cursor() as cursor:
        cursor.execute(
            f'DROP TABLE "{bravo.schema_name}".sample_notes_note, "{bravo.schema_name}".sample_notes_hookcall'
        )
    out, _ = _run(jobs=2)
    assert "1 to migrate" in out and "Migrated 1," in out and "failed 0" in out
    assert recorded_states()[bravo.schema_name] == target_fingerprint()
    assert _has_table(bravo.schema_name, SAMPLE_TABLE)


def test_all_visits_every_schema_and_dropped_schemas_lose_their_state(make_office):
    office = make_office("alpha")
    SchemaMigrationState.objects.create(schema_name="t_gone", fingerprint="x")

    out, _ = _run(all=True, jobs=1)

    count = Tenant.objects.exclude(schema_name="public").count()
    assert f"{count} to migrate" in out and f"Migrated {count}, skipped 0, failed 0" in out
    assert not SchemaMigrationState.objects.filter(schema_name="t_gone").exists()
    assert recorded_states()[office.schema_name] == target_fingerprint()
