"""``seed_demo`` gives the demo client a paid, an open and an overdue invoice (once, however often
it runs), and connects the demo office's Stripe when Stripe is a local stand-in."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from modules.invoices.models import Invoice
from portal_core.payments.models import StripeConnection
from tenants.models import Tenant
from tests.conftest import host_for
from tests.portal_core.test_payments import stripe_fake  # noqa: F401 (fixture)


def test_the_demo_client_has_a_paid_an_open_and_an_overdue_invoice(
    db,
    stripe_fake,  # noqa: F811 (the fixture)
    django_capture_on_commit_callbacks,
):
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("seed_demo", "--json", stdout=StringIO(), stderr=StringIO())
        connection.set_schema_to_public()
    with schema_context(Tenant.objects.get(slug="demo").schema_name):
        invoices = Invoice.objects.filter(contact__email="client@demo.example")
        states = sorted(("overdue" if i.is_overdue else i.status) for i in invoices)
        assert states == ["overdue", "paid", "sent"]
        connected = StripeConnection.objects.get()
        assert connected.status == "active" and connected.account_id in stripe_fake.fake.objects
    connection.set_schema_to_public()
    client = Client(HTTP_HOST=host_for("demo"))
    signed_in = client.post("/auth/signin", {"email": "client@demo.example", "password": "Demo-client-2026!"})
    assert signed_in.status_code == 302
    page = client.get("/invoices/").content.decode()
    assert page.count("data-invoice=") == 3 and "Overdue" in page
