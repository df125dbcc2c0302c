"""The invoice's PDF: what it says (number, lines, the total the page and Stripe charge), in the
client's language and the office's colours and logo; who may download it (the client, their own
only; the office's staff; nobody from another office), and the email that brings it."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.db import connection
from django_tenants.utils import schema_context, tenant_context
from PIL import Image

from modules.invoices import pdf, services
from portal_core.models import Contact, PortalAccount, PortalConfig
from portal_core.services import module_enable
from tests.invoices.pdf_text import amount_of, labelled, pdf_text
from tests.portal_core.test_payments import connected, stripe_fake  # noqa: F401 (fixture)

D = Decimal


def switched_on(office, capture) -> None:
    with tenant_context(office.tenant), capture(execute=True):
        module_enable(key="invoices")
    connection.set_schema_to_public()


@pytest.fixture
def office_a(office_a, django_capture_on_commit_callbacks):
    switched_on(office_a, django_capture_on_commit_callbacks)
    return office_a


@pytest.fixture
def office_b(office_b, django_capture_on_commit_callbacks):
    switched_on(office_b, django_capture_on_commit_callbacks)
    return office_b


LINES = [
    services.LineInput("Valuation report", D("1"), D("250"), D("21")),
    services.LineInput("Floor plan, per room", D("7"), D("12.35"), D("21"), D("10")),
    services.LineInput("Land registry search", D("1.5"), D("1333.33"), D("9")),
]


def sent_to(contact, *, lines=LINES, **more):
    return services.invoice_send(invoice=services.invoice_create(contact=contact, lines=lines, **more))


def contact_of(office, account) -> Contact:
    with schema_context(office.schema_name):
        return PortalAccount.objects.select_related("contact").get(pk=account.pk).contact


def test_the_pdf_shows_the_number_lines_and_the_total_the_page_and_stripe_show(
    office_a,
    stripe_fake,  # noqa: F811 (the fixture)
):
    connected(office_a, stripe_fake)
    client, account = office_a.portal_client()
    with schema_context(office_a.schema_name):
        invoice = sent_to(contact_of(office_a, account), discount_percent=D("5"), po_number="PO-77")
    connection.set_schema_to_public()

    page = client.get(f"/invoices/{invoice.pk}/").content.decode()
    assert f'href="/invoices/{invoice.pk}/pdf"' in page
    response = client.get(f"/invoices/{invoice.pk}/pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="invoice-{invoice.number}.pdf"'
    assert "no-store" in response["Cache-Control"]
    text = pdf_text(response.content)
    assert "Invoice" in text and invoice.number in text and "PO-77" in text
    for description in ("Valuation report", "Floor plan, per room", "Land registry search"):
        assert description in text
    assert "€1,333.33" in text and "€2,000.00" in text  # 1.5 × 1,333.33 = 1,999.995, rounded half up
    assert "10%" in text  # the line's own discount
    assert labelled(text, "Tax 21% on") and labelled(text, "Tax 9% on")  # tax by rate
    printed = amount_of(labelled(text, "Total"))
    assert printed == invoice.total

    on_page = page.split("Total</dt><dd><strong>")[1].split("<")[0]
    assert amount_of(on_page) == printed
    to_stripe = client.post(f"/invoices/{invoice.pk}/pay")
    session = stripe_fake.fake.objects[to_stripe["Location"].rsplit("/", 1)[1]]
    assert session["amount_total"] == int(printed * 100)


def test_a_dutch_client_gets_the_pdf_in_dutch_with_dutch_numbers_dates_and_money(office_a):
    client, account = office_a.portal_client("sanne@example.com", first_name="Sanne", language="nl")
    with schema_context(office_a.schema_name):
        invoice = sent_to(contact_of(office_a, account), due_date=date(2027, 3, 5))
    connection.set_schema_to_public()
    text = pdf_text(client.get(f"/invoices/{invoice.pk}/pdf").content)
    for dutch in ("Factuur", "FACTUUR AAN", "Vervaldatum", "Omschrijving", "Totaal", "5 mrt 2027"):
        assert dutch in text, dutch
    assert "€ 1.333,33" in text and "1,5" in text
    assert amount_of(labelled(text, "Totaal"), "nl") == invoice.total


def test_the_pdf_carries_the_offices_logo_and_colours(office_a):
    with schema_context(office_a.schema_name):
        config = PortalConfig.objects.get()
        config.company_name = "Alpha Makelaars"
        config.primary_color = "#0B6E4F"
        logo = io.BytesIO()
        Image.new("RGB", (120, 40), "#0B6E4F").save(logo, format="PNG")
        config.portal_logo.save("logo.png", ContentFile(logo.getvalue()), save=False)
        config.save()
        invoice = sent_to(Contact.objects.create(first_name="Kim", email="kim@example.com"))
        html = pdf.invoice_html(invoice)
        content = pdf.invoice_pdf(invoice)
    assert "background: #0B6E4F" in html and 'src="data:image/png;base64,' in html
    assert b"/Subtype /Image" in content
    assert "Alpha Makelaars" in pdf_text(content)  # the footer of every page


def test_only_the_client_and_their_office_get_the_pdf(office_a, office_b):
    chris, account = office_a.portal_client("chris@example.com")
    olga, _ = office_a.portal_client("olga@example.com", first_name="Olga")
    with schema_context(office_a.schema_name):
        contact = contact_of(office_a, account)
        invoice = sent_to(contact)
        draft = services.invoice_create(contact=contact, lines=LINES)
    connection.set_schema_to_public()
    path = f"/invoices/{invoice.pk}/pdf"
    assert chris.get(path).status_code == 200
    assert chris.get(f"/invoices/{draft.pk}/pdf").status_code == 404  # a draft is not the client's yet
    assert olga.get(path).status_code == 404  # another client of the same office
    assert office_a.client().get(path).status_code == 302  # signed out: to the sign-in page

    staff = office_a.staff_client()
    office_path = f"/office/invoices/{invoice.pk}/pdf"
    assert staff.get(office_path).status_code == 200
    assert staff.get(f"/office/invoices/{draft.pk}/pdf").status_code == 200
    assert (
        f'href="/office/invoices/{invoice.pk}/pdf"'
        in staff.get(f"/office/invoices/{invoice.pk}/").content.decode()
    )
    assert chris.get(office_path).status_code in (302, 403)

    # Another office: its staff and its clients, on its own host, reach nothing of office A's.
    bravo_client, _ = office_b.portal_client("chris@example.com")
    assert bravo_client.get(path).status_code == 404
    assert office_b.staff_client().get(office_path).status_code == 404
    strangers = office_b.client()
    strangers.post("/office/login/", {"username": office_b.owner_email, "password": office_b.owner_password})
    assert strangers.get(office_path, HTTP_HOST=office_a.host).status_code in (302, 403)


def test_sending_emails_the_pdf_and_the_link_in_the_clients_language(office_a):
    with schema_context(office_a.schema_name):
        contact = Contact.objects.create(first_name="Jonas", email="jonas@example.com", language="de")
        mail.outbox.clear()
        invoice = services.invoice_send_to_client(
            invoice=services.invoice_create(contact=contact, lines=LINES, due_date=date(2027, 1, 15))
        )
        no_address = Contact.objects.create(first_name="Nobody")
        services.invoice_send_to_client(invoice=services.invoice_create(contact=no_address, lines=LINES))
        sent_to(contact)  # opened for payment without the email (the office's own way)
    [message] = mail.outbox
    assert message.to == ["jonas@example.com"]
    assert message.subject.startswith(f"Rechnung {invoice.number}")
    assert "15. Jan. 2027" in message.body and f"/invoices/{invoice.pk}/" in message.body
    [(filename, content, mimetype)] = message.attachments
    assert (filename, mimetype) == (f"invoice-{invoice.number}.pdf", "application/pdf")
    text = pdf_text(content)
    assert "Rechnung" in text and invoice.number in text
    assert amount_of(labelled(text, "Gesamt"), "de") == invoice.total


def test_an_unchanged_invoice_is_rendered_once_and_a_changed_one_again(
    office_a, monkeypatch, django_capture_on_commit_callbacks
):
    renders = []
    render = pdf.pdf_render
    monkeypatch.setattr(pdf, "pdf_render", lambda html: renders.append(html) or render(html))
    client, account = office_a.portal_client()
    with schema_context(office_a.schema_name):
        invoice = sent_to(contact_of(office_a, account))
    connection.set_schema_to_public()
    path = f"/invoices/{invoice.pk}/pdf"
    first, again = client.get(path).content, client.get(path).content
    assert len(renders) == 1 and pdf_text(first) == pdf_text(again)
    with schema_context(office_a.schema_name), django_capture_on_commit_callbacks(execute=True):
        services.invoice_payment_record(
            invoice=invoice, amount=D("100.00"), method="bank_transfer", paid_on=date(2026, 12, 1)
        )
    connection.set_schema_to_public()
    paid_part = pdf_text(client.get(path).content)
    assert len(renders) == 2 and amount_of(labelled(paid_part, "Paid")) == D("100.00")
    assert amount_of(labelled(paid_part, "Amount due")) == invoice.total - D("100.00")
