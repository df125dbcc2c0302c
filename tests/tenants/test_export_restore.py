"""An operator exports one office and brings its data back from that export, as deploy/README.md says."""

from __future__ import annotations

import gzip
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import schema_context, schema_exists

from portal_core.models import Contact
from tenants.models import Tenant

pytestmark = pytest.mark.django_db(transaction=True)  # pg_dump and psql see only committed data


@pytest.fixture
def exports(settings, tmp_path):
    settings.PORTICO_EXPORT_DIR = tmp_path
    return tmp_path


def _contacts(office) -> set[str]:
    with schema_context(office.schema_name):
        return set(Contact.objects.values_list("email", flat=True))


def _drop(schema: str) -> None:
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def test_an_office_comes_back_to_its_export_and_its_later_data_is_kept_aside(make_office, exports):
    office = make_office("alpha")
    other = make_office("bravo")
    with schema_context(office.schema_name):
        Contact.objects.create(first_name="Kept", last_name="Client", email="kept@example.com")
    with schema_context(other.schema_name):
        Contact.objects.create(first_name="Other", last_name="Office", email="other@example.com")

    out = StringIO()
    call_command("tenant_export", "alpha", stdout=out)
    export = exports / out.getvalue().strip().rsplit("/", 1)[1]
    assert export.is_file() and b"CREATE SCHEMA" in gzip.open(export).read()

    with schema_context(office.schema_name):  # a mistake after the export
        Contact.objects.filter(email="kept@example.com").delete()
        Contact.objects.create(first_name="Later", last_name="Client", email="later@example.com")

    out = StringIO()
    call_command("tenant_restore", "alpha", str(export), "--yes", stdout=out)
    aside = out.getvalue().split("in the schema ", 1)[1].split(":", 1)[0]
    try:
        assert _contacts(office) == {"kept@example.com"}
        assert _contacts(other) == {"other@example.com"}  # another office is untouched
        office.tenant.refresh_from_db()
        assert office.tenant.status == Tenant.Status.ACTIVE
        assert schema_exists(aside)
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT email FROM "{aside}".portal_core_contact')  # noqa: S608 - ours
            assert {row[0] for row in cursor.fetchall()} == {"later@example.com"}
        # The office works on its restored data.
        browser = office.staff_client()
        assert "Kept Client" in browser.get("/office/contacts/").content.decode()
    finally:
        _drop(aside)


def test_another_offices_export_or_a_broken_file_changes_nothing(make_office, exports, tmp_path):
    office = make_office("alpha")
    make_office("bravo")
    with schema_context(office.schema_name):
        Contact.objects.create(first_name="Stays", last_name="Here", email="stays@example.com")
    out = StringIO()
    call_command("tenant_export", "bravo", stdout=out)
    bravo_export = out.getvalue().strip()

    with pytest.raises(CommandError, match="is not an export of alpha"):
        call_command("tenant_restore", "alpha", bravo_export, "--yes")
    broken = tmp_path / "broken.sql.gz"
    broken.write_bytes(b"not gzip at all")
    with pytest.raises(CommandError, match="is not a readable export"):
        call_command("tenant_restore", "alpha", str(broken), "--yes")
    # A valid gzip whose SQL fails half-way: the load is one transaction, the schema goes back.
    failing = tmp_path / "failing.sql.gz"
    failing.write_bytes(
        gzip.compress(f"CREATE SCHEMA {office.schema_name};\nSELECT no_such_fn();\n".encode())
    )
    with pytest.raises(RuntimeError, match="nothing changed"):
        call_command("tenant_restore", "alpha", str(failing), "--yes")
    assert _contacts(office) == {"stays@example.com"}
    office.tenant.refresh_from_db()
    assert office.tenant.status == Tenant.Status.ACTIVE
    with pytest.raises(CommandError, match="No such office: nobody"):
        call_command("tenant_export", "nobody")
