"""Accept, pay the deposit, invoice: the client signs, pays the deposit through Stripe Checkout on
the office's account (the fake Stripe server and the Connect webhook), the proposal counts as
accepted and paid, and the invoices module, where the office has it on, invoices the accepted items
with the deposit counted; with invoices off nothing is invoiced. Without a deposit the invoice
follows the signature."""

from __future__ import annotations

from django.db import connection

from modules.proposals.models import Proposal, ProposalEvent
from portal_core.payments.models import Payment
from tests.portal_core.test_payments import connected, stripe_fake  # noqa: F401 (fixture)

from .helpers import D, in_office, proposal_now, sent_for, sign, switched


def invoices_of(office) -> list:
    from modules.invoices.models import Invoice

    with in_office(office):
        found = list(Invoice.objects.prefetch_related("lines").order_by("id"))
        for invoice in found:
            invoice.line_rows = [(x.description, x.quantity, x.unit_price) for x in invoice.lines.all()]
    connection.set_schema_to_public()
    return found


def pay_deposit(client, proposal, stripe) -> dict:
    to_stripe = client.post(f"/proposals/{proposal.pk}/deposit")
    assert to_stripe.status_code == 302, to_stripe.content[:300]
    session = stripe.fake.objects[to_stripe["Location"].rsplit("/", 1)[1]]
    stripe.fake.pay(session["id"])
    return session


def test_the_deposit_is_paid_by_card_and_the_invoice_of_the_rest_appears(
    office_a,
    stripe_fake,  # noqa: F811 (the fixture)
    django_capture_on_commit_callbacks,
):
    switched(office_a, django_capture_on_commit_callbacks)
    switched(office_a, django_capture_on_commit_callbacks, "invoices")
    connected(office_a, stripe_fake)
    client, account = office_a.portal_client()
    proposal = sent_for(office_a, account)
    with django_capture_on_commit_callbacks(execute=True):
        assert sign(client, proposal).status_code == 302
    assert invoices_of(office_a) == []  # not before the deposit
    page = client.get(f"/proposals/{proposal.pk}/").content.decode()
    assert "Pay €526.35" in page
    session = pay_deposit(client, proposal, stripe_fake)
    assert session["amount_total"] == 52635
    assert client.get(f"/proposals/{proposal.pk}/paid").content.decode().count("being processed") == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert stripe_fake.flush() == [200]
    found = proposal_now(office_a, proposal)
    assert found.deposit_paid_at is not None and not found.awaits_deposit
    assert "Your deposit has arrived" in client.get(f"/proposals/{proposal.pk}/paid").content.decode()
    with in_office(office_a):
        assert ProposalEvent.objects.filter(proposal=proposal, kind="deposit_paid").count() == 1
    connection.set_schema_to_public()

    [invoice] = invoices_of(office_a)
    assert invoice.line_rows == [
        ("Design", D("1"), D("1000")),
        ("Premium hosting", D("1"), D("300")),
        ("Training", D("3"), D("50")),
    ]
    assert (invoice.status, invoice.total, invoice.amount_paid, invoice.balance) == (
        "partially_paid",
        D("1754.50"),
        D("526.35"),
        D("1228.15"),
    )
    assert invoice.po_number == f"Proposal {proposal.pk}" and invoice.contact_id == found.contact_id
    invoices_page = client.get(f"/invoices/{invoice.pk}/").content.decode()
    assert "€1,228.15" in invoices_page
    with in_office(office_a):
        methods = sorted(Payment.objects.values_list("module", "method"))
        assert methods == [("invoices", "deposit"), ("proposals", "card")]
    connection.set_schema_to_public()
    with in_office(office_a):
        carried = Payment.objects.get(module="invoices")
    connection.set_schema_to_public()
    refused = office_a.staff_client().post(
        f"/office/invoices/{invoice.pk}/payments/{carried.pk}/refund", {"amount": ""}, follow=True
    )
    assert "a deposit paid earlier: refund it where it was paid" in refused.content.decode()
    # The same Stripe event again changes nothing: one invoice, one deposit.
    with django_capture_on_commit_callbacks(execute=True):
        stripe_fake.fake.pay(session["id"])
        stripe_fake.flush()
    assert len(invoices_of(office_a)) == 1


def test_with_invoices_off_nothing_is_invoiced_and_the_office_sees_the_accepted_items(
    office_a,
    stripe_fake,  # noqa: F811 (the fixture)
    django_capture_on_commit_callbacks,
):
    switched(office_a, django_capture_on_commit_callbacks)
    connected(office_a, stripe_fake)
    client, account = office_a.portal_client()
    proposal = sent_for(office_a, account)
    with django_capture_on_commit_callbacks(execute=True):
        sign(client, proposal)
    pay_deposit(client, proposal, stripe_fake)
    with django_capture_on_commit_callbacks(execute=True):
        assert stripe_fake.flush() == [200]
    assert proposal_now(office_a, proposal).deposit_paid_at is not None
    assert invoices_of(office_a) == []
    page = office_a.staff_client().get(f"/office/proposals/{proposal.pk}/").content.decode()
    assert "Premium hosting × 1" in page and "paid" in page


def test_without_a_deposit_the_invoice_follows_the_signature(office_a, django_capture_on_commit_callbacks):
    switched(office_a, django_capture_on_commit_callbacks)
    switched(office_a, django_capture_on_commit_callbacks, "invoices")
    client, account = office_a.portal_client()
    proposal = sent_for(office_a, account, deposit="")
    with django_capture_on_commit_callbacks(execute=True):
        assert sign(client, proposal, {"version": "1", "group-0": "1"}).status_code == 302
    [invoice] = invoices_of(office_a)
    assert (invoice.status, invoice.total, invoice.amount_paid) == ("sent", D("1331.00"), D(0))
    assert "Pay" not in client.get(f"/proposals/{proposal.pk}/").content.decode().replace("Payments", "")
    with in_office(office_a):
        assert Proposal.objects.get(pk=proposal.pk).status == "accepted"
    connection.set_schema_to_public()
