"""Property: whatever the lines, taxes, discounts, currency and language, the total an invoice shows
on the client's page, in its PDF, in the API and the amount Stripe is asked to charge are the same
to the last minor unit (read back as a client or an integrator reads them: the page's and the
PDF's text parsed in the client's language, the API's decimal string, the Checkout session's
integer amount at the fake Stripe)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation
from django_tenants.utils import schema_context, tenant_context
from hypothesis import HealthCheck, assume, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from modules.invoices import pdf, services
from modules.invoices.models import Invoice
from portal_core.models import PortalAccount
from portal_core.money import from_minor, minor_digits, to_minor
from portal_core.services import module_enable
from tenants.services import api_key_create
from tests.api.conftest import api
from tests.invoices.pdf_text import amount_of, labelled, pdf_text
from tests.portal_core.test_payments import connected, stripe_fake  # noqa: F401 (fixture)

D = Decimal
LANGUAGES = [code for code, _name in settings.LANGUAGES]
CURRENCIES = ["EUR", "USD", "SEK", "PLN", "JPY", "KWD"]  # 2, 0 and 3 decimals


def _decimal(low: str, high: str, places: int):
    return st.decimals(
        min_value=D(low), max_value=D(high), places=places, allow_nan=False, allow_infinity=False
    )


LINE = st.builds(
    services.LineInput,
    description=st.sampled_from(["Valuation", "Photos", "Floor plan", "Viewing", "Advice"]),
    quantity=_decimal("0.001", "250", 3),
    unit_price=_decimal("0.01", "25000", 3),
    tax_rate=st.one_of(st.sampled_from([D(0), D("5.5"), D(9), D(21), D(25)]), _decimal("0", "30", 2)),
    discount_percent=st.one_of(st.just(D(0)), _decimal("0", "100", 2)),
)
INVOICE = st.fixed_dictionaries(
    {
        "lines": st.lists(LINE, min_size=1, max_size=6),
        "currency": st.sampled_from(CURRENCIES),
        "prices_include_tax": st.booleans(),
        "discount_percent": st.one_of(st.just(D(0)), _decimal("0", "60", 2)),
        "language": st.sampled_from(LANGUAGES),
    }
)


@pytest.fixture
def shop(office_a, stripe_fake, django_capture_on_commit_callbacks):  # noqa: F811 (the fixture)
    """Office A with the module on and its Stripe connected; one signed-in client per language."""
    with tenant_context(office_a.tenant), django_capture_on_commit_callbacks(execute=True):
        module_enable(key="invoices")
    connection.set_schema_to_public()
    connected(office_a, stripe_fake)
    clients = {}
    for language in LANGUAGES:
        browser, account = office_a.portal_client(f"{language}@example.com", language=language)
        with schema_context(office_a.schema_name):
            clients[language] = (browser, PortalAccount.objects.get(pk=account.pk).contact)
        connection.set_schema_to_public()
    key = api_key_create(tenant=office_a.tenant, name="Totals").secret
    return office_a, stripe_fake, clients, api(office_a.host, key)


def _label(language: str, text: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


@hypothesis_settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(drawn=INVOICE)
def test_the_page_the_pdf_the_api_and_stripe_agree_on_the_total(shop, drawn):
    office, stripe, clients, integrator = shop
    language = drawn.pop("language")
    browser, contact = clients[language]
    with schema_context(office.schema_name):
        try:
            invoice = services.invoice_create(contact=contact, **drawn)
        except ValueError:  # a document discount the lines cannot carry: refused, nothing to compare
            assume(False)
        assume(invoice.total > 0)
        invoice = services.invoice_send(invoice=invoice)
        printed = pdf_text(pdf.invoice_pdf(Invoice.objects.prefetch_related("lines").get(pk=invoice.pk)))
    connection.set_schema_to_public()
    total, currency = invoice.total, invoice.currency
    assert total == total.quantize(D(1).scaleb(-minor_digits(currency)))  # whole minor units

    label = _label(language, "Total")
    page = browser.get(f"/invoices/{invoice.pk}/").content.decode()
    on_page = page.split(f"{label}</dt><dd><strong>", 1)[1].split("<", 1)[0]
    assert amount_of(on_page, language) == total, (on_page, total)

    assert amount_of(labelled(printed, label), language) == total, (labelled(printed, label), total)

    shown = integrator.get(f"/api/v1/invoices/{invoice.pk}/").json()
    assert D(shown["total"]) == total and shown["currency"] == currency

    to_stripe = browser.post(f"/invoices/{invoice.pk}/pay")
    session = stripe.fake.objects[to_stripe["Location"].rsplit("/", 1)[1]]
    assert session["currency"] == currency.lower()
    assert session["amount_total"] == to_minor(total, currency)
    assert from_minor(session["amount_total"], currency) == D(shown["total"])
