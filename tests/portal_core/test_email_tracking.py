"""The invitation's delivery status on the contact page, from the provider's tracking webhooks
(django-anymail; Postmark's payloads here, through the platform host's one webhook URL)."""

import base64
import json

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from portal_core import access
from portal_core.models import Contact, PortalConfig, SentEmail

from ..conftest import PLATFORM_HOST

WEBHOOK = "/anymail/postmark/tracking/"
SECRET = "postmark:s3cret-hook"


@pytest.fixture
def provider(settings):
    """anymail's test backend (it gives each message a provider id) and a webhook secret."""
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}


def _invite(office, email="kim@example.com"):
    with schema_context(office.schema_name):
        PortalConfig.objects.update(is_active=True)
        contact = Contact.objects.create(first_name="Kim", last_name="Lee", email=email)
        account = access.portal_account_for(contact=contact)
        access.portal_account_invite(account=account, actor="owner@example.com")
        sent = SentEmail.objects.get(account=account)
    connection.set_schema_to_public()
    return contact, sent


def _post(payload: dict, secret: str = SECRET):
    auth = base64.b64encode(secret.encode()).decode()
    return Client(HTTP_HOST=PLATFORM_HOST).post(
        WEBHOOK, json.dumps(payload), content_type="application/json", HTTP_AUTHORIZATION=f"Basic {auth}"
    )


def _event(sent: SentEmail, record_type: str, **fields) -> dict:
    message = mail.outbox[-1]
    return {
        "RecordType": record_type,
        "MessageID": sent.message_id,
        "Recipient": sent.to,
        "Email": sent.to,
        "Metadata": message.metadata,
        **fields,
    }


def _status_on_page(office, contact) -> str:
    html = office.staff_client().get(f"/office/contacts/{contact.pk}/").content.decode()
    start = html.index("data-invitation-status=")
    return html[start : html.index("</span>", start)]


def test_the_invitation_shows_what_the_provider_reports(office_a, provider):
    contact, sent = _invite(office_a)
    assert sent.kind == "invitation" and sent.message_id and sent.status == "sent"
    assert mail.outbox[-1].metadata == {"portico_schema": office_a.schema_name, "portico_email": str(sent.pk)}
    assert '"sent"' in _status_on_page(office_a, contact)

    delivered = _post(_event(sent, "Delivery", DeliveredAt="2026-11-21T10:05:00Z", Details="250 OK"))
    assert delivered.status_code == 200
    assert '"delivered"' in _status_on_page(office_a, contact) and ">Delivered" in _status_on_page(
        office_a, contact
    )
    _post(_event(sent, "Open", ReceivedAt="2026-11-21T10:09:00Z"))
    _post(_event(sent, "Delivery", DeliveredAt="2026-11-21T10:10:00Z"))  # late news changes nothing
    with schema_context(office_a.schema_name):
        assert SentEmail.objects.get().status == "opened"


def test_a_bounce_is_shown_as_a_problem_with_the_providers_words(office_a, provider):
    contact, sent = _invite(office_a)
    bounce = _event(
        sent,
        "Bounce",
        Type="HardBounce",
        BouncedAt="2026-11-21T10:06:00Z",
        Description="The server was unable to deliver your message (ex: unknown user, mailbox not found).",
        ID=42,
    )
    assert _post(bounce).status_code == 200
    html = office_a.staff_client().get(f"/office/contacts/{contact.pk}/").content.decode()
    assert 'class="badge badge--danger" data-invitation-status="bounced"' in html
    assert "mailbox not found" in html


def test_events_are_refused_without_the_secret_and_never_cross_offices(office_a, office_b, provider):
    _, sent_a = _invite(office_a)
    event_a = _event(sent_a, "Delivery", DeliveredAt="2026-11-21T10:05:00Z")
    contact_b, sent_b = _invite(office_b, email="bo@example.com")

    assert _post(event_a, secret="postmark:wrong").status_code in (400, 401, 403)
    # Office A's email id with office B's schema (or the other way round): the message ids differ.
    forged = {
        **event_a,
        "Metadata": {"portico_schema": office_b.schema_name, "portico_email": str(sent_b.pk)},
    }
    assert _post(forged).status_code == 200
    unknown = {**event_a, "Metadata": {"portico_schema": "public", "portico_email": "1"}}
    assert _post(unknown).status_code == 200
    for office in (office_a, office_b):
        with schema_context(office.schema_name):
            assert SentEmail.objects.get().status == "sent"


def test_a_send_that_fails_is_logged_as_not_sent(office_a, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens
    with schema_context(office_a.schema_name):
        PortalConfig.objects.update(is_active=True)
        contact = Contact.objects.create(first_name="Kim", email="kim@example.com")
        account = access.portal_account_for(contact=contact)
        with pytest.raises(OSError):
            access.portal_account_invite(account=account, actor="owner@example.com")
        failed = SentEmail.objects.get(account=account)
    assert failed.status == "failed" and failed.is_problem and failed.status_detail
