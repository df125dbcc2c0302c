"""The landing page: pricing from the plans, and "Sign in to your office", which finds a person's
offices by their email without saying whether the email is known: the links go by email."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from tenants.models import Plan
from tenants.services import tenant_suspend

from ..conftest import PLATFORM_HOST

pytestmark = pytest.mark.django_db


@pytest.fixture
def platform():
    """The platform host, its sign-in limits counted afresh (they are kept between runs)."""
    from tenants import signin_policy

    signin_policy.counting._cache().clear()
    return Client(HTTP_HOST=PLATFORM_HOST)


def _staff(office, email: str, *, active: bool = True) -> None:
    with schema_context(office.schema_name):
        get_user_model().objects.create(
            username=email, email=email, is_staff=True, is_active=active, password="!"
        )
    connection.set_schema_to_public()


def test_the_landing_page_shows_the_plans_prices_and_the_way_back_in(platform):
    Plan.objects.filter(code="starter").update(monthly_price="29.00")
    Plan.objects.filter(code="professional").update(monthly_price="99.50", price_currency="USD")
    html = platform.get("/").content.decode()
    starter = html.index('data-plan="starter"')
    professional = html.index('data-plan="professional"')
    assert starter < professional  # cheapest first
    assert "€29" in html and "$99.50" in html and "Up to 2,000 client accounts" in html
    assert "3 custom domains" in html and "Sign in to your office" in html
    Plan.objects.filter(code="professional").update(monthly_price=None)  # not for sale: not shown
    assert 'data-plan="professional"' not in platform.get("/").content.decode()


def test_it_emails_the_links_of_every_office_the_person_works_at(platform, make_office):
    alpha, bravo, charlie = make_office("alpha"), make_office("bravo"), make_office("charlie")
    _staff(bravo, "sam@agency.example")
    _staff(charlie, "sam@agency.example", active=False)  # left that office
    answer = platform.post("/find-office/", {"email": alpha.owner_email.upper()}, follow=True)
    assert answer.redirect_chain == [("/#sign-in", 302)]
    assert "we have emailed it a link" in answer.content.decode()
    [sent] = mail.outbox
    assert sent.to == [alpha.owner_email] and "Alpha Realty" in sent.body
    assert "http://alpha.portico.localhost/office/login/" in sent.body
    assert "Bravo" not in sent.body

    mail.outbox.clear()
    platform.post("/find-office/", {"email": "sam@agency.example"})
    [sent] = mail.outbox
    links = re.findall(r"http://\S+/office/login/", sent.body)
    assert links == ["http://bravo.portico.localhost/office/login/"]  # not the office Sam left
    assert sent.alternatives and "Bravo Realty" in sent.alternatives[0][0]


def _page(response, email: str) -> str:
    """The page with what differs on every request (CSRF token, CSP nonce) and the email left out."""
    html = re.sub(r'(csrfmiddlewaretoken" value|nonce)="[^"]+"', "", response.content.decode())
    return html.replace(email, "EMAIL")


def test_an_unknown_email_gets_the_same_answer_and_no_email(platform, make_office):
    office = make_office("alpha")
    known = platform.post("/find-office/", {"email": office.owner_email}, follow=True)
    mail.outbox.clear()
    unknown = platform.post("/find-office/", {"email": "nobody@example.com"}, follow=True)
    assert mail.outbox == []
    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain
    assert _page(known, office.owner_email) == _page(unknown, "nobody@example.com")


def test_a_suspended_office_and_a_client_account_are_not_offered(platform, make_office):
    office = make_office("alpha")
    browser, _ = office.portal_client("client@example.com")  # a client of the office, not staff
    platform.post("/find-office/", {"email": "client@example.com"})
    assert mail.outbox == [] or all("client@example.com" not in m.to for m in mail.outbox)
    mail.outbox.clear()
    tenant_suspend(tenant=office.tenant, reason="Unpaid")
    platform.post("/find-office/", {"email": office.owner_email})
    assert mail.outbox == []


@pytest.mark.parametrize("email", ["", "not-an-email", "a@b" + "c" * 300 + ".example"])
def test_it_explains_what_is_not_an_email(platform, email):
    answer = platform.post("/find-office/", {"email": email})
    assert answer.status_code == 400 and mail.outbox == []
    assert "Your work email" in answer.content.decode()
    assert platform.get("/find-office/")["Location"] == "/#sign-in"
