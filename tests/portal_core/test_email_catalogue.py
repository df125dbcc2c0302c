"""Every email the product sends, each through its real flow: each has a plain-text part and a
branded HTML part, fully rendered; notifications (and only they) carry a one-click unsubscribe."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from portal_core import access
from portal_core.models import Contact, PortalConfig
from portal_core.services import module_enable
from tenants import domains
from tenants.models import Plan

from ..conftest import CLIENT_PASSWORD, PLATFORM_HOST, email_part_problems

NOTIFICATIONS = {  # Kim reads Dutch
    "Je bezichtiging van Canal house is bevestigd",
    "Een nieuw tijdstip voor je bezichtiging van Canal house",
    "Je bezichtiging van Canal house is verplaatst",
    "Je bezichtiging van Canal house is geannuleerd",
    "Re: Over Canal house",
}


def _html(message) -> str:
    [(content, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return content


@pytest.fixture
def office(make_office, django_capture_on_commit_callbacks):
    office = make_office("alpha", plan=Plan.objects.get(code="professional"))
    with tenant_context(office.tenant), django_capture_on_commit_callbacks(execute=True):
        config = PortalConfig.objects.get()
        config.is_active, config.portal_name = True, "Alpha Homes"
        config.primary_color, config.secondary_color = "#0f766e", "#134e4a"
        config.save()  # through save(), so the cached configuration is dropped
        module_enable(key="real_estate")
        module_enable(key="invoices")
    connection.set_schema_to_public()
    return office


@pytest.fixture
def gone_receiver():
    """A webhook receiver that answers 410 Gone."""

    class Gone(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server name
            self.rfile.read(int(self.headers.get("content-length") or 0))
            self.send_response(410)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Gone)
    Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/hooks"
    server.shutdown()


def _client_flows(office, capture):
    """The clients' emails: invitations, magic link, login email, resets, code, module emails."""
    browser = office.client()
    with tenant_context(office.tenant):
        kim = Contact.objects.create(
            first_name="Kim", last_name="Lee", email="kim@example.com", language="nl"
        )
        account = access.portal_account_for(contact=kim)
        access.portal_account_invite(account=account, custom_message="Welcome!", actor="owner")
        access.portal_account_invite(account=account, temporary_password=True, actor="owner")
        access.magic_link_send(account=account, kind="login_email", actor="owner")
        Contact.objects.create(first_name="Sam", email="couple@example.com")
        Contact.objects.create(first_name="Alex", email="couple@example.com")
        for contact in Contact.objects.filter(email="couple@example.com"):
            shared = access.portal_account_for(contact=contact)
            shared.password = access.make_password(CLIENT_PASSWORD)
            shared.save()
        account.password = access.make_password(CLIENT_PASSWORD)
        account.save()
    connection.set_schema_to_public()
    browser.post("/auth/magic", {"email": "kim@example.com"})
    browser.post("/auth/forgot", {"email": "kim@example.com"})
    browser.post("/auth/forgot", {"email": "couple@example.com"})
    browser.post(
        "/auth/signup",
        {
            "first_name": "Robin",
            "last_name": "New",
            "email": "robin@example.com",
            "password": "Brand-new-2026!",
        },
    )


def _real_estate_flows(office, capture):
    from modules.real_estate import services

    with tenant_context(office.tenant), capture(execute=True):
        kim = Contact.objects.get(email="kim@example.com")
        account = access.portal_account_for(contact=kim)
        deal = services.deal_create(contact=kim, title="A home", actor="owner")
        house = services.property_create(title="Canal house", city="Haarlem", country="Netherlands", price=1)
        offer = services.property_offer(deal=deal, property=house, actor="owner")
        soon = _future(2)
        viewing = services.viewing_request(
            offer=offer, account=account, slots=[soon]
        )  # + a note to the office
        viewing = services.viewing_confirm(viewing=viewing, start=soon, actor="owner")
        viewing = services.viewing_reschedule(viewing=viewing, start=_future(3), actor="owner")
        services.viewing_cancel(viewing=viewing, by="office", actor="owner", reason="Sold.")
        other = services.viewing_request(offer=offer, account=account, slots=[_future(4)])
        services.viewing_confirm(viewing=other, start=_future(5), actor="owner")  # a proposal
        message = services.agent_contact(account=account, body="Is the price negotiable?", offer=offer)
        services.agent_reply(message=message, body="A little.", actor="owner")
    connection.set_schema_to_public()


def _future(days: int):
    return (timezone.now() + timedelta(days=days)).replace(microsecond=0, second=0, minute=0)


def _invoice_flows(office, capture):
    from modules.invoices import services

    with tenant_context(office.tenant), capture(execute=True):
        kim = Contact.objects.get(email="kim@example.com")
        lines = [services.LineInput("Work", Decimal("1"), Decimal("100"), Decimal("21"))]
        invoice = services.invoice_send_to_client(invoice=services.invoice_create(contact=kim, lines=lines))
        services.invoice_email_send(invoice=invoice, kind="invoices.reminder_after")
        services.invoice_payment_record(
            invoice=invoice,
            amount=Decimal("121"),
            method="bank_transfer",
            paid_on=timezone.localdate(),
            actor="owner",
        )
    connection.set_schema_to_public()


def _office_flows(office, dns_zones, gone_receiver, settings, capture):
    """The office's own emails: a staff password reset, a domain whose records went, a webhook
    endpoint switched off; and the platform's sign-up code."""
    office.client().post("/office/password/forgot/", {"email": office.owner_email})
    added = domains.custom_domain_add(tenant=office.tenant, domain="portal.alpha-agency.test")
    dns_zones.set(added.verify_name, "TXT", added.verify_value)
    dns_zones.set(added.domain, "CNAME", "alpha.portico.localhost")
    domains.custom_domain_check_now(custom_domain=added)
    dns_zones.set(added.domain, "CNAME")
    domains.custom_domain_check_now(custom_domain=added)
    settings.PORTICO_WEBHOOKS_ALLOW_PRIVATE = True
    from webhooks.services import endpoint_create, event_emit

    with tenant_context(office.tenant), capture(execute=True):
        endpoint_create(url=gone_receiver)
        event_emit(type="contact.created", data={})
    connection.set_schema_to_public()
    Client(HTTP_HOST=PLATFORM_HOST).post(
        "/signup/",
        {
            "office_name": "Harbour Homes",
            "subdomain": "harbour",
            "owner_name": "Hana",
            "email": "hana@harbour.example",
            "password": "Harbour-pass-2026!",
            "time_zone": "Europe/Amsterdam",
        },
    )


def test_every_email_the_product_sends_has_both_parts_and_the_right_look(
    office, dns_zones, gone_receiver, settings, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    _client_flows(office, capture)
    _real_estate_flows(office, capture)
    _invoice_flows(office, capture)
    office_mails = len(mail.outbox)
    _office_flows(office, dns_zones, gone_receiver, settings, capture)

    subjects = [m.subject for m in mail.outbox]
    expected = [
        "Je bent uitgenodigd voor het klantenportaal van Alpha Realty",  # both invitations
        "Log in op je portaal van Alpha Realty",  # login email
        "Je inloglink voor Alpha Realty",  # magic link
        "Stel je wachtwoord voor Alpha Realty opnieuw in",  # password reset
        "About resetting your password for Alpha Realty",  # an address several contacts share
        "Your verification code: ",  # self-registration
        "Je verzoek om Canal house te bezichtigen",
        "Viewing requested: Canal house",  # the office's note
        *NOTIFICATIONS,
        "Message from Kim Lee: Over Canal house",  # the office's note
        "Factuur 2026-0001 van Alpha Realty",
        "Factuur 2026-0001 is vervallen",  # a reminder
        "Ontvangstbewijs: ",
        "Choose a new password for your office",  # staff
        "The DNS records of portal.alpha-agency.test changed",
        "Webhook endpoint disabled: ",
        "Your Portico verification code: ",  # the platform's sign-up
    ]
    missing = [start for start in expected if not any(s.startswith(start) for s in subjects)]
    assert not missing, "\n".join(subjects)
    assert len(mail.outbox) >= 24, subjects  # each kind above, the office's notes, both invitations…

    problems = [problem for message in mail.outbox for problem in email_part_problems(message)]
    assert not problems, "\n".join(problems)

    for message in mail.outbox[:office_mails]:  # what the office sends carries its look
        html = _html(message)
        assert "Alpha Homes" in html and "#134e4a" in html, message.subject
        notification = message.subject in NOTIFICATIONS or message.subject.endswith("is vervallen")
        has_header = "List-Unsubscribe" in message.extra_headers
        # The office's notes to its own people about what a client did are notifications too.
        office_note = message.subject.startswith(("Viewing requested:", "Message from "))
        expected = (notification and message.to == ["kim@example.com"]) or office_note
        assert has_header == expected, message.subject
        if has_header:
            url = message.extra_headers["List-Unsubscribe"].strip("<>")
            assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
            assert url.startswith("http://alpha.portico.localhost/email/unsubscribe/")
            assert url in message.body and url in html
    for message in mail.outbox[office_mails:]:
        if message.subject.startswith(("Your Portico", "Webhook endpoint", "The DNS records")):
            assert "Portico" in _html(message) and "Alpha Homes" not in _html(message)
        assert "List-Unsubscribe" not in message.extra_headers
    [code] = [m for m in mail.outbox if m.subject.startswith("Your Portico verification code")]
    assert re.search(r"\d{6}", _html(code))


def test_a_staff_email_about_a_client_carries_the_offices_look(office, django_capture_on_commit_callbacks):
    from modules.real_estate import services

    with tenant_context(office.tenant), django_capture_on_commit_callbacks(execute=True):
        kim = Contact.objects.create(first_name="Kim", email="kim@example.com")
        kim.owner = get_user_model().objects.get(email=office.owner_email)
        kim.save()
        account = access.portal_account_for(contact=kim)
        deal = services.deal_create(contact=kim, title="A home", actor="owner")
        house = services.property_create(title="Canal house", city="Haarlem", country="Netherlands", price=1)
        offer = services.property_offer(deal=deal, property=house, actor="owner")
        mail.outbox.clear()
        services.agent_contact(account=account, body="Is the price negotiable?", offer=offer)
    connection.set_schema_to_public()
    [note] = mail.outbox
    assert note.to == [office.owner_email] and "Is the price negotiable?" in note.body
    assert "Alpha Homes" in _html(note) and "Is the price negotiable?" in _html(note)
    # A notification to the office's own address: its one-click link stops these notes for it alone.
    assert note.extra_headers["List-Unsubscribe"].startswith(
        "<http://alpha.portico.localhost/email/unsubscribe/"
    )
    assert note.extra_headers["List-Unsubscribe"].strip("<>") in note.body
