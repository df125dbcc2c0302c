"""Invoice numbers: the office's pattern (``{YYYY}-{seq:04}`` by default), starting again each year
or running on, given when an invoice is first sent, unique and without gaps, also when two sends
race on two database connections."""

from __future__ import annotations

import threading
import time
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django_tenants.utils import schema_context

from modules.invoices import clock, services
from modules.invoices.models import Invoice, NumberSequence
from portal_core.models import Contact
from tests.invoices.test_invoices import draft_for, switched

D = Decimal


@pytest.fixture
def office_a(office_a, django_capture_on_commit_callbacks):
    switched(office_a, django_capture_on_commit_callbacks)
    return office_a


def in_office(office):
    return schema_context(office.schema_name)


def settings_of(**changes):
    terms = services.invoice_terms_get()
    return services.invoice_terms_change(
        remind_days_before=terms.remind_days_before,
        remind_on_due_date=terms.remind_on_due_date,
        remind_days_after=terms.remind_days_after,
        **changes,
    )


def send_on(monkeypatch, day: date, contact) -> str:
    monkeypatch.setattr(clock, "today", lambda: day)
    return services.invoice_send(invoice=draft_for(contact, "10")).number


def test_numbers_follow_the_pattern_and_start_again_each_year(office_a, monkeypatch):
    with in_office(office_a):
        kim = Contact.objects.create(first_name="Kim")
        assert send_on(monkeypatch, date(2026, 12, 30), kim) == "2026-0001"  # the default pattern
        settings_of(number_pattern="INV-{YY}{MM}/{seq:03}")
        assert send_on(monkeypatch, date(2026, 12, 31), kim) == "INV-2612/002"
        assert send_on(monkeypatch, date(2027, 1, 2), kim) == "INV-2701/001"  # a new year, from 1
        assert send_on(monkeypatch, date(2027, 1, 3), kim) == "INV-2701/002"


def test_numbers_run_on_across_years_without_the_yearly_reset(office_a, monkeypatch):
    with in_office(office_a):
        kim = Contact.objects.create(first_name="Kim")
        settings_of(number_pattern="F{seq}", number_reset_yearly=False)
        numbers = [send_on(monkeypatch, day, kim) for day in (date(2026, 12, 31), date(2027, 1, 1))]
        assert numbers == ["F1", "F2"]
        settings_of(number_pattern="{YYYY}-{seq:04}", number_reset_yearly=True)
        assert send_on(monkeypatch, date(2027, 1, 2), kim) == "2027-0001"


def test_a_number_taken_under_an_earlier_pattern_is_passed_over(office_a, monkeypatch):
    with in_office(office_a):
        kim = Contact.objects.create(first_name="Kim")
        assert send_on(monkeypatch, date(2026, 5, 1), kim) == "2026-0001"
        settings_of(number_pattern="{YYYY}-{seq:04}", number_reset_yearly=False)  # a new running sequence
        assert send_on(monkeypatch, date(2026, 5, 2), kim) == "2026-0002"


def test_a_send_that_fails_gives_its_number_back(office_a, monkeypatch):
    with in_office(office_a):
        kim = Contact.objects.create(first_name="Kim")
        first = draft_for(kim, "10")

        def broken(*, invoice):
            raise RuntimeError("the timer could not be set")

        monkeypatch.setattr(services, "overdue_watch", broken)
        with pytest.raises(RuntimeError):
            services.invoice_send(invoice=first)
        assert Invoice.objects.get(pk=first.pk).number == ""
        monkeypatch.undo()
        second = services.invoice_send(invoice=draft_for(kim, "20"))
        assert second.number.endswith("-0001")  # the failed send left no gap


@pytest.mark.parametrize(
    ("pattern", "reset", "message"),
    [
        ("INV-{YYYY}", True, "Put {seq}"),
        ("{seq}-{seq}", False, "Put {seq}"),
        ("{YYYY}-{DD}-{seq:04}", True, "Only {YYYY}"),
        ("{YYYY}-{seq:04}!", True, "letters, digits"),
        ("INV-{seq:04}", True, "need {YYYY} or {YY}"),
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZ-ABCDE{seq:09}", False, "too long"),
    ],
)
def test_a_pattern_that_cannot_number_invoices_is_refused(office_a, pattern, reset, message):
    with in_office(office_a), pytest.raises(ValidationError) as refused:
        settings_of(number_pattern=pattern, number_reset_yearly=reset)
    assert message in " ".join(refused.value.message_dict["number_pattern"])


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("counter", ["none yet", "in use"])
def test_two_sends_at_the_same_moment_get_two_numbers_in_a_row(make_office, monkeypatch, counter):
    """Two connections send two drafts at once; each send holds its transaction open a moment after
    taking its number, so the other has to wait for the counter row (or its creation)."""
    office = make_office("race")
    with in_office(office):
        kim = Contact.objects.create(first_name="Kim")
        if counter == "in use":
            services.invoice_send(invoice=draft_for(kim, "5"))
        drafts = [draft_for(kim, "10"), draft_for(kim, "20")]
    connection.set_schema_to_public()
    taken = services.overdue_watch

    def slow_watch(*, invoice):
        taken(invoice=invoice)
        time.sleep(0.4)  # the number is taken, the transaction still open

    monkeypatch.setattr(services, "overdue_watch", slow_watch)
    barrier, numbers, failures = threading.Barrier(2), [], []

    def send(draft):
        try:
            with in_office(office):
                barrier.wait()
                numbers.append(services.invoice_send(invoice=draft).number)
        except Exception as exc:  # noqa: BLE001 (reported below)
            failures.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(draft,)) for draft in drafts]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert time.monotonic() - started >= 0.8, "the second send did not wait for the first"
    already = 1 if counter == "in use" else 0
    with in_office(office):
        year = clock.today().year
        assert sorted(numbers) == [f"{year}-{already + 1:04d}", f"{year}-{already + 2:04d}"]
        assert NumberSequence.objects.get(year=year).last == already + 2
        assert Invoice.objects.exclude(number="").count() == already + 2
