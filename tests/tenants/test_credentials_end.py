"""A password change ends everything: every session and JWT (access and refresh) issued before a
password change or reset, a disabled account or "sign out everywhere", for clients and staff; the
check costs no query on a warm cache and holds across processes within the recheck interval."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from portal_core import access
from tenants import credentials

from ..conftest import CLIENT_PASSWORD, PLATFORM_HOST, second_factor_given

NEW = "Another-pass-2026!"


def _signed_in(browser) -> bool:
    return browser.get("/profile/").status_code == 200


def _staff_in(browser) -> bool:
    return browser.get("/office/").status_code == 200


def _jwt(office, email, password, kind):
    response = office.client().post(
        "/api/v1/auth/token",
        {"email": email, "password": password, "kind": kind},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()


def _api_ok(office, tokens) -> bool:
    me = office.client().get("/api/v1/contacts/", HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    refreshed = office.client().post(
        "/api/v1/auth/token/refresh", {"refresh": tokens["refresh"]}, content_type="application/json"
    )
    accepted = me.status_code != 401  # a client may not list contacts (403), but is who they say
    assert accepted == (refreshed.status_code == 200), (me.status_code, refreshed.status_code)
    return accepted


def _in(office, func):
    with schema_context(office.schema_name):
        result = func()
    connection.set_schema_to_public()
    return result


@pytest.mark.parametrize("how", ["own_change", "reset", "office_reset", "disable", "everywhere"])
def test_a_clients_credentials_end_everywhere(office_a, how):
    here, account = office_a.portal_client("kim@example.com")
    there, _ = office_a.portal_client("kim2@example.com")
    other_device = office_a.client()
    assert (
        other_device.post(
            "/auth/signin", {"email": "kim@example.com", "password": CLIENT_PASSWORD}
        ).status_code
        == 302
    )
    tokens = _jwt(office_a, "kim@example.com", CLIENT_PASSWORD, "client")
    assert _signed_in(here) and _signed_in(other_device) and _api_ok(office_a, tokens)

    if how == "own_change":
        response = here.post(
            "/profile/",
            {
                "action": "password",
                "password-current_password": CLIENT_PASSWORD,
                "password-new_password": NEW,
                "password-new_password2": NEW,
            },
        )
        assert response.status_code == 302
    elif how == "reset":
        _in(office_a, lambda: access.portal_account_set_password(account=account, password=NEW))
    elif how == "office_reset":
        _in(office_a, lambda: access.portal_account_reset_password(account=account, actor="owner"))
    elif how == "disable":
        _in(office_a, lambda: access.portal_account_disable(account=account, actor="owner"))
    else:
        assert here.post("/profile/", {"action": "sign-out-everywhere"}).status_code == 302

    assert not _signed_in(other_device)
    assert not _api_ok(office_a, tokens)
    if how in ("own_change", "everywhere"):
        assert _signed_in(here), "the session that made the change carries on"
    assert _signed_in(there), "another client is untouched"


@pytest.mark.parametrize("how", ["own_change", "reset", "disable", "everywhere"])
def test_a_staff_members_credentials_end_everywhere(office_a, how):
    here, elsewhere = office_a.staff_client(), office_a.staff_client()
    tokens = _jwt(office_a, office_a.owner_email, office_a.owner_password, "staff")
    assert _staff_in(elsewhere) and _api_ok(office_a, tokens)

    def user():
        return get_user_model().objects.get(pk=office_a.owner_id)

    if how == "own_change":
        response = here.post(
            "/office/profile/",
            {
                "form": "password",
                "old_password": office_a.owner_password,
                "new_password1": NEW,
                "new_password2": NEW,
            },
        )
        assert response.status_code == 302
    elif how == "reset":

        def reset():
            owner = user()
            owner.set_password(NEW)
            owner.save()

        _in(office_a, reset)
    elif how == "disable":
        _in(
            office_a,
            lambda: (
                get_user_model()
                .objects.filter(pk=office_a.owner_id)
                .first()
                .__class__.objects.get(pk=office_a.owner_id)
            ),
        )

        def disable():
            owner = user()
            owner.is_active = False
            owner.save()

        _in(office_a, disable)
    else:
        assert here.post("/office/profile/", {"form": "sign-out-everywhere"}).status_code == 302

    assert not _staff_in(elsewhere)
    assert not _api_ok(office_a, tokens)
    if how in ("own_change", "everywhere"):
        assert _staff_in(here)


def test_an_operators_sessions_end_with_a_password_change(db):
    from django.test import Client

    connection.set_schema_to_public()
    operator = get_user_model().objects.create_superuser("op", "op@portico.localhost", "Operator-pass-2026!")
    browser = Client(HTTP_HOST=PLATFORM_HOST)
    assert browser.login(username="op", password="Operator-pass-2026!")
    second_factor_given(browser)
    assert browser.get("/admin/").status_code == 200
    credentials.bump(credentials.USER, operator.pk)
    assert browser.get("/admin/").status_code == 302


def test_a_warm_check_runs_no_query(office_a, settings):
    settings.PORTICO_ROUTING_RECHECK_SECONDS = 0
    credentials.current(credentials.CLIENT, 4242, schema="t_x")
    with CaptureQueriesContext(connection) as queries:
        assert credentials.is_current(credentials.CLIENT, 4242, 0, schema="t_x")
    assert queries.captured_queries == []
    tokens = _jwt(office_a, office_a.owner_email, office_a.owner_password, "staff")
    office_a.client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    with CaptureQueriesContext(connection) as queries:
        office_a.client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert not [q for q in queries.captured_queries if "credentialsgeneration" in q["sql"]]


def test_the_check_holds_across_processes_within_the_recheck_interval(db, settings, monkeypatch):
    """Another process bumps the generation (the database and the shared cache, not this process's
    copy): this process refuses the old credentials once its interval has passed."""
    from tenants.models import CredentialsGeneration

    settings.PORTICO_ROUTING_RECHECK_SECONDS = 5
    clock = [1000.0]
    monkeypatch.setattr(credentials.time, "monotonic", lambda: clock[0])
    credentials.clear_local()
    assert credentials.is_current(credentials.CLIENT, 7, 0, schema="t_other")
    CredentialsGeneration.objects.create(
        schema_name="t_other", kind=credentials.CLIENT, subject_id=7, value=1
    )
    caches["platform"].set(credentials._shared_key(("t_other", credentials.CLIENT, 7)), 1, timeout=None)
    clock[0] += 4
    assert credentials.is_current(credentials.CLIENT, 7, 0, schema="t_other"), "within the interval: cached"
    clock[0] += 2
    assert not credentials.is_current(credentials.CLIENT, 7, 0, schema="t_other")
    assert credentials.is_current(credentials.CLIENT, 7, 1, schema="t_other")
    credentials.clear_local()
