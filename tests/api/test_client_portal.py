"""Seed 002's Client Portal API, field for field, status for status, message for message."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.db import connection
from django_tenants.utils import schema_context

from portal_core.models import Company, Contact

from ..conftest import PLATFORM_HOST
from .conftest import api

CONFIG_FIELDS = {
    "portal_name",
    "portal_logo",
    "primary_color",
    "secondary_color",
    "welcome_message",
    "enabled_modules",
    "is_active",
    "allow_file_sharing",
    "show_activity_feed",
    "token_expiration_days",
}


def _make(office, model, **fields):
    with schema_context(office.schema_name):
        obj = model.objects.create(**fields)
    connection.set_schema_to_public()
    return obj


def test_it_returns_the_portal_configuration(office_a, api_key_a):
    response = api(office_a.host, api_key_a).get("/api/v1/client-portal/config")
    assert response.status_code == 200
    data = response.json()["data"]
    assert set(data) == CONFIG_FIELDS
    assert data["primary_color"] == "#3B82F6" and data["token_expiration_days"] == 30
    assert data["enabled_modules"] == [] and data["portal_logo"] is None


def test_it_answers_on_the_platform_host_for_the_keys_tenant(office_a, api_key_a):
    response = api(PLATFORM_HOST, api_key_a).get("/api/v1/client-portal/config")
    assert response.status_code == 200
    assert response.json()["data"]["portal_name"] == "Alpha Realty"


def test_it_refuses_a_key_on_another_tenants_host(office_a, office_b, api_key_a):
    response = api(office_b.host, api_key_a).get("/api/v1/client-portal/config")
    assert response.status_code == 401
    assert response.json() == {"message": "This token belongs to another portal."}


@pytest.mark.parametrize(
    "header", [None, "Bearer", "Bearer pk_nope.nope", "Basic abc", "Bearer pk_" + "x" * 5000]
)
def test_it_refuses_missing_and_bad_credentials(office_a, header):
    client = api(office_a.host)
    if header:
        client.defaults["HTTP_AUTHORIZATION"] = header
    response = client.get("/api/v1/client-portal/config")
    assert response.status_code in (401, 403)
    assert set(response.json()) == {"message"}


def test_it_refuses_a_revoked_key(office_a, api_key_a):
    from tenants.models import ApiKey

    ApiKey.objects.update(revoked_at=datetime.now(UTC))
    assert api(office_a.host, api_key_a).get("/api/v1/client-portal/config").status_code == 401


def test_it_invites_a_contact_and_returns_its_token(office_a, api_key_a):
    contact = _make(office_a, Contact, first_name="Ada", email="ada@example.com")
    response = api(office_a.host, api_key_a).post(
        f"/api/v1/client-portal/contacts/{contact.pk}/invite",
        {"custom_message": "Welcome!"},
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"message", "token"} and body["message"] == "Portal invitation sent successfully"
    assert "Welcome!" in mail.outbox[-1].body and mail.outbox[-1].to == ["ada@example.com"]
    opened = office_a.client().get(f"/client-portal/{body['token']}")
    assert opened.status_code == 302  # the token opens the portal


def test_it_reports_seed_002s_invitation_errors(office_a, api_key_a):
    client = api(office_a.host, api_key_a)
    missing = client.post("/api/v1/client-portal/contacts/999999/invite", {}, content_type="application/json")
    assert missing.status_code == 404 and missing.json() == {"message": "Contact not found"}
    no_email = _make(office_a, Contact, first_name="Nomail")
    response = client.post(
        f"/api/v1/client-portal/contacts/{no_email.pk}/invite", {}, content_type="application/json"
    )
    assert response.status_code == 400 and response.json() == {
        "message": "Contact does not have an email address"
    }
    company = client.post(
        "/api/v1/client-portal/companies/999999/invite", {}, content_type="application/json"
    )
    assert company.status_code == 404 and company.json() == {"message": "Company not found"}


def test_it_reports_a_failed_send_as_500(office_a, api_key_a, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    contact = _make(office_a, Contact, first_name="Ada", email="ada@example.com")
    response = api(office_a.host, api_key_a).post(
        f"/api/v1/client-portal/contacts/{contact.pk}/invite", {}, content_type="application/json"
    )
    assert response.status_code == 500
    assert response.json()["message"].startswith("Failed to send portal invitation: ")


def test_it_invites_a_company(office_a, api_key_a):
    company = _make(office_a, Company, name="Acme", email="desk@acme.example")
    response = api(office_a.host, api_key_a).post(
        f"/api/v1/client-portal/companies/{company.pk}/invite",
        {"custom_message": "Welcome!"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["message"] == "Portal invitation sent successfully"


def test_it_gets_or_creates_the_same_token_until_it_expires(office_a, api_key_a):
    contact = _make(office_a, Contact, first_name="Ada", email="ada@example.com")
    client = api(office_a.host, api_key_a)
    first = client.post(
        "/api/v1/client-portal/token", {"type": "contact", "id": contact.pk}, content_type="application/json"
    ).json()
    second = client.post(
        "/api/v1/client-portal/token", {"type": "contact", "id": contact.pk}, content_type="application/json"
    ).json()
    assert set(first) == {"token", "url", "expires_at"} and first == second
    assert first["url"] == f"http://alpha.portico.localhost/client-portal/{first['token']}"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", first["expires_at"])
    expires = datetime.strptime(first["expires_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert timedelta(days=29) < expires - datetime.now(UTC) <= timedelta(days=30)


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"type": "contact", "id": 999999}, 404, "Contact not found"),
        ({"type": "company", "id": 999999}, 404, "Company not found"),
        ({"type": "person", "id": 1}, 400, None),
        ({"type": "contact"}, 400, None),
        ({"type": "contact", "id": "abc"}, 400, None),
    ],
)
def test_it_validates_token_requests(office_a, api_key_a, body, status, message):
    response = api(office_a.host, api_key_a).post(
        "/api/v1/client-portal/token", body, content_type="application/json"
    )
    assert response.status_code == status
    assert "message" in response.json()
    if message:
        assert response.json() == {"message": message}


def test_it_announces_and_enforces_the_rate_limit(office_a, api_key_a, one_window):
    client = api(office_a.host, api_key_a)
    first = client.get("/api/v1/client-portal/config")
    assert first["RateLimit-Policy"] == '"default";q=60;w=60'
    assert first["RateLimit"] == '"default";r=59;t=59'
    for _ in range(59):
        client.get("/api/v1/client-portal/config")
    refused = client.get("/api/v1/client-portal/config")
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert refused.json()["message"].startswith("Too many requests")


def test_it_counts_per_token_not_per_tenant(office_a, api_key_a, one_window):
    from tenants.services import api_key_create

    other = api_key_create(tenant=office_a.tenant, name="Other").secret
    for _ in range(60):
        api(office_a.host, api_key_a).get("/api/v1/client-portal/config")
    assert api(office_a.host, api_key_a).get("/api/v1/client-portal/config").status_code == 429
    assert api(office_a.host, other).get("/api/v1/client-portal/config").status_code == 200


def test_it_refuses_writes_to_a_read_only_key(office_a):
    from tenants.services import api_key_create

    key = api_key_create(tenant=office_a.tenant, name="Reader", scopes=["read"]).secret
    client = api(office_a.host, key)
    assert client.get("/api/v1/client-portal/config").status_code == 200
    response = client.post(
        "/api/v1/client-portal/token", {"type": "contact", "id": 1}, content_type="application/json"
    )
    assert response.status_code == 403 and response.json() == {"message": "This API key may only read."}


def test_it_issues_jwts_bound_to_their_tenant(office_a, office_b):
    client = api(office_a.host)
    pair = client.post(
        "/api/v1/auth/token",
        {"email": office_a.owner_email, "password": office_a.owner_password, "kind": "staff"},
        content_type="application/json",
    ).json()
    ok = api(office_a.host, pair["access"]).get("/api/v1/client-portal/config")
    assert ok.status_code == 200
    assert api(office_b.host, pair["access"]).get("/api/v1/client-portal/config").status_code == 401
    refreshed = client.post(
        "/api/v1/auth/token/refresh", {"refresh": pair["refresh"]}, content_type="application/json"
    )
    assert refreshed.status_code == 200 and "access" in refreshed.json()
    stolen = api(office_b.host).post(
        "/api/v1/auth/token/refresh", {"refresh": pair["refresh"]}, content_type="application/json"
    )
    assert stolen.status_code == 401
    wrong = client.post(
        "/api/v1/auth/token",
        {"email": office_a.owner_email, "password": "nope", "kind": "staff"},
        content_type="application/json",
    )
    assert wrong.status_code == 401 and wrong.json() == {"message": "Invalid email or password."}


def test_it_keeps_a_clients_jwt_out_of_the_office_api(office_a):
    _, account = office_a.portal_client(email="kim@example.com")
    pair = (
        api(office_a.host)
        .post(
            "/api/v1/auth/token",
            {"email": "kim@example.com", "password": "Client-pass-2026!"},
            content_type="application/json",
        )
        .json()
    )
    assert api(office_a.host, pair["access"]).get("/api/v1/client-portal/config").status_code == 403


def test_it_serves_the_schema_and_offline_docs(office_a):
    schema = api(office_a.host).get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in (
        "/api/v1/client-portal/config",
        "/api/v1/client-portal/token",
        "/api/v1/client-portal/contacts/{contact_id}/invite",
        "/api/v1/client-portal/companies/{company_id}/invite",
    ):
        assert any(p.rstrip("/") == path for p in paths), path
    docs = api(office_a.host).get("/api/v1/docs/").content.decode()
    assert "swagger-ui" in docs and "cdn.jsdelivr" not in docs and "unpkg" not in docs
