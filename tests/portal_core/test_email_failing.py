"""Bounces and spam complaints from the email provider's tracking webhook (Postmark's payloads, as
its documentation shows them, posted to the platform host's real anymail URL) mark the contact's
address failing: the office sees why and since when, notifications to it stop, transactional
emails are still tried; a new address or "Mark as working" clears it."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from portal_core import access
from portal_core.models import ActivityEntry, Contact, PortalConfig
from portal_core.services import module_enable

from ..conftest import PLATFORM_HOST

WEBHOOK = "/anymail/postmark/tracking/"
SECRET = "postmark:s3cret-hook"


@pytest.fixture
def provider(settings):
    """anymail's test backend (it gives each message a provider id) and a webhook secret."""
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}


@pytest.fixture
def office(office_a, provider, django_capture_on_commit_callbacks):
    with tenant_context(office_a.tenant), django_capture_on_commit_callbacks(execute=True):
        config = PortalConfig.objects.get()
        config.is_active = True
        config.save()
        module_enable(key="real_estate")
    connection.set_schema_to_public()
    return office_a


def _post(payload: dict, secret: str = SECRET):
    auth = base64.b64encode(secret.encode()).decode()
    return Client(HTTP_HOST=PLATFORM_HOST).post(
        WEBHOOK, json.dumps(payload), content_type="application/json", HTTP_AUTHORIZATION=f"Basic {auth}"
    )


def _hard_bounce(message, **fields) -> dict:
    """Postmark's bounce webhook, as its documentation shows it, for ``message``."""
    return {
        "RecordType": "Bounce",
        "MessageStream": "outbound",
        "ID": 4323372036854775807,
        "Type": "HardBounce",
        "TypeCode": 1,
        "Name": "Hard bounce",
        "Tag": "",
        "MessageID": message.anymail_status.message_id,
        "Metadata": message.metadata,
        "ServerID": 23,
        "Description": "mailbox does not exist",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Email": message.to[0],
        "From": "no-reply@portico.localhost",
        "BouncedAt": "2026-12-02T16:33:54.9070259Z",
        "DumpAvailable": False,
        "Inactive": True,
        "CanActivate": True,
        "Subject": message.subject,
        **fields,
    }


def _spam_complaint(message) -> dict:
    return _hard_bounce(
        message,
        RecordType="SpamComplaint",
        Type="SpamComplaint",
        TypeCode=512,
        Name="Spam complaint",
        Description="The subscriber explicitly marked this message as spam.",
        Details="Test spam complaint details",
    )


def _future(days: int):
    return (timezone.now() + timedelta(days=days)).replace(microsecond=0, second=0, minute=0)


def _contact(office, email="kim@example.com", first_name="Kim") -> Contact:
    with tenant_context(office.tenant):
        contact = Contact.objects.create(first_name=first_name, last_name="Lee", email=email)
        access.portal_account_for(contact=contact)
    connection.set_schema_to_public()
    return contact


def _magic_link(office, contact):
    """A transactional email (the office sends a sign-in link): the message sent, or None."""
    mail.outbox.clear()
    with tenant_context(office.tenant):
        access.magic_link_send(account=access.portal_account_for(contact=contact), actor="owner")
    connection.set_schema_to_public()
    return mail.outbox[-1] if mail.outbox else None


def _viewing_confirmed(office, contact, capture, *, day=2) -> list:
    """The office confirms a viewing (a notification): the emails to the client."""
    from modules.real_estate import services

    with tenant_context(office.tenant), capture(execute=True):
        contact = Contact.objects.get(pk=contact.pk)
        account = access.portal_account_for(contact=contact)
        deal = services.deal_create(contact=contact, title="A home", actor="owner")
        house = services.property_create(title=f"House {day}", city="Haarlem", country="Netherlands", price=1)
        offer = services.property_offer(deal=deal, property=house, actor="owner")
        viewing = services.viewing_request(offer=offer, account=account, slots=[_future(day)])
        mail.outbox.clear()
        services.viewing_confirm(viewing=viewing, start=_future(day), actor="owner")
    connection.set_schema_to_public()
    return [m for m in mail.outbox if m.to == [contact.email]]


def _refreshed(office, contact) -> Contact:
    with tenant_context(office.tenant):
        found = Contact.objects.get(pk=contact.pk)
    connection.set_schema_to_public()
    return found


def test_a_hard_bounce_marks_the_address_failing_and_the_office_sees_why(office):
    kim = _contact(office)
    sent = _magic_link(office, kim)
    assert sent.metadata["portico_schema"] == office.schema_name
    assert _post(_hard_bounce(sent)).status_code == 200

    kim = _refreshed(office, kim)
    assert kim.email_failing_since.date().isoformat() == "2026-12-02"
    assert kim.email_failing_reason == "mailbox does not exist"
    staff = office.staff_client()
    page = staff.get(f"/office/contacts/{kim.pk}/").content.decode()
    start = page.index('id="email-failing"')
    assert "Email bouncing since 2 Dec 2026: mailbox does not exist" in page[start : start + 400]
    listing = staff.get("/office/contacts/").content.decode()
    assert "data-email-failing" in listing and ">Bouncing</span>" in listing
    with tenant_context(office.tenant):
        assert ActivityEntry.objects.filter(contact=kim, verb="email_failing").count() == 1
    connection.set_schema_to_public()


def test_notifications_stop_for_a_failing_address_while_transactional_ones_are_tried(
    office, django_capture_on_commit_callbacks
):
    kim = _contact(office)
    [confirmed] = _viewing_confirmed(office, kim, django_capture_on_commit_callbacks)
    assert confirmed.metadata == {"portico_schema": office.schema_name}  # no log row, still its office
    assert _post(_hard_bounce(confirmed)).status_code == 200
    assert _viewing_confirmed(office, kim, django_capture_on_commit_callbacks, day=3) == []
    assert _magic_link(office, kim) is not None  # a sign-in link is still attempted


def test_a_spam_complaint_marks_it_too(office):
    kim = _contact(office)
    assert _post(_spam_complaint(_magic_link(office, kim))).status_code == 200
    kim = _refreshed(office, kim)
    assert kim.email_failing_since is not None and kim.email_failing_complaint
    page = office.staff_client().get(f"/office/contacts/{kim.pk}/").content.decode()
    assert "Spam complaint since 2 Dec 2026" in page


def test_a_soft_bounce_or_a_delivery_marks_nothing(office):
    kim = _contact(office)
    sent = _magic_link(office, kim)
    assert _post(_hard_bounce(sent, Type="SoftBounce", TypeCode=4096, Name="Soft bounce")).status_code == 200
    delivery = {
        "RecordType": "Delivery",
        "MessageID": sent.anymail_status.message_id,
        "Recipient": kim.email,
        "DeliveredAt": "2026-12-02T16:33:54Z",
        "Details": "250 OK",
        "Metadata": sent.metadata,
    }
    assert _post(delivery).status_code == 200
    assert _refreshed(office, kim).email_failing_since is None


def test_every_contact_with_the_address_is_marked_but_no_one_else(office):
    kim = _contact(office)
    partner = _contact(office, first_name="Partner")  # the same address
    other = _contact(office, email="other@example.com", first_name="Other")
    _post(_hard_bounce(_magic_link(office, kim)))
    assert _refreshed(office, partner).email_failing_since is not None
    assert _refreshed(office, other).email_failing_since is None


def test_a_new_address_clears_it(office):
    kim = _contact(office)
    _post(_hard_bounce(_magic_link(office, kim)))
    staff = office.staff_client()
    edited = staff.post(
        f"/office/contacts/{kim.pk}/edit/",
        {"first_name": "Kim", "last_name": "Lee", "email": "kim.new@example.com", "language": "en"},
    )
    assert edited.status_code == 302
    kim = _refreshed(office, kim)
    assert (
        kim.email == "kim.new@example.com"
        and kim.email_failing_since is None
        and not kim.email_failing_reason
    )


def test_mark_as_working_clears_it_and_notifications_go_again(office, django_capture_on_commit_callbacks):
    kim = _contact(office)
    _post(_hard_bounce(_magic_link(office, kim)))
    staff = office.staff_client()
    answer = staff.post(f"/office/contacts/{kim.pk}/email-working/", follow=True)
    assert "is marked as working" in answer.content.decode()
    assert 'id="email-failing"' not in answer.content.decode()
    assert _refreshed(office, kim).email_failing_since is None
    assert len(_viewing_confirmed(office, kim, django_capture_on_commit_callbacks)) == 1


def test_it_is_refused_to_outsiders(office, office_b):
    kim = _contact(office)
    _post(_hard_bounce(_magic_link(office, kim)))
    assert office.client().post(f"/office/contacts/{kim.pk}/email-working/").status_code == 302  # sign in
    assert office_b.staff_client().post(f"/office/contacts/{kim.pk}/email-working/").status_code == 404
    outsider = office_b.staff_client()
    outsider.defaults["HTTP_HOST"] = office.host  # another office's staff session, on this host
    assert outsider.post(f"/office/contacts/{kim.pk}/email-working/").status_code in (302, 403)
    assert _refreshed(office, kim).email_failing_since is not None


def test_a_bounce_with_a_wrong_secret_or_another_offices_schema_changes_nothing(office, office_b):
    kim = _contact(office)
    twin = _contact(office_b)  # the same address, in another office
    sent = _magic_link(office, kim)
    assert _post(_hard_bounce(sent), secret="postmark:guess").status_code in (400, 401, 403)
    assert _refreshed(office, kim).email_failing_since is None
    _post(_hard_bounce(sent))
    assert _refreshed(office_b, twin).email_failing_since is None  # only the office that sent it
    forged = _hard_bounce(sent, Metadata={"portico_schema": "t_nope"})
    assert _post(forged).status_code == 200 and _refreshed(office_b, twin).email_failing_since is None
