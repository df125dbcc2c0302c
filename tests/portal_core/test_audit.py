"""The office's audit log: security events are written (sign-ins, failures, lockouts, password
changes, two-factor, API keys, previews, exports), append-only down to the database, shown to the
office's staff only, filtered by person and kind, exported as CSV."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django_tenants.utils import schema_context

from portal_core.models import AuditEvent
from tenants import signin_policy
from tenants.signin_policy import Limits

from ..conftest import CLIENT_PASSWORD


def _kinds(office) -> list[str]:
    with schema_context(office.schema_name):
        kinds = list(AuditEvent.objects.order_by("pk").values_list("kind", flat=True))
    connection.set_schema_to_public()
    return kinds


def test_sign_ins_failures_and_lockouts_are_written(office_a, monkeypatch):
    browser, _ = office_a.portal_client("kim@example.com")
    office_a.client().post("/auth/signin", {"email": "kim@example.com", "password": "wrong"})
    office_a.staff_client()
    office_a.client().post("/office/login/", {"username": office_a.owner_email, "password": "wrong"})
    monkeypatch.setattr(
        signin_policy, "SURFACES", {k: Limits(ip=1, account=1) for k in signin_policy.SURFACES}
    )
    stranger = office_a.client()
    for _ in range(2):
        stranger.post("/auth/signin", {"email": "kim@example.com", "password": "x"}, REMOTE_ADDR="10.7.7.7")
    kinds = _kinds(office_a)
    assert kinds.count("sign_in") == 2  # the client, the owner
    assert kinds.count("sign_in_failed") >= 2
    assert "locked_out" in kinds
    with schema_context(office_a.schema_name):
        failed = AuditEvent.objects.filter(kind="sign_in_failed", actor_label="kim@example.com").first()
        assert failed.ip == "127.0.0.1" and failed.actor_kind == "anonymous"


def test_password_changes_two_factor_api_keys_and_previews_are_written(office_a):
    browser, account = office_a.portal_client("kim@example.com")
    browser.post(
        "/profile/",
        {
            "action": "password",
            "password-current_password": CLIENT_PASSWORD,
            "password-new_password": "Another-pass-2026!",
            "password-new_password2": "Another-pass-2026!",
        },
    )
    staff = office_a.staff_client()
    staff.post("/office/api-keys/", {"name": "CRM", "scopes": ["read"]})
    staff.post(f"/office/preview/{account.pk}/")
    kinds = _kinds(office_a)
    assert {"password_changed", "api_key_created", "preview"} <= set(kinds), kinds


def test_audit_events_are_append_only_in_the_database(office_a):
    office_a.staff_client()
    with schema_context(office_a.schema_name):
        event = AuditEvent.objects.first()
        with pytest.raises(ValueError):
            event.save()
        with pytest.raises(ValueError):
            event.delete()
        for statement in (
            "UPDATE portal_core_auditevent SET kind = 'x'",
            "DELETE FROM portal_core_auditevent",
        ):
            with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(statement)
        assert AuditEvent.objects.filter(pk=event.pk, kind=event.kind).exists()


def test_the_office_sees_filters_and_exports_its_log(office_a):
    office_a.portal_client("kim@example.com")
    office_a.client().post("/auth/signin", {"email": "kim@example.com", "password": "wrong"})
    staff = office_a.staff_client()
    page = staff.get("/office/audit/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Audit log" in html and "kim@example.com" in html and "Sign-in failed" in html
    filtered = staff.get("/office/audit/", {"kind": "sign_in_failed", "person": "kim@"}).content.decode()
    assert 'data-kind="sign_in_failed"' in filtered and 'data-kind="sign_in"' not in filtered
    assert staff.get("/office/audit/", {"person": "ab", "kind": "nonsense"}).status_code == 200
    assert staff.get("/office/audit/", {"person": "a\x00b"}).status_code == 400
    export = staff.get("/office/audit/export.csv", {"kind": "sign_in_failed"})
    assert export["Content-Type"].startswith("text/csv")
    rows = export.content.decode().splitlines()
    assert rows[0].startswith("time (UTC),event,who") and len(rows) >= 2 and "kim@example.com" in rows[1]
    assert "export" in _kinds(office_a)


def test_it_refuses_the_log_to_clients_and_to_other_offices(office_a, office_b):
    office_a.portal_client("kim@example.com")
    client, _ = office_a.portal_client("lee@example.com")
    assert client.get("/office/audit/").status_code == 302
    outsider = office_b.staff_client()
    html = outsider.get("/office/audit/").content.decode()
    assert "kim@example.com" not in html
    # another office's staff cannot use its session on this office's host
    assert office_a.client().get("/office/audit/export.csv").status_code == 302


def test_a_csv_cell_never_runs_as_a_formula(office_a):
    office_a.client().post("/office/login/", {"username": "=HYPERLINK(1)", "password": "x"})
    staff = office_a.staff_client()
    body = staff.get("/office/audit/export.csv").content.decode()
    assert "'=HYPERLINK(1)" in body
