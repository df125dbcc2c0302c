"""The outbox: events written with the change that caused them, for the endpoints that want
them; endpoints refused at unsafe addresses; the sweeper and its schedule."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django_q.models import OrmQ, Schedule
from django_tenants.utils import schema_context

from portal_core.contacts import contact_create
from portal_core.services import module_enable
from webhooks.catalogue import event_type_names
from webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from webhooks.services import (
    delivery_redeliver,
    endpoint_create,
    endpoint_disable,
    endpoint_enable,
    endpoint_send_test,
    endpoint_update,
    event_emit,
)
from webhooks.tasks import deliveries_due


def _queued() -> int:
    with schema_context("public"):
        return OrmQ.objects.count()


def test_it_rolls_the_outbox_back_with_its_transaction(in_office_a, receiver, settings):
    settings.PORTICO_TASKS_EAGER = False
    endpoint_create(url=receiver.url)
    queued = _queued()
    with pytest.raises(RuntimeError), transaction.atomic():
        contact_create(first_name="Kim", email="kim@example.com")
        assert WebhookEvent.objects.count() == 1 and _queued() == queued + 1
        raise RuntimeError("the change failed after the event was written")
    assert not WebhookEvent.objects.exists() and not WebhookDelivery.objects.exists()
    assert _queued() == queued  # the queued delivery task went with it
    assert receiver.requests == []

    contact = contact_create(first_name="Kim", email="kim@example.com")
    event = WebhookEvent.objects.get()
    assert event.type == "contact.created" and event.payload["contact"]["id"] == contact.pk
    delivery = WebhookDelivery.objects.get(event=event)
    assert delivery.status == WebhookDelivery.Status.PENDING and _queued() == queued + 1
    assert receiver.requests == []  # sent by the worker, after the commit


def test_it_emits_no_event_of_a_switched_off_module(in_office_a, receiver):
    endpoint_create(url=receiver.url)
    assert "notes.note_created" in event_type_names()
    assert event_emit(type="notes.note_created", data={"note": {"id": 1}}) is None
    assert not WebhookEvent.objects.exists() and receiver.requests == []

    module_enable(key="notes")
    assert event_emit(type="notes.note_created", data={"note": {"id": 1}}) is not None
    assert receiver.types() == ["notes.note_created"]


def test_it_sends_each_event_only_to_the_endpoints_that_want_it(in_office_a, receiver):
    everything = endpoint_create(url=receiver.url + "?all")
    contacts_only = endpoint_create(url=receiver.url + "?contacts", event_types=["contact.created"])
    switched_off = endpoint_create(url=receiver.url + "?off")
    endpoint_disable(endpoint=switched_off)
    event_emit(type="contact.created", data={})
    event_emit(type="portal_account.joined", data={})
    paths = sorted((r.path, r.json["type"]) for r in receiver.requests)
    assert paths == [
        ("/hooks?all", "contact.created"),
        ("/hooks?all", "portal_account.joined"),
        ("/hooks?contacts", "contact.created"),
    ]
    assert everything.receives("anything") and not contacts_only.receives("portal_account.joined")


def test_it_writes_nothing_when_no_endpoint_listens(in_office_a):
    assert event_emit(type="contact.created", data={}) is None
    assert not WebhookEvent.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://localhost:8000/hook",
        "http://10.1.2.3/hook",
        "http://192.168.1.10/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:8080/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "http://224.0.0.1/hook",
    ],
)
def test_it_refuses_endpoints_at_internal_addresses(in_office_a, settings, url):
    settings.PORTICO_WEBHOOKS_ALLOW_PRIVATE = False
    with pytest.raises(ValidationError) as refused:
        endpoint_create(url=url)
    assert "url" in refused.value.message_dict
    assert "public addresses" in " ".join(refused.value.message_dict["url"])
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    "url", ["ftp://example.com/x", "file:///etc/passwd", "not a url", "javascript:alert(1)"]
)
def test_it_refuses_urls_that_are_not_http(in_office_a, url):
    with pytest.raises(ValidationError):
        endpoint_create(url=url)


def test_it_refuses_a_host_name_that_resolves_inside(in_office_a, settings, monkeypatch):
    settings.PORTICO_WEBHOOKS_ALLOW_PRIVATE = False
    monkeypatch.setattr(
        "socket.getaddrinfo",
        lambda *a, **k: [(2, 1, 6, "", ("93.184.216.34", 443)), (2, 1, 6, "", ("10.0.0.9", 443))],
    )
    with pytest.raises(ValidationError, match="10.0.0.9"):
        endpoint_create(url="https://mixed.example.com/hook")
    endpoint = None
    monkeypatch.setattr("socket.getaddrinfo", lambda *a, **k: [(2, 1, 6, "", ("93.184.216.34", 443))])
    endpoint = endpoint_create(url="https://public.example.com/hook")
    monkeypatch.setattr("socket.getaddrinfo", lambda *a, **k: [(2, 1, 6, "", ("127.0.0.1", 443))])
    with pytest.raises(ValidationError):
        endpoint_update(endpoint=endpoint, url="https://now-internal.example.com/hook")


def test_it_refuses_unknown_event_types(in_office_a, receiver):
    with pytest.raises(ValidationError, match="Unknown event type"):
        endpoint_create(url=receiver.url, event_types=["contact.created", "contact.exploded"])


def test_it_sends_a_test_event_to_one_endpoint_only(in_office_a, receiver):
    target = endpoint_create(url=receiver.url + "?target")
    endpoint_create(url=receiver.url + "?other")
    event = endpoint_send_test(endpoint=target)
    assert event.type == "webhook.test"
    [request] = receiver.requests
    assert request.path == "/hooks?target" and request.json["data"]["endpoint_id"] == target.pk
    endpoint_disable(endpoint=target)
    with pytest.raises(ValidationError):
        endpoint_send_test(endpoint=target)


def test_it_redelivers_an_event_with_the_same_id(in_office_a, receiver):
    endpoint = endpoint_create(url=receiver.url)
    receiver.fail_next(1, status=410)
    event = event_emit(type="contact.created", data={"n": 1})
    first = WebhookDelivery.objects.get(event=event)
    assert first.status == WebhookDelivery.Status.GAVE_UP
    endpoint.refresh_from_db()
    with pytest.raises(ValidationError):
        delivery_redeliver(delivery=first)
    endpoint_enable(endpoint=endpoint)
    first.refresh_from_db()
    again = delivery_redeliver(delivery=first)
    assert again.pk != first.pk and again.redelivery_of == first
    assert again.status == WebhookDelivery.Status.SUCCEEDED
    assert [r.headers["webhook-id"] for r in receiver.requests] == [event.id, event.id]


def test_it_sweeps_every_active_office_from_the_public_schema(office_a, office_b, receiver, settings):
    settings.PORTICO_TASKS_EAGER = False
    for office in (office_a, office_b):
        with schema_context(office.schema_name):
            endpoint_create(url=receiver.url)
            event_emit(type="contact.created", data={"office": office.slug})
            WebhookDelivery.objects.update(queued_at=None)  # as if the queued task was lost
    settings.PORTICO_TASKS_EAGER = True
    connection.set_schema_to_public()
    assert deliveries_due() == 2
    assert sorted(r.json["data"]["office"] for r in receiver.requests) == ["alpha", "bravo"]
    assert deliveries_due() == 0


def test_it_schedules_the_sweeper_every_minute_in_the_public_schema(db):
    connection.set_schema_to_public()
    schedule = Schedule.objects.get(name="webhooks_deliveries_due")
    assert schedule.func == "webhooks.tasks.deliveries_due"
    assert schedule.schedule_type == Schedule.MINUTES and schedule.minutes == 1 and schedule.repeats == -1


def test_it_trims_each_offices_log_but_keeps_what_is_still_retrying(office_a, office_b, receiver, clock):
    from webhooks.tasks import events_prune

    for office in (office_a, office_b):
        with schema_context(office.schema_name):
            endpoint_create(url=receiver.url)
            event_emit(type="contact.created", data={"n": "old, delivered"})
            receiver.fail_next(1)
            event_emit(type="contact.created", data={"n": "old, still retrying"})
    connection.set_schema_to_public()
    clock.advance(days=31)
    with schema_context(office_a.schema_name):
        event_emit(type="contact.created", data={"n": "recent"})
    connection.set_schema_to_public()

    assert events_prune() == 2  # the old delivered event of each office
    for office, kept in ((office_a, 2), (office_b, 1)):
        with schema_context(office.schema_name):
            assert WebhookEvent.objects.count() == kept
            assert not WebhookEvent.objects.filter(payload__n="old, delivered").exists()
            assert WebhookDelivery.objects.filter(status=WebhookDelivery.Status.FAILED).count() == 1
    schedule = Schedule.objects.get(name="webhooks_events_prune")
    assert schedule.func == "webhooks.tasks.events_prune" and schedule.schedule_type == Schedule.DAILY
