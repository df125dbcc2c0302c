"""Who sees an invoice billed to a company: the company's portal account and the clients who belong
to the company, each on the list, the page, the PDF and the pay link. Another client of the same
office (on their own, or of another company) and a client of another office get a 404 on each."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from modules.invoices import services
from modules.invoices.models import Invoice
from portal_core.access import portal_account_for
from portal_core.models import Company, PortalAccount
from tests.conftest import CLIENT_PASSWORD
from tests.invoices.test_invoices import draft_for, switched
from tests.portal_core.test_payments import connected, stripe_fake  # noqa: F401 (fixture)

D = Decimal


@pytest.fixture
def office_a(office_a, django_capture_on_commit_callbacks):
    switched(office_a, django_capture_on_commit_callbacks)
    return office_a


@pytest.fixture
def office_b(office_b, django_capture_on_commit_callbacks):
    switched(office_b, django_capture_on_commit_callbacks)
    return office_b


def in_office(office):
    return schema_context(office.schema_name)


def member_of(office, email: str, company: Company | None, first_name: str):
    """A client of the office who signed in, belonging to ``company`` (or to none)."""
    browser, account = office.portal_client(email, first_name=first_name)
    with in_office(office):
        contact = PortalAccount.objects.get(pk=account.pk).contact
        contact.company = company
        contact.save()
    connection.set_schema_to_public()
    return browser, contact


def company_account(office, company: Company) -> Client:
    """The company's own portal account, signed in with the company's email."""
    with in_office(office):
        account = portal_account_for(company=company)
        account.password = make_password(CLIENT_PASSWORD)
        account.onboarding_completed = account.tour_completed = True
        account.save()
    connection.set_schema_to_public()
    browser = office.client()
    assert (
        browser.post("/auth/signin", {"email": company.email, "password": CLIENT_PASSWORD}).status_code == 302
    )
    return browser


def company_invoice(company: Company, price: str) -> Invoice:
    lines = [services.LineInput("Retainer", D(1), D(price), D(21))]
    return services.invoice_send(invoice=services.invoice_create(company=company, lines=lines))


def pages(invoice: Invoice) -> list[tuple[str, str]]:
    return [
        ("get", f"/invoices/{invoice.pk}/"),
        ("get", f"/invoices/{invoice.pk}/pdf"),
        ("get", f"/invoices/{invoice.pk}/paid"),
        ("post", f"/invoices/{invoice.pk}/pay"),
    ]


def test_a_companys_invoice_is_seen_and_paid_by_its_people_and_nobody_else(
    office_a,
    office_b,
    stripe_fake,  # noqa: F811 (the fixture)
):
    connected(office_a, stripe_fake)
    with in_office(office_a):
        firm = Company.objects.create(name="Firm BV", email="accounts@firm.example")
        other_firm = Company.objects.create(name="Other BV", email="hello@other.example")
        billed = company_invoice(firm, "500")
        draft = services.invoice_create(company=firm, lines=[services.LineInput("Later", D(1), D(10))])
    connection.set_schema_to_public()
    noor, noor_contact = member_of(office_a, "noor@firm.example", firm, "Noor")
    olga, _ = member_of(office_a, "olga@example.com", None, "Olga")
    piet, _ = member_of(office_a, "piet@other.example", other_firm, "Piet")
    with in_office(office_a):
        own = services.invoice_send(invoice=draft_for(noor_contact, "80"))  # Noor's own invoice
    connection.set_schema_to_public()
    firm_account = company_account(office_a, firm)
    stranger, _ = office_b.portal_client("noor@firm.example", first_name="Noor")  # same email, office B

    listed = noor.get("/invoices/").content.decode()
    assert f"Invoice {billed.number}" in listed and f"Invoice {own.number}" in listed
    assert f"Invoice {billed.number}" in firm_account.get("/invoices/").content.decode()
    for browser in (noor, firm_account):
        page = browser.get(f"/invoices/{billed.pk}/")
        assert page.status_code == 200 and "€605" in page.content.decode()
        pdf = browser.get(f"/invoices/{billed.pk}/pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
        paying = browser.post(f"/invoices/{billed.pk}/pay")
        assert paying.status_code == 302 and paying["Location"].startswith(
            stripe_fake.fake.base_url + "/pay/"
        )
        assert browser.get(f"/invoices/{draft.pk}/").status_code == 404  # a draft is nobody's yet
    assert firm_account.get(f"/invoices/{own.pk}/").status_code == 404  # Noor's own is hers alone

    for outsider in (olga, piet):
        assert f"Invoice {billed.number}" not in outsider.get("/invoices/").content.decode()
        for method, path in pages(billed):
            assert getattr(outsider, method)(path).status_code == 404, (path, method)
    for method, path in pages(billed):
        assert getattr(stranger, method)(path).status_code == 404, (path, method)
    sessions = [r for r in stripe_fake.fake.requests if r[1] == "/v1/checkout/sessions"]
    assert len(sessions) == 2  # only Noor and the company reached Stripe


def test_a_client_who_leaves_the_company_no_longer_sees_its_invoices(office_a):
    with in_office(office_a):
        firm = Company.objects.create(name="Firm BV", email="accounts@firm.example")
        billed = company_invoice(firm, "100")
    connection.set_schema_to_public()
    noor, contact = member_of(office_a, "noor@firm.example", firm, "Noor")
    assert noor.get(f"/invoices/{billed.pk}/").status_code == 200
    with in_office(office_a):
        contact.company = None
        contact.save()
    connection.set_schema_to_public()
    for method, path in pages(billed):
        assert getattr(noor, method)(path).status_code == 404, (path, method)
