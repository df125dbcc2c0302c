"""The office's webhook pages: endpoints, secret, test events, the delivery log, redelivery;
and every page tried by another office's owner."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.services import endpoint_create


def _in(office, func, **kwargs):
    with schema_context(office.schema_name):
        result = func(**kwargs)
    connection.set_schema_to_public()
    return result


def _endpoint(office, **fields) -> WebhookEndpoint:
    with schema_context(office.schema_name):
        return WebhookEndpoint.objects.get(**fields)


def test_it_adds_an_endpoint_and_shows_it(office_a, receiver):
    staff = office_a.staff_client()
    home = staff.get("/office/").content.decode()
    assert 'href="/office/webhooks/"' in home
    empty = staff.get("/office/webhooks/")
    assert empty.status_code == 200 and "No endpoints yet" in empty.content.decode()
    form = staff.get("/office/webhooks/new/").content.decode()
    assert "client_portal.invitation_sent" in form and "notes.note_created" in form

    response = staff.post(
        "/office/webhooks/new/",
        {
            "url": receiver.url,
            "description": "Our CRM",
            "scope": "some",
            "event_types": ["contact.created", "portal_account.joined"],
        },
    )
    endpoint = _endpoint(office_a, url=receiver.url)
    assert response.status_code == 302 and response["Location"] == f"/office/webhooks/{endpoint.pk}/"
    assert endpoint.event_types == ["contact.created", "portal_account.joined"]
    listing = staff.get("/office/webhooks/").content.decode()
    assert receiver.url in listing and "Our CRM" in listing and "2 chosen" in listing
    detail = staff.get(f"/office/webhooks/{endpoint.pk}/").content.decode()
    assert receiver.url in detail and "portal_account.joined" in detail
    assert endpoint.secret not in detail  # shown only on request


def test_it_explains_what_is_wrong_with_a_form(office_a, settings):
    settings.PORTICO_WEBHOOKS_ALLOW_PRIVATE = False
    staff = office_a.staff_client()
    internal = staff.post("/office/webhooks/new/", {"url": "http://10.0.0.5/hook", "scope": "all"})
    assert internal.status_code == 200 and "public addresses" in internal.content.decode()
    nothing = staff.post("/office/webhooks/new/", {"url": "https://93.184.216.34/hook", "scope": "some"})
    assert "Choose at least one event" in nothing.content.decode()
    with schema_context(office_a.schema_name):
        assert not WebhookEndpoint.objects.exists()


def test_it_reveals_the_secret_on_request(office_a, receiver):
    endpoint = _in(office_a, endpoint_create, url=receiver.url)
    staff = office_a.staff_client()
    fragment = staff.get(f"/office/webhooks/{endpoint.pk}/secret/", HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and endpoint.secret in fragment.content.decode()
    assert "<html" not in fragment.content.decode() and "no-store" in fragment["Cache-Control"]
    page = staff.get(f"/office/webhooks/{endpoint.pk}/secret/")
    assert "<html" in page.content.decode() and endpoint.secret in page.content.decode()


def test_it_sends_a_test_event_and_logs_every_attempt(office_a, receiver):
    endpoint = _in(office_a, endpoint_create, url=receiver.url)
    staff = office_a.staff_client()
    receiver.fail_next(1, status=503, body=b"Service warming up")
    assert staff.post(f"/office/webhooks/{endpoint.pk}/test/").status_code == 302
    assert receiver.types() == ["webhook.test"]
    log = staff.get(f"/office/webhooks/{endpoint.pk}/").content.decode()
    assert "webhook.test" in log and "Retrying" in log and "503" in log and "Service warming up" in log
    assert " ms<" in log

    delivery = _endpoint(office_a, pk=endpoint.pk).deliveries.get()
    response = staff.post(f"/office/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/redeliver/")
    assert response.status_code == 302
    with schema_context(office_a.schema_name):
        delivery.refresh_from_db()
        assert delivery.status == WebhookDelivery.Status.SUCCEEDED and delivery.attempt_count == 2
    log = staff.get(f"/office/webhooks/{endpoint.pk}/").content.decode()
    assert "Succeeded" in log and "200" in log
    assert "Retrying" not in staff.get(f"/office/webhooks/{endpoint.pk}/?status=succeeded").content.decode()


def test_it_rotates_disables_enables_edits_and_deletes(office_a, receiver):
    endpoint = _in(office_a, endpoint_create, url=receiver.url)
    staff = office_a.staff_client()
    staff.post(f"/office/webhooks/{endpoint.pk}/rotate/")
    rotated = _endpoint(office_a, pk=endpoint.pk)
    assert rotated.previous_secret == endpoint.secret and rotated.secret != endpoint.secret

    staff.post(f"/office/webhooks/{endpoint.pk}/toggle/", {"enable": "0"})
    disabled = _endpoint(office_a, pk=endpoint.pk)
    assert not disabled.enabled and office_a.owner_email in disabled.disabled_reason
    page = staff.get(f"/office/webhooks/{endpoint.pk}/").content.decode()
    assert "This endpoint is disabled" in page and "Send test event" not in page
    staff.post(f"/office/webhooks/{endpoint.pk}/toggle/", {"enable": "1"})
    assert _endpoint(office_a, pk=endpoint.pk).enabled

    form = staff.get(f"/office/webhooks/{endpoint.pk}/edit/").content.decode()
    assert receiver.url in form
    staff.post(
        f"/office/webhooks/{endpoint.pk}/edit/",
        {
            "url": receiver.url + "/v2",
            "description": "Renamed",
            "scope": "all",
            "event_types": ["contact.created"],
        },
    )
    edited = _endpoint(office_a, pk=endpoint.pk)
    assert edited.url == receiver.url + "/v2" and edited.description == "Renamed" and edited.event_types == []

    assert staff.post(f"/office/webhooks/{endpoint.pk}/delete/").status_code == 302
    with schema_context(office_a.schema_name):
        assert not WebhookEndpoint.objects.exists()


PAGES = [
    "/office/webhooks/",
    "/office/webhooks/new/",
    "/office/webhooks/{pk}/",
    "/office/webhooks/{pk}/edit/",
    "/office/webhooks/{pk}/secret/",
]
ACTIONS = [
    "/office/webhooks/{pk}/toggle/",
    "/office/webhooks/{pk}/rotate/",
    "/office/webhooks/{pk}/test/",
    "/office/webhooks/{pk}/delete/",
    "/office/webhooks/{pk}/deliveries/{delivery}/redeliver/",
]


@pytest.fixture
def alpha_endpoint(office_a, receiver):
    with schema_context(office_a.schema_name):
        endpoint = endpoint_create(url=receiver.url)
        from webhooks.services import endpoint_send_test

        endpoint_send_test(endpoint=endpoint)
        delivery = endpoint.deliveries.get()
    connection.set_schema_to_public()
    receiver.requests.clear()
    return endpoint, delivery


@pytest.mark.parametrize("path", PAGES + ACTIONS)
def test_it_sends_another_offices_owner_to_the_login_page(office_a, office_b, alpha_endpoint, receiver, path):
    endpoint, delivery = alpha_endpoint
    url = path.format(pk=endpoint.pk, delivery=delivery.pk)
    stranger = office_b.staff_client()
    stranger.defaults["HTTP_HOST"] = office_a.host
    response = (
        stranger.post(url, {"enable": "0", "url": "https://93.184.216.34/x", "scope": "all"})
        if path in ACTIONS
        else stranger.get(url)
    )
    assert response.status_code == 302 and response["Location"].startswith("/office/login/")
    assert endpoint.secret.encode() not in response.content
    kept = _endpoint(office_a, pk=endpoint.pk)
    assert kept.enabled and kept.secret == endpoint.secret and receiver.requests == []


@pytest.mark.parametrize("path", PAGES[2:] + ACTIONS)
def test_it_knows_no_other_offices_endpoint_on_its_own_host(
    office_a, office_b, alpha_endpoint, receiver, path
):
    endpoint, delivery = alpha_endpoint
    url = path.format(pk=endpoint.pk, delivery=delivery.pk)
    stranger = office_b.staff_client()
    response = stranger.post(url, {"enable": "0"}) if path in ACTIONS else stranger.get(url)
    assert response.status_code == 404
    kept = _endpoint(office_a, pk=endpoint.pk)
    assert kept.enabled and kept.secret == endpoint.secret and receiver.requests == []


@pytest.mark.parametrize(
    ("status", "retry_in", "refreshes"),
    [
        (WebhookDelivery.Status.PENDING, None, True),
        (WebhookDelivery.Status.FAILED, timedelta(minutes=1), True),  # retried in a moment
        (WebhookDelivery.Status.FAILED, timedelta(hours=3), False),  # a later retry
        (WebhookDelivery.Status.GAVE_UP, None, False),
        (WebhookDelivery.Status.SUCCEEDED, None, False),
    ],
)
def test_the_log_refreshes_itself_only_while_a_delivery_is_on_its_way(
    office_a, alpha_endpoint, status, retry_in, refreshes
):
    endpoint, delivery = alpha_endpoint
    with schema_context(office_a.schema_name):
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=status, next_attempt_at=timezone.now() + retry_in if retry_in else None
        )
    connection.set_schema_to_public()
    html = office_a.staff_client().get(f"/office/webhooks/{endpoint.pk}/").content.decode()
    log = html[html.index('id="webhook-log"') :][:400]
    assert ('hx-trigger="every 3s"' in log) is refreshes
