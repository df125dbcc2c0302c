"""The office's invoice pages: the list's filters, totals, chart and exports; the editor's live
totals; recording a payment, refunding (manual, and by card through the fake Stripe), part
payments chosen by the client, duplicates; the panels on contact and company pages; the set-up
checklist's "Connect Stripe"; and strangers kept out of every new page."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from modules.invoices import services
from modules.invoices.models import Invoice
from portal_core.models import Company, Contact, PortalAccount
from portal_core.payments.models import Payment
from tests.invoices.test_invoices import draft_for, switched
from tests.portal_core.test_payments import connected, stripe_fake  # noqa: F401 (fixture)

D = Decimal


def in_office(office):
    return schema_context(office.schema_name)


def page(client, path, **kwargs) -> str:
    response = client.get(path, **kwargs)
    assert response.status_code == 200, (path, response.status_code)
    return response.content.decode()


def sent(contact, *prices, tax="0", due: date | None = None) -> Invoice:
    invoice = services.invoice_send(invoice=draft_for(contact, *prices, tax=tax))
    if due is not None:
        Invoice.objects.filter(pk=invoice.pk).update(due_date=due)
        invoice.refresh_from_db()
    return invoice


def record(office, capture, invoice, amount, method="bank_transfer"):
    with in_office(office), capture(execute=True):
        services.invoice_payment_record(
            invoice=invoice, amount=D(amount), method=method, paid_on=timezone.localdate()
        )
    connection.set_schema_to_public()


@pytest.fixture
def office_a(office_a, django_capture_on_commit_callbacks):
    switched(office_a, django_capture_on_commit_callbacks)
    return office_a


@pytest.fixture
def books(office_a, django_capture_on_commit_callbacks):
    """Kim has an open and an overdue invoice, Ada (at Acme) a paid one; one draft."""
    with in_office(office_a):
        acme = Company.objects.create(name="Acme BV", email="billing@acme.example")
        kim = Contact.objects.create(first_name="Kim", last_name="Jansen", email="kim@example.com")
        ada = Contact.objects.create(
            first_name="Ada", last_name="Berg", email="ada@example.com", company=acme
        )
        open_ = sent(kim, "100")
        overdue = sent(kim, "250", due=timezone.localdate() - timedelta(days=3))
        paid = sent(ada, "80")
        company_invoice = services.invoice_send(
            invoice=services.invoice_create(
                company=acme, lines=[services.LineInput("Retainer", D(1), D("500"), D(0))]
            )
        )
        draft = draft_for(kim, "5")
    connection.set_schema_to_public()
    record(office_a, django_capture_on_commit_callbacks, paid, "80")
    return {
        "kim": kim, "ada": ada, "acme": acme, "open": open_, "overdue": overdue, "paid": paid,
        "company": company_invoice, "draft": draft,
    }  # fmt: skip


def rows(html: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'<tr data-invoice="(\d+)"', html)}


def test_the_list_filters_by_status_client_and_overdue_and_shows_the_totals_and_chart(office_a, books):
    staff = office_a.staff_client()
    html = page(staff, "/office/invoices/")
    assert rows(html) == {i.pk for k, i in books.items() if isinstance(i, Invoice)}
    totals = html[html.index('id="invoice-totals"') : html.index('id="received-chart"')]
    assert "€850" in totals  # outstanding: 100 + 250 + 500
    assert "€250" in totals  # overdue
    assert "€80" in totals  # paid this month
    month = timezone.localdate().strftime("%Y-%m")
    assert f'data-month="{month}" data-amount="80.000"' in html and html.count('<rect class="bar') == 12
    assert rows(page(staff, "/office/invoices/?status=overdue")) == {books["overdue"].pk}
    assert rows(page(staff, "/office/invoices/?status=paid")) == {books["paid"].pk}
    assert rows(page(staff, "/office/invoices/?q=jansen")) == {
        books["open"].pk,
        books["overdue"].pk,
        books["draft"].pk,
    }
    assert rows(page(staff, f"/office/invoices/?company={books['acme'].pk}")) == {books["company"].pk}
    assert "No invoices match" in page(staff, "/office/invoices/?q=nobody")


def test_the_chart_reads_well_before_the_first_payment(office_a):
    chart = page(office_a.staff_client(), "/office/invoices/")
    chart = chart[chart.index('id="received-chart"') : chart.index("</figure>")]
    ticks = re.findall(r'<span class="chart-y__tick">([^<]*)</span>', chart)
    assert ticks == ["", "€0"]  # no scale above nothing; the base in money like the rest
    assert "No payments received in these 12 months yet." in chart


def test_the_accountant_gets_invoices_and_payments_as_csv(office_a, books):
    staff = office_a.staff_client()
    response = staff.get("/office/invoices/export/invoices.csv?status=overdue")
    assert response["Content-Type"].startswith("text/csv") and "attachment" in response["Content-Disposition"]
    table = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [(r["number"], r["client"], r["status"], r["total"], r["balance"]) for r in table] == [
        (books["overdue"].number, "Kim Jansen", "overdue", "250.00", "250.00")
    ]
    everything = b"".join(staff.get("/office/invoices/export/invoices.csv").streaming_content).decode(
        "utf-8-sig"
    )
    assert len(list(csv.DictReader(io.StringIO(everything)))) == 4  # drafts are not books
    payments = b"".join(staff.get("/office/invoices/export/payments.csv").streaming_content).decode(
        "utf-8-sig"
    )
    [row] = list(csv.DictReader(io.StringIO(payments)))
    assert (row["invoice"], row["client"], row["method"], row["amount"], row["net"]) == (
        books["paid"].number, "Ada Berg", "bank_transfer", "80.00", "80.00"
    )  # fmt: skip


def editor_form(**overrides) -> dict:
    form = {
        "contact": "",
        "company": "",
        "currency": "EUR",
        "discount_percent": "",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-0-description": "Valuation",
        "lines-0-quantity": "1",
        "lines-0-unit_price": "250",
        "lines-0-tax_rate": "21",
        "lines-1-description": "Photos",
        "lines-1-quantity": "2",
        "lines-1-unit_price": "49.95",
        "lines-1-tax_rate": "9",
    }
    return {**form, **overrides}


def test_the_editor_shows_live_totals_keeps_what_was_typed_and_edits_a_draft(office_a, books):
    staff = office_a.staff_client()
    live = staff.post("/office/invoices/totals", editor_form(discount_percent="10"), HTTP_HX_REQUEST="true")
    html = live.content.decode()
    # 250 + 99.90 = 349.90, less 10 %: 225.00 + 89.91 net; tax 47.25 (21 %) + 8.09 (9 %)
    assert 'data-figure="subtotal">€349.90' in html and 'data-figure="discount">−€34.99' in html
    assert "Tax 21 %" in html and "Tax 9 %" in html and 'data-figure="total"><strong>€370.25' in html
    more = staff.post(
        "/office/invoices/new/", editor_form(contact=books["kim"].pk, add_line="1")
    ).content.decode()
    assert 'name="lines-2-description"' in more and 'value="Photos"' in more and 'value="49.95"' in more
    assert "Draft saved" not in more
    refused = staff.post("/office/invoices/new/", editor_form()).content.decode()
    assert "Choose a contact or a company" in refused and 'value="Valuation"' in refused
    saved = staff.post(
        f"/office/invoices/{books['draft'].pk}/edit/",
        editor_form(company=books["acme"].pk, **{"lines-1-description": ""}),
        follow=True,
    ).content.decode()
    assert "Draft saved" in saved
    with in_office(office_a):
        draft = Invoice.objects.get(pk=books["draft"].pk)
        assert (draft.company_id, draft.contact_id, draft.total) == (books["acme"].pk, None, D("302.50"))
    connection.set_schema_to_public()
    closed = staff.get(f"/office/invoices/{books['paid'].pk}/edit/", follow=True).content.decode()
    assert "Only a draft can be changed" in closed


def test_the_office_records_a_payment_and_refunds_it(office_a, books, django_capture_on_commit_callbacks):
    staff = office_a.staff_client()
    invoice = books["open"]
    url = f"/office/invoices/{invoice.pk}"
    too_much = staff.post(f"{url}/payments", {"amount": "150", "method": "cash", "paid_on": date.today()})
    assert "At most the balance" in too_much.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = staff.post(
            f"{url}/payments",
            {"amount": "40", "method": "cheque", "paid_on": date.today(), "note": "No. 1234"},
            follow=True,
        ).content.decode()
    assert "Cheque of €40 recorded." in done and "No. 1234" in done
    assert "Partly paid" in page(staff, f"{url}/")
    with in_office(office_a):
        payment = Payment.objects.get(module="invoices", reference=str(invoice.pk))
    connection.set_schema_to_public()
    with django_capture_on_commit_callbacks(execute=True):
        refunded = staff.post(f"{url}/payments/{payment.pk}/refund", {"amount": "15"}, follow=True)
    assert "Refund recorded." in refunded.content.decode()
    with in_office(office_a):
        assert Invoice.objects.get(pk=invoice.pk).amount_paid == D("25.00")
    connection.set_schema_to_public()
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(f"{url}/payments/{payment.pk}/refund", {"amount": ""}, follow=True)
    with in_office(office_a):
        back = Invoice.objects.get(pk=invoice.pk)
        assert (back.status, back.amount_paid) == ("sent", D("0"))
        assert Payment.objects.get(pk=payment.pk).status == "refunded"


def test_a_card_payment_is_refunded_in_part_through_stripe(
    office_a,
    stripe_fake,  # noqa: F811 (the fixture)
    django_capture_on_commit_callbacks,
):
    connected(office_a, stripe_fake)
    client, account = office_a.portal_client()
    with in_office(office_a):
        invoice = sent(PortalAccount.objects.get(pk=account.pk).contact, "100")
    connection.set_schema_to_public()
    session = client.post(f"/invoices/{invoice.pk}/pay")["Location"].rsplit("/", 1)[1]
    stripe_fake.fake.pay(session)
    with django_capture_on_commit_callbacks(execute=True):
        assert stripe_fake.flush() == [200]
    with in_office(office_a):
        payment = Payment.objects.get(module="invoices", reference=str(invoice.pk))
    connection.set_schema_to_public()
    staff = office_a.staff_client()
    answer = staff.post(
        f"/office/invoices/{invoice.pk}/payments/{payment.pk}/refund", {"amount": "30"}, follow=True
    )
    assert "Refund sent to Stripe" in answer.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert stripe_fake.flush() == [200]
    with in_office(office_a):
        after = Invoice.objects.get(pk=invoice.pk)
        assert (after.status, after.amount_paid) == ("partially_paid", D("70.00"))
    assert "(€30 refunded)" in page(staff, f"/office/invoices/{invoice.pk}/")


def test_a_client_pays_a_deposit_then_the_rest(
    office_a,
    stripe_fake,  # noqa: F811 (the fixture)
    django_capture_on_commit_callbacks,
):
    connected(office_a, stripe_fake)
    client, account = office_a.portal_client()
    with in_office(office_a):
        invoice = sent(PortalAccount.objects.get(pk=account.pk).contact, "1000")
    connection.set_schema_to_public()
    staff = office_a.staff_client()
    bad = staff.post(
        f"/office/invoices/{invoice.pk}/part-payments", {"deposit": "percent", "deposit_value": "100"}
    )
    assert "less than 100 percent" in bad.content.decode()
    ok = staff.post(
        f"/office/invoices/{invoice.pk}/part-payments",
        {"deposit": "percent", "deposit_value": "30"},
        follow=True,
    )
    assert "may now pay this invoice in parts" in ok.content.decode()
    html = page(client, f"/invoices/{invoice.pk}/")
    assert "at least €300 now, up to the €1,000 left" in html
    refused = client.post(f"/invoices/{invoice.pk}/pay", {"amount": "299.99"})
    assert refused.status_code == 400 and "Pay at least €300 and at most €1,000." in refused.content.decode()
    to_stripe = client.post(f"/invoices/{invoice.pk}/pay", {"amount": "300"})
    session = stripe_fake.fake.objects[to_stripe["Location"].rsplit("/", 1)[1]]
    assert session["amount_total"] == 30000
    stripe_fake.fake.pay(session["id"])
    with django_capture_on_commit_callbacks(execute=True):
        assert stripe_fake.flush() == [200]
    assert session["success_url"].endswith(f"/invoices/{invoice.pk}/paid?session={{CHECKOUT_SESSION_ID}}")
    back = page(client, f"/invoices/{invoice.pk}/paid?session={session['id']}")
    assert "your payment of €300 has arrived" in back and "Left to pay: €700" in back
    html = page(client, f"/invoices/{invoice.pk}/")
    assert "at least €300 now, up to the €700 left" in html
    rest = client.post(f"/invoices/{invoice.pk}/pay", {"amount": "700"})
    stripe_fake.fake.pay(rest["Location"].rsplit("/", 1)[1])
    with django_capture_on_commit_callbacks(execute=True):
        assert stripe_fake.flush() == [200]
    with in_office(office_a):
        assert Invoice.objects.get(pk=invoice.pk).status == "paid"
    receipts = [m for m in mail.outbox if m.subject.startswith("Receipt")]
    assert [m.subject for m in receipts] == [
        f"Receipt: €300 for invoice {invoice.number}",
        f"Receipt: €700 for invoice {invoice.number}",
    ]
    assert "Left to pay: €0" in receipts[1].body


def test_duplicate_send_email_and_void_answer_with_a_message(
    office_a, books, django_capture_on_commit_callbacks
):
    staff = office_a.staff_client()
    copy = staff.post(f"/office/invoices/{books['overdue'].pk}/duplicate", follow=True)
    assert f"A copy of {books['overdue'].number} is saved as a new draft." in copy.content.decode()
    with in_office(office_a):
        new = Invoice.objects.exclude(pk__in=[i.pk for i in books.values() if isinstance(i, Invoice)]).get()
        assert (new.status, new.number, new.total, new.contact_id) == (
            "draft",
            "",
            D("250.00"),
            books["kim"].pk,
        )
    connection.set_schema_to_public()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sent_page = staff.post(f"/office/invoices/{new.pk}/send", follow=True).content.decode()
    assert "emailed to them" in sent_page
    [email] = mail.outbox  # one email: the office's Send, with the PDF attached
    assert email.to == ["kim@example.com"] and email.subject.startswith("Invoice ")
    assert f"/invoices/{new.pk}/" in email.body
    with in_office(office_a):
        number = Invoice.objects.get(pk=new.pk).number
    connection.set_schema_to_public()
    assert [(name, kind) for name, _content, kind in email.attachments] == [
        (f"invoice-{number}.pdf", "application/pdf")
    ]


def test_contact_and_company_pages_show_an_invoices_panel(office_a, books):
    staff = office_a.staff_client()
    contact_page = page(staff, f"/office/contacts/{books['kim'].pk}/")
    panel = contact_page[contact_page.index('data-module-panel="invoices:invoices"') :]
    assert "2 open" in panel and "€350 to pay" in panel and "1 overdue" in panel
    assert f"/office/invoices/?contact={books['kim'].pk}" in panel
    company_page = page(staff, f"/office/companies/{books['acme'].pk}/")
    panel = company_page[company_page.index('data-module-panel="invoices:invoices"') :]
    assert books["company"].number in panel and "€500 to pay" in panel
    new = page(staff, f"/office/invoices/new/?company={books['acme'].pk}")
    assert f'<option value="{books["acme"].pk}" selected>' in new


def test_the_checklist_asks_to_connect_stripe_while_invoices_are_on(
    office_a,
    stripe_fake,  # noqa: F811 (the fixture)
    django_capture_on_commit_callbacks,
):
    staff = office_a.staff_client()
    assert 'data-item="stripe" data-done="false"' in page(staff, "/office/")
    connected(office_a, stripe_fake)
    assert 'data-item="stripe" data-done="true"' in page(staff, "/office/")
    switched(office_a, django_capture_on_commit_callbacks, on=False)
    assert 'data-item="stripe"' not in page(staff, "/office/")


def test_strangers_never_reach_the_new_pages(office_a, office_b, books, django_capture_on_commit_callbacks):
    invoice, payment_less = books["open"], books["draft"]
    strangers = office_b.staff_client()
    client, _ = office_a.portal_client("other@example.com")
    paths = [
        "/office/invoices/export/invoices.csv",
        "/office/invoices/export/payments.csv",
        "/office/invoices/recurring/",
        "/office/invoices/settings/",
        f"/office/invoices/{payment_less.pk}/edit/",
    ]
    posts = [
        "/office/invoices/totals",
        f"/office/invoices/{invoice.pk}/duplicate",
        f"/office/invoices/{invoice.pk}/payments",
        f"/office/invoices/{invoice.pk}/part-payments",
        f"/office/invoices/{invoice.pk}/recurring",
        f"/office/invoices/{invoice.pk}/payments/1/refund",
    ]
    for path in paths:
        assert strangers.get(path, HTTP_HOST=office_a.host).status_code == 302
        assert client.get(path).status_code == 302
    for path in posts:
        assert strangers.post(path, HTTP_HOST=office_a.host).status_code == 302
        assert client.post(path).status_code == 302
    # Office B's own staff, in office B: none of office A's invoices exists there.
    switched(office_b, django_capture_on_commit_callbacks)
    strangers = office_b.staff_client()
    for path in (f"/office/invoices/{invoice.pk}/", f"/office/invoices/{invoice.pk}/edit/"):
        assert strangers.get(path).status_code == 404
    assert strangers.post(f"/office/invoices/{invoice.pk}/duplicate").status_code == 404
    assert client.post(f"/invoices/{invoice.pk}/pay", {"amount": "1"}).status_code == 404


def test_a_refused_part_payment_leaves_no_draft_behind(office_a, books):
    staff = office_a.staff_client()
    with in_office(office_a):
        before = Invoice.objects.count()
    connection.set_schema_to_public()
    refused = staff.post(
        "/office/invoices/new/", editor_form(contact=books["kim"].pk, deposit="percent", deposit_value="150")
    ).content.decode()
    assert "A part is less than 100 percent." in refused and 'value="Valuation"' in refused
    with in_office(office_a):
        assert Invoice.objects.count() == before
    connection.set_schema_to_public()
    saved = staff.post(
        "/office/invoices/new/",
        editor_form(contact=books["kim"].pk, deposit="amount", deposit_value="50"),
        follow=True,
    ).content.decode()
    assert "Draft saved" in saved
    with in_office(office_a):
        draft = Invoice.objects.latest("id")
        assert (draft.deposit, draft.deposit_value, draft.total) == ("amount", D("50.000"), draft.total)


def test_the_office_sees_what_is_overdue_and_when_the_next_reminder_goes(office_a, books):
    staff = office_a.staff_client()
    home = page(staff, "/office/")
    nav = home[home.index('id="office-nav"') :]
    assert re.search(r'href="/office/invoices/"[^>]*>\s*Invoices\s*<span class="nav-count"[^>]*>1<', nav), (
        nav[:3000]
    )
    with in_office(office_a):
        due = Invoice.objects.get(pk=books["open"].pk).due_date
    connection.set_schema_to_public()
    detail = page(staff, f"/office/invoices/{books['open'].pk}/")
    assert f"Next: {(due - timedelta(days=3)).day} " in detail and "before the due date" in detail
