"""``/api/v1/webhooks/``: endpoints, their secrets, test events, deliveries and redelivery."""

from __future__ import annotations

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from tests.conftest import PLATFORM_HOST
from tests.webhooks.conftest import receiver  # noqa: F401 - the fixture, used below
from webhooks.catalogue import event_type_names
from webhooks.models import WebhookEndpoint
from webhooks.signing import signature_valid

from .conftest import api

PUBLIC_URL = "https://93.184.215.14/hooks"  # an address literal: checked without DNS
URL = "/api/v1/webhooks/endpoints/"


def _create(client: Client, **body) -> dict:
    response = client.post(URL, {"url": PUBLIC_URL, **body}, content_type="application/json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_it_creates_lists_reads_changes_and_deletes_endpoints(office_a, api_key_a):
    client = api(office_a.host, api_key_a)
    created = _create(client, description="CRM", event_types=["contact.created"])
    assert created["secret"].startswith("whsec_")
    assert created["event_types"] == ["contact.created"] and created["enabled"] is True
    second = _create(client)
    assert second["event_types"] == []

    listed = client.get(URL, {"page_size": 1}).json()
    assert [row["id"] for row in listed["results"]] == [second["id"]]
    assert "secret" not in listed["results"][0]
    assert [row["id"] for row in client.get(listed["next"]).json()["results"]] == [created["id"]]

    detail = client.get(f"{URL}{created['id']}/")
    assert detail.status_code == 200 and "secret" not in detail.json()
    assert detail.json()["description"] == "CRM"

    changed = client.patch(
        f"{URL}{created['id']}/",
        {"description": "  CRM sync ", "event_types": [], "enabled": False},
        content_type="application/json",
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["description"] == "CRM sync"
    assert changed.json()["event_types"] == [] and changed.json()["enabled"] is False
    assert changed.json()["disabled_reason"]
    enabled = client.patch(f"{URL}{created['id']}/", {"enabled": True}, content_type="application/json")
    assert enabled.json()["enabled"] is True and enabled.json()["disabled_reason"] == ""

    assert client.delete(f"{URL}{created['id']}/").status_code == 204
    assert client.get(f"{URL}{created['id']}/").json() == {"message": "Webhook endpoint not found."}
    assert client.get(f"{URL}nope/").status_code == 404


def test_it_rotates_the_secret_and_shows_the_new_one_once(office_a, api_key_a):
    client = api(office_a.host, api_key_a)
    created = _create(client)
    rotated = client.post(f"{URL}{created['id']}/rotate-secret")
    assert rotated.status_code == 200
    assert rotated.json()["secret"].startswith("whsec_") and rotated.json()["secret"] != created["secret"]
    with tenant_context(office_a.tenant):
        endpoint = WebhookEndpoint.objects.get(pk=created["id"])
        assert endpoint.signing_secrets() == [rotated.json()["secret"], created["secret"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "not a url"}, "url"),
        ({"url": "ftp://93.184.215.14/x"}, "url"),
        ({"url": PUBLIC_URL, "event_types": ["contact.created", "no.such_type"]}, "event_types"),
        ({"url": PUBLIC_URL, "event_types": "contact.created"}, "event_types"),
        ({"url": PUBLIC_URL, "description": "x" * 201}, "description"),
        ({}, "url"),
    ],
)
def test_it_refuses_invalid_bodies(office_a, api_key_a, body, field):
    response = api(office_a.host, api_key_a).post(URL, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["message"] and field in response.json()["errors"], response.json()


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:8000/hooks", "loopback"),
        ("http://10.1.2.3/hooks", "private"),
        ("http://169.254.169.254/latest/meta-data", "link-local"),
        ("http://[::ffff:192.168.0.1]/hooks", "private"),
    ],
)
def test_it_refuses_urls_on_private_addresses(office_a, api_key_a, url, reason):
    client = api(office_a.host, api_key_a)
    response = client.post(URL, {"url": url}, content_type="application/json")
    assert response.status_code == 400
    (error,) = response.json()["errors"]["url"]
    assert f"a {reason} address: webhooks only go to public addresses" in error
    created = _create(client)
    patched = client.patch(f"{URL}{created['id']}/", {"url": url}, content_type="application/json")
    assert patched.status_code == 400 and "public addresses" in patched.json()["errors"]["url"][0]


def test_it_keeps_each_office_to_its_own_endpoints(office_a, office_b, api_key_a, api_key_b):
    created = _create(api(office_a.host, api_key_a))
    other_office = api(office_a.host, api_key_b)
    assert other_office.get(URL).status_code == 401
    assert other_office.get(f"{URL}{created['id']}/").status_code == 401

    platform = api(PLATFORM_HOST, api_key_b)
    assert platform.get(URL).json()["results"] == []
    assert platform.get(f"{URL}{created['id']}/").status_code == 404
    assert platform.post(f"{URL}{created['id']}/rotate-secret").status_code == 404
    assert platform.delete(f"{URL}{created['id']}/").status_code == 404
    assert platform.get(f"{URL}{created['id']}/deliveries/").status_code == 404
    assert api(PLATFORM_HOST, api_key_a).get(f"{URL}{created['id']}/").status_code == 200


def test_a_test_event_is_delivered_signed_and_its_attempts_are_listed(
    office_a,
    api_key_a,
    receiver,  # noqa: F811 - the fixture
):
    client = api(office_a.host, api_key_a)
    created = _create(client, url=receiver.url)
    receiver.fail_next(1, status=500, body=b"down for maintenance")

    sent = client.post(f"{URL}{created['id']}/test")
    assert sent.status_code == 202 and sent.json()["type"] == "webhook.test"
    (request,) = receiver.requests
    assert request.headers["webhook-id"] == sent.json()["event_id"]
    assert signature_valid(secret=created["secret"], headers=request.headers, body=request.body.decode())

    (delivery,) = client.get(f"{URL}{created['id']}/deliveries/").json()["results"]
    assert delivery["id"] == sent.json()["delivery_id"] and delivery["status"] == "failed"
    (attempt,) = delivery["attempts"]
    assert attempt["status"] == "failed" and attempt["status_code"] == 500
    assert attempt["response_excerpt"] == "down for maintenance" and attempt["duration_ms"] >= 0

    again = client.post(f"/api/v1/webhooks/deliveries/{delivery['id']}/redeliver")
    assert again.status_code == 202 and again.json()["status"] == "succeeded"
    assert len(receiver.requests) == 2
    (delivery,) = client.get(f"{URL}{created['id']}/deliveries/").json()["results"]
    assert [(a["number"], a["status"], a["status_code"]) for a in delivery["attempts"]] == [
        (1, "failed", 500),
        (2, "succeeded", 200),
    ]

    # a finished delivery is redelivered as a new delivery; the first keeps its log
    again = client.post(f"/api/v1/webhooks/deliveries/{delivery['id']}/redeliver")
    assert again.json()["redelivery_of"] == delivery["id"] and again.json()["id"] != delivery["id"]
    assert len(client.get(f"{URL}{created['id']}/deliveries/").json()["results"]) == 2
    assert client.post("/api/v1/webhooks/deliveries/999999/redeliver").json() == {
        "message": "Webhook delivery not found."
    }


def test_disabled_endpoints_get_no_test_events(office_a, api_key_a):
    client = api(office_a.host, api_key_a)
    created = _create(client, enabled=False)
    response = client.post(f"{URL}{created['id']}/test")
    assert response.status_code == 400 and "Enable this endpoint" in response.json()["message"]


def test_read_only_keys_cannot_write(office_a):
    from tenants.services import api_key_create

    key = api_key_create(tenant=office_a.tenant, name="Reader", scopes=["read"]).secret
    client = api(office_a.host, key)
    assert client.get(URL).status_code == 200
    assert client.post(URL, {"url": PUBLIC_URL}, content_type="application/json").status_code == 403


def test_it_lists_the_event_catalogue_with_examples(office_a, api_key_a):
    types = api(office_a.host, api_key_a).get("/api/v1/webhooks/event-types/").json()
    with tenant_context(office_a.tenant):
        assert {row["type"] for row in types} == event_type_names() | {"webhook.test"}
    contact = next(row for row in types if row["type"] == "contact.created")
    assert contact["description"] and contact["module"] == ""
    assert contact["example"]["type"] == "contact.created"
    assert set(contact["example"]) == {"type", "timestamp", "data"}
    assert contact["example"]["data"]["contact"]["email"] == "ada@example.com"


def test_it_documents_the_webhook_endpoints(office_a):
    from drf_spectacular.validation import validate_schema

    schema = api(office_a.host).get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    validate_schema(schema)
    paths = {
        "/api/v1/webhooks/endpoints/": {"get", "post"},
        "/api/v1/webhooks/endpoints/{id}/": {"get", "patch", "delete"},
        "/api/v1/webhooks/endpoints/{id}/rotate-secret": {"post"},
        "/api/v1/webhooks/endpoints/{id}/test": {"post"},
        "/api/v1/webhooks/endpoints/{id}/deliveries/": {"get"},
        "/api/v1/webhooks/deliveries/{id}/redeliver": {"post"},
        "/api/v1/webhooks/event-types/": {"get"},
    }
    for path, methods in paths.items():
        operations = schema["paths"][path]
        assert set(operations) - {"parameters"} == methods, path
        for method, operation in operations.items():
            assert operation["tags"] == ["webhooks"] and operation["summary"], (path, method)
            assert {"401", "403", "429"} <= set(operation["responses"]), (path, method)
    components = schema["components"]["schemas"]
    assert "secret" not in components["WebhookEndpoint"]["properties"]
    assert "secret" in components["WebhookEndpointWithSecret"]["properties"]
    assert {"WebhookDelivery", "WebhookAttempt", "WebhookEventType"} <= set(components)
