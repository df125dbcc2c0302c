"""Timed work of invoices, with the clock moved by the test (no sleeping): reminders before, on
and after the due date, in the client's language, each once, none once paid; recurring invoices
issued and sent on their dates until their end."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django_tenants.utils import schema_context

from modules.invoices import clock, services
from modules.invoices.models import Invoice, InvoiceReminder, RecurringInvoice
from portal_core.models import Contact
from portal_core.time_zones import office_time_zone
from tenants.queue import timers_fire
from tests.invoices.test_invoices import draft_for, switched

D = Decimal


@pytest.fixture
def office_a(office_a, django_capture_on_commit_callbacks):
    switched(office_a, django_capture_on_commit_callbacks)
    return office_a


class Clock:
    """The invoices' clock, set by the test; ``run(day)`` moves it to 09:00 that day in the
    office's time zone and fires every timer due by then (the worker, inline)."""

    def __init__(self, monkeypatch, office):
        self.office, self.now = office, None
        monkeypatch.setattr(clock, "now", lambda: self.now or datetime.now(office_time_zone()))

    def run(self, day: date, hour: int = 9) -> int:
        with schema_context(self.office.schema_name):
            self.now = datetime.combine(day, time(hour), tzinfo=office_time_zone())
        fired, _next = timers_fire(now=self.now)
        connection.set_schema_to_public()
        return fired


@pytest.fixture
def worker(monkeypatch, office_a):
    return Clock(monkeypatch, office_a)


def in_office(office):
    return schema_context(office.schema_name)


def subjects() -> list[str]:
    return [m.subject for m in mail.outbox]


def test_reminders_go_before_on_and_after_the_due_date_once_each_in_the_clients_language(
    office_a, worker, django_capture_on_commit_callbacks
):
    with in_office(office_a), django_capture_on_commit_callbacks(execute=True):
        anna = Contact.objects.create(first_name="Anna", email="anna@example.nl", language="nl")
        invoice = services.invoice_send_to_client(invoice=draft_for(anna, "100", tax="0"))
    due = invoice.due_date
    assert subjects() == [f"Factuur {invoice.number} van Alpha Realty"]
    mail.outbox.clear()
    assert worker.run(due - timedelta(days=4)) == 0  # nothing is due yet
    assert worker.run(due - timedelta(days=3)) == 1
    [before] = mail.outbox
    assert before.to == ["anna@example.nl"] and before.subject.startswith(
        f"Factuur {invoice.number} vervalt op"
    )
    assert "Beste Anna" in before.body and "€\xa0100" in before.body
    assert f"/invoices/{invoice.pk}/" in before.body
    assert worker.run(due - timedelta(days=3), hour=10) == 0  # the same day again sends nothing
    with in_office(office_a):
        assert services.reminders_send_due(invoice=invoice) is None  # nor a second worker
    assert worker.run(due) == 1
    assert subjects()[-1] == f"Factuur {invoice.number} vervalt vandaag"
    assert worker.run(due + timedelta(days=7)) == 2  # and the overdue watch of the day after the due date
    assert subjects()[-1] == f"Factuur {invoice.number} is vervallen"
    assert worker.run(due + timedelta(days=30)) == 0
    assert len(mail.outbox) == 3
    with in_office(office_a):
        kinds = list(InvoiceReminder.objects.filter(invoice=invoice).values_list("kind", "skipped"))
        assert kinds == [("before", False), ("on", False), ("after", False)]


def test_reminders_stop_once_paid_and_a_late_worker_sends_only_the_latest(
    office_a, worker, django_capture_on_commit_callbacks
):
    with in_office(office_a), django_capture_on_commit_callbacks(execute=True):
        kim = Contact.objects.create(first_name="Kim", email="kim@example.com")
        paid = services.invoice_send_to_client(invoice=draft_for(kim, "50", tax="0"))
        late = services.invoice_send_to_client(invoice=draft_for(kim, "70", tax="0"))
        services.invoice_payment_record(invoice=paid, amount=D("50"), method="cash", paid_on=clock.today())
    mail.outbox.clear()
    # The worker was away from three days before until a week after the due date: each invoice's
    # reminder timer and overdue watch fire.
    assert worker.run(late.due_date + timedelta(days=8)) == 4
    assert subjects() == [f"Invoice {late.number} is overdue"]
    with in_office(office_a):
        assert not InvoiceReminder.objects.filter(invoice=paid).exists()
        assert list(InvoiceReminder.objects.filter(invoice=late).values_list("kind", "skipped")) == [
            ("before", True), ("on", True), ("after", False)
        ]  # fmt: skip


def test_the_office_chooses_when_reminders_go(office_a, worker, django_capture_on_commit_callbacks):
    with in_office(office_a), django_capture_on_commit_callbacks(execute=True):
        kim = Contact.objects.create(first_name="Kim", email="kim@example.com")
        invoice = services.invoice_send_to_client(invoice=draft_for(kim, "50", tax="0"))
    staff = office_a.staff_client()
    page = staff.get("/office/invoices/settings/").content.decode()
    assert 'value="3"' in page and 'value="7"' in page  # the defaults
    settings = {"number_pattern": "{YYYY}-{seq:04}", "default_currency": "EUR", "payment_terms_days": "14"}
    saved = staff.post(
        "/office/invoices/settings/",
        {**settings, "remind_days_before": "", "remind_days_after": "2"},
        follow=True,
    )
    assert "Invoice settings saved" in saved.content.decode()
    mail.outbox.clear()
    assert worker.run(invoice.due_date - timedelta(days=3)) == 0
    assert worker.run(invoice.due_date) == 0  # no reminder on the day any more
    assert worker.run(invoice.due_date + timedelta(days=2)) == 2  # the reminder and the overdue watch
    assert subjects() == [f"Invoice {invoice.number} is overdue"]


def test_schedule_dates_keep_the_day_of_the_month():
    start = date(2027, 1, 31)
    monthly = [services.next_occurrence(start, "monthly", n) for n in range(4)]
    assert monthly == [date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31), date(2027, 4, 30)]
    assert services.next_occurrence(start, "quarterly", 1) == date(2027, 4, 30)
    assert services.next_occurrence(date(2028, 2, 29), "yearly", 1) == date(2029, 2, 28)
    assert services.next_occurrence(start, "weekly", 2) == date(2027, 2, 14)


def test_a_recurring_invoice_is_issued_and_sent_on_each_date_until_it_ends(
    office_a, worker, django_capture_on_commit_callbacks
):
    with in_office(office_a):
        kim = Contact.objects.create(first_name="Kim", email="kim@example.com")
        source = draft_for(kim, "99", tax="21")
        start = clock.today() + timedelta(days=1)
    connection.set_schema_to_public()
    staff = office_a.staff_client()
    refused = staff.post(
        f"/office/invoices/{source.pk}/recurring",
        {"frequency": "monthly", "start_date": start, "ends": "after", "end_after": ""},
    )
    assert "How many invoices?" in refused.content.decode()
    made = staff.post(
        f"/office/invoices/{source.pk}/recurring",
        {"frequency": "monthly", "start_date": start, "ends": "after", "end_after": "3"},
        follow=True,
    ).content.decode()
    assert "Recurring: every month, the first on" in made and "After 3 invoices" in made
    mail.outbox.clear()
    assert worker.run(start - timedelta(days=1)) == 0
    dates = [services.next_occurrence(start, "monthly", n) for n in range(4)]
    for n, day in enumerate(dates[:3], start=1):
        with django_capture_on_commit_callbacks(execute=True):
            assert worker.run(day) >= 1
        with in_office(office_a):
            issued = Invoice.objects.filter(recurring__isnull=False).order_by("id")
            assert issued.count() == n
            latest = issued.last()
            assert (latest.status, latest.total, latest.issue_date) == ("sent", D("119.79"), day)
    with in_office(office_a):
        numbers = list(
            Invoice.objects.filter(recurring__isnull=False).order_by("id").values_list("number", flat=True)
        )
    sent = [subject for subject in subjects() if " from " in subject]  # (their reminders go too)
    assert sent == [f"Invoice {number} from Alpha Realty" for number in numbers]
    worker.run(dates[3] + timedelta(days=40))
    with in_office(office_a):
        schedule = RecurringInvoice.objects.get()
        assert (schedule.issued, schedule.next_date) == (3, None)
        assert Invoice.objects.filter(recurring=schedule).count() == 3
    assert "Ended" in staff.get("/office/invoices/recurring/").content.decode()


def test_a_schedule_ending_on_a_date_or_stopped_issues_no_more(
    office_a, worker, django_capture_on_commit_callbacks
):
    with in_office(office_a):
        kim = Contact.objects.create(first_name="Kim", email="kim@example.com")
        today = clock.today()
        weekly = services.recurring_create(
            invoice=draft_for(kim, "10"),
            frequency="weekly",
            start_date=today,
            end_on=today + timedelta(days=10),
        )
        stopped = services.recurring_create(
            invoice=draft_for(kim, "20"), frequency="yearly", start_date=today + timedelta(days=1)
        )
    connection.set_schema_to_public()
    staff = office_a.staff_client()
    listing = staff.get("/office/invoices/recurring/").content.decode()
    assert "Every week" in listing and "Every year" in listing
    stop = staff.post(f"/office/invoices/recurring/{stopped.pk}/stop", follow=True)
    assert "The schedule is stopped" in stop.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        worker.run(today + timedelta(days=30))
    with in_office(office_a):
        assert Invoice.objects.filter(recurring=weekly).count() == 2  # today and a week later
        assert not Invoice.objects.filter(recurring=stopped).exists()
        assert RecurringInvoice.objects.get(pk=weekly.pk).next_date is None


def test_timers_do_nothing_while_the_module_is_off(office_a, worker, django_capture_on_commit_callbacks):
    with in_office(office_a), django_capture_on_commit_callbacks(execute=True):
        kim = Contact.objects.create(first_name="Kim", email="kim@example.com")
        invoice = services.invoice_send_to_client(invoice=draft_for(kim, "50", tax="0"))
    switched(office_a, django_capture_on_commit_callbacks, on=False)
    mail.outbox.clear()
    assert worker.run(invoice.due_date + timedelta(days=8)) == 2  # the reminder and the overdue watch
    assert mail.outbox == []


def test_no_reminder_or_recurring_invoice_leaves_while_the_module_is_off_and_both_resume_after(
    office_a, worker, django_capture_on_commit_callbacks
):
    with in_office(office_a), django_capture_on_commit_callbacks(execute=True):
        kim = Contact.objects.create(first_name="Kim", email="kim@example.com", language="nl")
        invoice = services.invoice_send_to_client(invoice=draft_for(kim, "50", tax="0"))
        start = clock.today() + timedelta(days=1)
        weekly = services.recurring_create(
            invoice=draft_for(kim, "20", tax="0"), frequency="weekly", start_date=start
        )
    switched(office_a, django_capture_on_commit_callbacks, on=False)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert worker.run(start) == 1  # the schedule's timer fires …
        assert worker.run(invoice.due_date + timedelta(days=8)) >= 2  # … and the reminders' and the watch's
    assert mail.outbox == []  # … and nothing leaves
    with in_office(office_a):
        assert not Invoice.objects.filter(recurring=weekly).exists()
        assert not InvoiceReminder.objects.filter(invoice=invoice).exists()
        assert RecurringInvoice.objects.get(pk=weekly.pk).issued == 0
    connection.set_schema_to_public()

    switched(office_a, django_capture_on_commit_callbacks, on=True)  # on again: the timers are set again
    day = invoice.due_date + timedelta(days=9)
    with django_capture_on_commit_callbacks(execute=True):
        worker.run(day)
    missed = [d for n in range(10) if (d := services.next_occurrence(start, "weekly", n)) <= day]
    with in_office(office_a):
        issued = list(Invoice.objects.filter(recurring=weekly).order_by("id"))
        assert [(i.status, i.issue_date) for i in issued] == [("sent", day)] * len(missed)  # caught up
        assert InvoiceReminder.objects.filter(invoice=invoice, kind="after", skipped=False).exists()
    assert subjects() == [f"Factuur {invoice.number} is vervallen"] + [
        f"Factuur {i.number} van Alpha Realty" for i in issued
    ]  # in Kim's language
