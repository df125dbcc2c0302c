"""One-click unsubscribe (RFC 8058) from notification emails: a signed link per recipient and
topic on the office's host, a confirmation page in the client's language, a POST that needs no
sign-in; after it, that topic no longer reaches the contact, and the office sees it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.core import mail, signing
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from portal_core import access
from portal_core.email_preferences import SALT, unsubscribe_token
from portal_core.models import ActivityEntry, Contact, PortalConfig
from portal_core.services import module_enable

TOPIC = "real_estate.viewing_updates"


def _switched_on(office, capture):
    with tenant_context(office.tenant), capture(execute=True):
        config = PortalConfig.objects.get()
        config.is_active = True
        config.save()
        module_enable(key="real_estate")
        module_enable(key="invoices")
    connection.set_schema_to_public()


@pytest.fixture
def office(office_a, django_capture_on_commit_callbacks):
    _switched_on(office_a, django_capture_on_commit_callbacks)
    return office_a


def _future(days: int):
    return (timezone.now() + timedelta(days=days)).replace(microsecond=0, second=0, minute=0)


def _client(office, email="kim@example.com", first_name="Kim", language="nl"):
    with tenant_context(office.tenant):
        contact = Contact.objects.create(
            first_name=first_name, last_name="Lee", email=email, language=language
        )
        access.portal_account_for(contact=contact)
    connection.set_schema_to_public()
    return contact


def _viewing_confirmed(office, contact, capture, *, day=2):
    """A viewing request and its confirmation by the office, through the module's services:
    returns the confirmation emailed to the client (or None when none was sent)."""
    from modules.real_estate import services

    with tenant_context(office.tenant), capture(execute=True):
        account = access.portal_account_for(contact=contact)
        deal = services.deal_create(contact=contact, title="A home", actor="owner")
        house = services.property_create(title=f"House {day}", city="Haarlem", country="Netherlands", price=1)
        offer = services.property_offer(deal=deal, property=house, actor="owner")
        viewing = services.viewing_request(offer=offer, account=account, slots=[_future(day)])
        mail.outbox.clear()
        services.viewing_confirm(viewing=viewing, start=_future(day), actor="owner")
    connection.set_schema_to_public()
    to_client = [m for m in mail.outbox if m.to == [contact.email]]
    return to_client[0] if to_client else None


def _link(message) -> tuple[str, str]:
    """(host, path) of the message's List-Unsubscribe URL."""
    url = message.extra_headers["List-Unsubscribe"].strip("<>")
    parts = urlsplit(url)
    return parts.netloc, parts.path


def _one_click(host: str, path: str):
    """What a mail app does for RFC 8058: a POST with no cookie and this exact body."""
    return Client(HTTP_HOST=host, enforce_csrf_checks=True).post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )


def _refreshed(office, contact) -> Contact:
    with tenant_context(office.tenant):
        found = Contact.objects.get(pk=contact.pk)
    connection.set_schema_to_public()
    return found


def test_a_notification_carries_a_one_click_link_on_the_offices_host(
    office, django_capture_on_commit_callbacks
):
    kim = _client(office)
    confirmed = _viewing_confirmed(office, kim, django_capture_on_commit_callbacks)
    assert confirmed.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    host, path = _link(confirmed)
    assert host == office.host and path.startswith("/email/unsubscribe/")
    assert path in confirmed.body and path in confirmed.alternatives[0][0]
    assert "Afmelden voor deze e-mails" in confirmed.alternatives[0][0]  # in Kim's language


def test_transactional_emails_carry_no_unsubscribe_link(office):
    kim = _client(office)
    with tenant_context(office.tenant):
        account = access.portal_account_for(contact=kim)
        access.portal_account_invite(account=account, actor="owner")
        access.magic_link_send(account=account, actor="owner")
    connection.set_schema_to_public()
    office.client().post("/auth/forgot", {"email": kim.email})
    assert len(mail.outbox) == 3
    assert all("List-Unsubscribe" not in m.extra_headers for m in mail.outbox)


def test_the_page_asks_first_and_the_one_click_unsubscribes_without_signing_in(
    office, django_capture_on_commit_callbacks
):
    kim = _client(office)
    host, path = _link(_viewing_confirmed(office, kim, django_capture_on_commit_callbacks))

    page = Client(HTTP_HOST=host).get(path)
    html = page.content.decode()
    assert page.status_code == 200 and page["Content-Language"] == "nl"
    assert "Afmelden voor deze e-mails?" in html and "Updates over je bezichtigingen" in html
    assert '<form method="post"' in html and 'class="brand__name"' in html  # the portal's design
    assert _refreshed(office, kim).email_unsubscribed == {}  # a GET (a mail scanner) changes nothing

    done = _one_click(host, path)
    assert done.status_code == 200 and "Je bent afgemeld" in done.content.decode()
    assert TOPIC in _refreshed(office, kim).email_unsubscribed
    assert _one_click(host, path).status_code == 200  # twice is fine
    with tenant_context(office.tenant):
        assert ActivityEntry.objects.filter(contact_id=kim.pk, verb="email_unsubscribed").count() == 1
    connection.set_schema_to_public()


def test_after_unsubscribing_that_kind_stops_and_the_rest_still_arrives(
    office, django_capture_on_commit_callbacks
):
    kim = _client(office)
    _one_click(*_link(_viewing_confirmed(office, kim, django_capture_on_commit_callbacks)))

    assert _viewing_confirmed(office, kim, django_capture_on_commit_callbacks, day=3) is None
    from modules.real_estate import services

    with tenant_context(office.tenant), django_capture_on_commit_callbacks(execute=True):
        account = access.portal_account_for(contact=kim)
        deal = services.deal_create(contact=kim, title="Another", actor="owner")
        house = services.property_create(title="Mill", city="Haarlem", country="Netherlands", price=1)
        offer = services.property_offer(deal=deal, property=house, actor="owner")
        mail.outbox.clear()
        services.viewing_request(offer=offer, account=account, slots=[_future(4)])  # its receipt still goes
        message = services.agent_contact(account=account, body="A question", offer=offer)
        services.agent_reply(message=message, body="An answer", actor="owner")  # another topic
        access.magic_link_send(account=account, actor="owner")
    connection.set_schema_to_public()
    to_kim = [m.subject for m in mail.outbox if m.to == [kim.email]]
    assert to_kim == ["Je verzoek om Mill te bezichtigen", "Re: Over Mill", "Je inloglink voor Alpha Realty"]


def test_the_office_sees_it_on_the_contacts_page(office, django_capture_on_commit_callbacks):
    kim = _client(office)
    _one_click(*_link(_viewing_confirmed(office, kim, django_capture_on_commit_callbacks)))
    html = office.staff_client().get(f"/office/contacts/{kim.pk}/").content.decode()
    start = html.index('id="email-unsubscribed"')
    assert "Updates about your viewings" in html[start : start + 300]


def test_invoice_reminders_stop_but_invoices_still_go(office, django_capture_on_commit_callbacks):
    from modules.invoices import services

    kim = _client(office, language="en")
    with tenant_context(office.tenant), django_capture_on_commit_callbacks(execute=True):
        lines = [services.LineInput("Work", Decimal("1"), Decimal("100"), Decimal("0"))]
        invoice = services.invoice_send_to_client(invoice=services.invoice_create(contact=kim, lines=lines))
        assert services.invoice_email_send(invoice=invoice, kind="invoices.reminder_after")
    connection.set_schema_to_public()
    sent, reminder = mail.outbox
    assert "List-Unsubscribe" not in sent.extra_headers and "List-Unsubscribe" in reminder.extra_headers
    host, path = _link(reminder)
    assert "Payment reminders" in Client(HTTP_HOST=host).get(path).content.decode()
    assert _one_click(host, path).status_code == 200
    mail.outbox.clear()
    with tenant_context(office.tenant), django_capture_on_commit_callbacks(execute=True):
        invoice = type(invoice).objects.select_related("contact").get(pk=invoice.pk)  # as the task does
        assert not services.invoice_email_send(invoice=invoice, kind="invoices.reminder_after")
        lines = [services.LineInput("More", Decimal("1"), Decimal("50"), Decimal("0"))]
        services.invoice_send_to_client(invoice=services.invoice_create(contact=kim, lines=lines))
    connection.set_schema_to_public()
    assert [m.subject.split(" ")[0] for m in mail.outbox] == ["Invoice"]


# --- tokens that must do nothing ------------------------------------------------------------------


def test_it_refuses_a_tampered_token(office, django_capture_on_commit_callbacks):
    kim = _client(office)
    host, path = _link(_viewing_confirmed(office, kim, django_capture_on_commit_callbacks))
    token = path.rstrip("/").rsplit("/", 1)[1]
    for bad in [token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "nonsense", token + "x"]:
        assert Client(HTTP_HOST=host).get(f"/email/unsubscribe/{bad}/").status_code == 404
        assert _one_click(host, f"/email/unsubscribe/{bad}/").status_code == 404
    assert _refreshed(office, kim).email_unsubscribed == {}


def test_it_refuses_another_offices_token(office, office_b, django_capture_on_commit_callbacks):
    kim = _client(office)
    host, path = _link(_viewing_confirmed(office, kim, django_capture_on_commit_callbacks))
    _switched_on(office_b, django_capture_on_commit_callbacks)
    with tenant_context(office_b.tenant):  # the same id and address in the other office
        twin = Contact.objects.create(first_name="Kim", email=kim.email, language="nl")
        Contact.objects.filter(pk=twin.pk).update(id=kim.pk)
    connection.set_schema_to_public()
    refused = _one_click(office_b.host, path)
    assert refused.status_code == 404 and "Je bent afgemeld" not in refused.content.decode()
    assert _refreshed(office_b, kim).email_unsubscribed == {}
    assert _refreshed(office, kim).email_unsubscribed == {}


def test_it_refuses_a_token_for_another_client_or_an_old_address(office, django_capture_on_commit_callbacks):
    kim = _client(office)
    sam = _client(office, email="sam@example.com", first_name="Sam")
    host, path = _link(_viewing_confirmed(office, kim, django_capture_on_commit_callbacks))
    with tenant_context(office.tenant):
        # Sam's id in a payload signed with anything but the office's key and salt is refused…
        forged = signing.dumps(
            {"s": office.schema_name, "c": sam.pk, "e": sam.email, "t": TOPIC}, salt="another-salt"
        )
        # …and Kim's real token only ever touches Kim.
        kims = unsubscribe_token(contact=Contact.objects.get(pk=kim.pk), topic=TOPIC)
        unknown_topic = signing.dumps(
            {"s": office.schema_name, "c": sam.pk, "e": sam.email, "t": "real_estate.everything"}, salt=SALT
        )
    connection.set_schema_to_public()
    assert _one_click(host, f"/email/unsubscribe/{forged}/").status_code == 404
    assert _one_click(host, f"/email/unsubscribe/{unknown_topic}/").status_code == 404
    assert _one_click(host, f"/email/unsubscribe/{kims}/").status_code == 200
    assert _refreshed(office, sam).email_unsubscribed == {}
    with tenant_context(office.tenant):
        Contact.objects.filter(pk=sam.pk).update(email="sam.new@example.com")
    connection.set_schema_to_public()
    with tenant_context(office.tenant):
        old = unsubscribe_token(contact=Contact(pk=sam.pk, email="sam@example.com"), topic=TOPIC)
    connection.set_schema_to_public()
    assert _one_click(host, f"/email/unsubscribe/{old}/").status_code == 404  # sent to the old address
    assert _refreshed(office, sam).email_unsubscribed == {}


def test_it_answers_only_get_and_post(office, django_capture_on_commit_callbacks):
    kim = _client(office)
    host, path = _link(_viewing_confirmed(office, kim, django_capture_on_commit_callbacks))
    assert Client(HTTP_HOST=host).put(path).status_code == 405
    assert Client(HTTP_HOST=host).delete(path).status_code == 405
    assert _refreshed(office, kim).email_unsubscribed == {}


# --- a company emailed at its own address ---------------------------------------------------------


def test_a_companys_reminders_carry_the_link_and_stop_for_it_alone(
    office, office_b, django_capture_on_commit_callbacks
):
    from modules.invoices import services
    from portal_core.email_preferences import email_failing_mark
    from portal_core.models import Company

    with tenant_context(office.tenant):
        acme = Company.objects.create(name="Acme Lettings", email="billing@acme.example", language="nl")
    connection.set_schema_to_public()
    capture = django_capture_on_commit_callbacks
    with tenant_context(office.tenant), capture(execute=True):
        lines = [services.LineInput("Work", Decimal("1"), Decimal("100"), Decimal("0"))]
        invoice = services.invoice_send_to_client(invoice=services.invoice_create(company=acme, lines=lines))
        assert services.invoice_email_send(invoice=invoice, kind="invoices.reminder_after")
    connection.set_schema_to_public()
    sent, reminder = mail.outbox
    assert sent.to == reminder.to == ["billing@acme.example"]
    assert "List-Unsubscribe" not in sent.extra_headers  # the invoice itself is transactional
    host, path = _link(reminder)
    assert "Betalingsherinneringen" in Client(HTTP_HOST=host).get(path).content.decode()  # Dutch
    assert Client(HTTP_HOST=office_b.host).post(path).status_code == 404  # not on another office's host
    assert _one_click(host, path).status_code == 200
    with tenant_context(office.tenant):
        acme.refresh_from_db()
        assert list(acme.email_unsubscribed) == ["invoices.reminders"]
        assert ActivityEntry.objects.filter(company=acme, verb="email_unsubscribed").exists()
    connection.set_schema_to_public()
    staff = office.staff_client()
    page = staff.get(f"/office/companies/{acme.pk}/").content.decode()
    assert 'id="email-unsubscribed"' in page and "Payment reminders" in page

    mail.outbox.clear()
    with tenant_context(office.tenant), capture(execute=True):
        invoice = type(invoice).objects.select_related("company").get(pk=invoice.pk)
        assert not services.invoice_email_send(invoice=invoice, kind="invoices.reminder_after")
        assert services.invoice_email_send(invoice=invoice, kind="invoices.invoice_sent")  # still goes
        # A bounce on the company's address marks the company; "Mark as working" clears it.
        assert email_failing_mark(email="Billing@Acme.example", reason="mailbox does not exist") == 1
        acme.refresh_from_db()
        assert acme.email_failing_since is not None
    connection.set_schema_to_public()
    assert [m.to for m in mail.outbox] == [["billing@acme.example"]]
    page = staff.get(f"/office/companies/{acme.pk}/").content.decode()
    assert "mailbox does not exist" in page[page.index('id="email-failing"') :][:500]
    assert staff.post(f"/office/companies/{acme.pk}/email-working/").status_code == 302
    assert office_b.staff_client().post(f"/office/companies/{acme.pk}/email-working/").status_code == 404
    with tenant_context(office.tenant):
        acme.refresh_from_db()
        assert acme.email_failing_since is None
    connection.set_schema_to_public()


def test_a_companys_token_and_a_contacts_with_one_address_each_do_their_own(
    office, django_capture_on_commit_callbacks
):
    from portal_core.models import Company

    kim = _client(office, email="same@example.com")
    with tenant_context(office.tenant):
        acme = Company.objects.create(name="Acme", email="same@example.com")
        for_company = unsubscribe_token(contact=acme, topic="invoices.reminders")
        for_kim = unsubscribe_token(contact=kim, topic=TOPIC)
    connection.set_schema_to_public()
    browser = Client(HTTP_HOST=office.host)
    assert browser.post(f"/email/unsubscribe/{for_company}/").status_code == 200
    with tenant_context(office.tenant):
        acme.refresh_from_db()
        kim.refresh_from_db()
        assert list(acme.email_unsubscribed) == ["invoices.reminders"] and kim.email_unsubscribed == {}
    connection.set_schema_to_public()
    assert browser.post(f"/email/unsubscribe/{for_kim}/").status_code == 200
    with tenant_context(office.tenant):
        acme.refresh_from_db()
        kim.refresh_from_db()
        assert list(kim.email_unsubscribed) == [TOPIC] and list(acme.email_unsubscribed) == [
            "invoices.reminders"
        ]
        tampered = signing.loads(for_company, salt=SALT) | {"k": "invoice"}
        forged = signing.dumps(tampered, salt="guess", compress=True)
    connection.set_schema_to_public()
    assert browser.post(f"/email/unsubscribe/{forged}/").status_code == 404


# --- the office's own notes about its clients ------------------------------------------------------


def _viewing_requested(office, contact, capture, *, day=3):
    """A client asks for a viewing: the office's note about it (or None when none went)."""
    from modules.real_estate import services

    mail.outbox.clear()
    with tenant_context(office.tenant), capture(execute=True):
        account = access.portal_account_for(contact=contact)
        deal = services.deal_create(contact=contact, title=f"Home {day}", actor="owner")
        house = services.property_create(title=f"House {day}", city="Haarlem", country="Netherlands", price=1)
        offer = services.property_offer(deal=deal, property=house, actor="owner")
        services.viewing_request(offer=offer, account=account, slots=[_future(day)])
    connection.set_schema_to_public()
    notes = [m for m in mail.outbox if m.subject.startswith("Viewing requested")]
    return notes[0] if notes else None


def test_the_offices_notes_carry_a_link_that_stops_them_for_that_address(
    office, office_b, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    kim = _client(office, language="en")
    note = _viewing_requested(office, kim, capture)
    assert note.to == [office.owner_email] and "List-Unsubscribe" in note.extra_headers
    assert note.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    host, path = _link(note)
    assert host == office.host
    assert Client(HTTP_HOST=office_b.host).post(path).status_code == 404  # another office: nothing
    assert "what your clients do" in Client(HTTP_HOST=host).get(path).content.decode()
    assert _one_click(host, path).status_code == 200
    assert _viewing_requested(office, kim, capture, day=4) is None  # stopped for the owner

    staff = office.staff_client()
    page = staff.get("/office/email/").content.decode()
    assert 'id="office-notes-stopped"' in page and office.owner_email in page
    assert (
        office_b.staff_client().post("/office/email/office-notes/on/", {"email": office.owner_email})[
            "Location"
        ]
        == "/office/email/"
    )
    with tenant_context(office_b.tenant):
        assert PortalConfig.objects.get().office_notes_unsubscribed == {}
    connection.set_schema_to_public()
    assert _viewing_requested(office, kim, capture, day=5) is None  # another office turned nothing on
    answer = staff.post("/office/email/office-notes/on/", {"email": office.owner_email}, follow=True)
    assert "gets the emails about client activity again" in answer.content.decode()
    assert _viewing_requested(office, kim, capture, day=6).to == [office.owner_email]


def test_a_staff_token_for_another_topic_or_tampered_does_nothing(office):
    with tenant_context(office.tenant):
        other_topic = signing.dumps(
            {"s": office.schema_name, "k": "staff", "e": office.owner_email, "t": TOPIC}, salt=SALT
        )
        unsigned = signing.dumps(
            {"s": office.schema_name, "k": "staff", "e": office.owner_email, "t": "office.client_activity"},
            salt="another-salt",
        )
    connection.set_schema_to_public()
    browser = Client(HTTP_HOST=office.host)
    for token in (other_topic, unsigned):
        assert browser.post(f"/email/unsubscribe/{token}/").status_code == 404
    with tenant_context(office.tenant):
        assert PortalConfig.objects.get().office_notes_unsubscribed == {}
    connection.set_schema_to_public()


def test_the_office_turns_a_topic_back_on_when_the_client_asks(
    office, office_b, django_capture_on_commit_callbacks
):
    kim = _client(office, language="en")
    with tenant_context(office.tenant):
        token = unsubscribe_token(contact=kim, topic=TOPIC)
    connection.set_schema_to_public()
    assert Client(HTTP_HOST=office.host).post(f"/email/unsubscribe/{token}/").status_code == 200
    assert _viewing_confirmed(office, kim, django_capture_on_commit_callbacks) is None

    staff = office.staff_client()
    page = staff.get(f"/office/contacts/{kim.pk}/").content.decode()
    assert f'action="/office/contacts/{kim.pk}/email-topic-on/"' in page
    other = office_b.staff_client().post(f"/office/contacts/{kim.pk}/email-topic-on/", {"topic": TOPIC})
    assert other.status_code == 404 and _refreshed(office, kim).email_unsubscribed  # not another office
    answer = staff.post(f"/office/contacts/{kim.pk}/email-topic-on/", {"topic": TOPIC}, follow=True)
    assert "gets updates about your viewings again" in answer.content.decode()
    assert _refreshed(office, kim).email_unsubscribed == {}
    assert _viewing_confirmed(office, kim, django_capture_on_commit_callbacks, day=4) is not None
