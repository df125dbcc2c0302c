"""The sweeper and the pruning visit only the offices the index of due work names: idle offices cost
nothing each minute, a lost delivery is still found, and work marked during a visit is kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from tenants.due_work import due_mark, due_visit
from tenants.models import DueWork
from tenants.services import tenant_suspend
from webhooks import tasks
from webhooks.due import PRUNE, SWEEP
from webhooks.models import WebhookDelivery, WebhookEvent
from webhooks.services import endpoint_create, event_emit


@pytest.fixture
def visits(monkeypatch):
    """The schemas the sweeper and the pruning look into, in order."""
    seen = []
    sweep, prune = tasks.deliveries_enqueue_due, tasks.events_prune_schema

    def sweep_counted():
        seen.append(("sweep", connection.schema_name))
        return sweep()

    def prune_counted(**kwargs):
        seen.append(("prune", connection.schema_name))
        return prune(**kwargs)

    monkeypatch.setattr(tasks, "deliveries_enqueue_due", sweep_counted)
    monkeypatch.setattr(tasks, "events_prune_schema", prune_counted)
    return seen


def _lost_delivery(office, receiver) -> None:
    """An event whose queued first attempt was lost (a worker died with it)."""
    with schema_context(office.schema_name):
        endpoint_create(url=receiver.url)
        event_emit(type="contact.created", data={"office": office.slug})
        WebhookDelivery.objects.update(queued_at=None)


def _row(office, kind):
    return DueWork.objects.filter(schema_name=office.schema_name, kind=kind).first()


def test_idle_offices_are_not_visited_each_minute(make_office, visits):
    offices = [make_office(f"idle-{n}") for n in range(3)]
    connection.set_schema_to_public()
    tasks.deliveries_due()  # the first run of the hour visits every office (the backstop)
    assert sorted(schema for _, schema in visits) == sorted(o.schema_name for o in offices)
    visits.clear()

    for _ in range(3):
        assert tasks.deliveries_due() == 0
    assert visits == []


def test_a_lost_delivery_is_found_and_only_its_office_is_visited(make_office, receiver, settings, visits):
    quiet, busy = make_office("quiet"), make_office("busy")
    connection.set_schema_to_public()
    tasks.deliveries_due()
    visits.clear()
    settings.PORTICO_TASKS_EAGER = False
    _lost_delivery(busy, receiver)
    settings.PORTICO_TASKS_EAGER = True
    assert _row(busy, SWEEP) is not None and _row(quiet, SWEEP) is None

    connection.set_schema_to_public()
    assert tasks.deliveries_due() == 1
    assert visits == [("sweep", busy.schema_name)]
    assert [r.json["data"]["office"] for r in receiver.requests] == ["busy"]
    assert _row(busy, SWEEP) is None  # nothing open any more: the office leaves the index
    visits.clear()
    assert tasks.deliveries_due() == 0 and visits == []


def test_a_delivery_waiting_for_its_retry_keeps_its_office_due_at_that_time(office_a, receiver, clock):
    with schema_context(office_a.schema_name):
        endpoint_create(url=receiver.url)
        receiver.fail_next(1)
        event_emit(type="contact.created", data={})
        delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.FAILED
    connection.set_schema_to_public()
    tasks.deliveries_due()
    # Not lost until its timer has had its chance: due when it would be stale.
    assert _row(office_a, SWEEP).due_at == delivery.next_attempt_at + tasks.QUEUED_STALE_AFTER


def test_work_marked_during_a_visit_is_not_forgotten(office_a, office_b):
    connection.set_schema_to_public()
    due_mark("test.kind", clock_now := _now(), schema_name=office_a.schema_name)
    later = clock_now + timedelta(minutes=10)

    def visit():
        # Another transaction marks new work while the visit runs.
        due_mark("test.kind", later, schema_name=office_a.schema_name)
        return 0

    due_visit("test.kind", now=clock_now, visit=visit, next_due=lambda: None)

    row = DueWork.objects.get(schema_name=office_a.schema_name, kind="test.kind")
    assert row.due_at == clock_now  # kept: the visit did not drop or move the newer mark


def test_the_hourly_backstop_finds_a_delivery_the_index_lost(office_a, receiver, settings, clock):
    connection.set_schema_to_public()
    tasks.deliveries_due()
    settings.PORTICO_TASKS_EAGER = False
    _lost_delivery(office_a, receiver)
    settings.PORTICO_TASKS_EAGER = True
    DueWork.objects.filter(kind=SWEEP).delete()

    connection.set_schema_to_public()
    assert tasks.deliveries_due() == 0  # within the hour: not visited
    clock.advance(minutes=61)
    assert tasks.deliveries_due() == 1
    assert len(receiver.requests) == 1


def test_pruning_visits_only_offices_with_events_old_enough(make_office, receiver, clock, visits):
    old, recent, idle, suspended = (make_office(slug) for slug in ("old", "recent", "idle", "paused"))
    for office in (old, suspended):
        with schema_context(office.schema_name):
            endpoint_create(url=receiver.url)
            event_emit(type="contact.created", data={"n": "old"})
    clock.advance(days=25)
    with schema_context(recent.schema_name):
        endpoint_create(url=receiver.url)
        event_emit(type="contact.created", data={"n": "recent"})
    connection.set_schema_to_public()
    tenant_suspend(tenant=suspended.tenant, reason="Unpaid invoice")
    clock.advance(days=6)

    connection.set_schema_to_public()
    assert tasks.events_prune() == 2
    assert sorted(schema for kind, schema in visits if kind == "prune") == sorted(
        [old.schema_name, suspended.schema_name]
    )
    with schema_context(old.schema_name):
        assert not WebhookEvent.objects.exists()
    assert _row(old, PRUNE) is None and _row(recent, PRUNE) is not None and _row(idle, PRUNE) is None


def _now():
    from webhooks import clock

    return clock.now()
