"""Retries on time, for real: django-q2 workers (``manage.py qcluster``, with the timer loop beside
them) against a receiver that fails first attempts. A retry is sent within a second and a half of
the time it was due (not by the minute's sweeper), with the database queue and with Redis, and two
workers side by side never send one scheduled attempt twice."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from tenants.models import QueueTimer
from tenants.queue import enqueue
from webhooks.models import WebhookDelivery
from webhooks.services import DELIVERY_TASK, endpoint_create, endpoint_send_test, event_emit

from ..test_queue import _env, worker_start

LATE_AT_MOST = timedelta(seconds=1.5)


def _wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def _open(office) -> int:
    with schema_context(office.schema_name):
        return WebhookDelivery.objects.exclude(status=WebhookDelivery.Status.SUCCEEDED).count()


def _stop(worker: subprocess.Popen) -> None:
    worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)


def _workers_up(office, endpoint, receiver) -> None:
    """A test event delivered proves the workers are running."""
    with schema_context(office.schema_name):
        endpoint_send_test(endpoint=endpoint)
    connection.set_schema_to_public()
    assert _wait_for(lambda: len(receiver.requests) >= 1, 60), "the worker delivered nothing in a minute"
    receiver.requests.clear()


def _assert_retries_on_time(office, events: list[str]) -> None:
    with schema_context(office.schema_name):
        deliveries = list(WebhookDelivery.objects.filter(event_id__in=events).prefetch_related("attempts"))
        assert len(deliveries) == len(events)
        for delivery in deliveries:
            first, retry = delivery.attempts.all()
            assert (first.status_code, retry.status_code) == (500, 200)
            # The backoff counts from the end of the first attempt (a loaded machine makes it longer).
            first_ended = first.started + timedelta(milliseconds=first.duration_ms)
            assert timedelta(seconds=4.5) <= retry.due_at - first_ended <= timedelta(seconds=5.5 + 1)
            late = retry.started - retry.due_at
            assert timedelta(0) <= late < LATE_AT_MOST, f"the retry left {late.total_seconds():.2f}s late"
    assert not QueueTimer.objects.exists()


@pytest.mark.parametrize("broker", ["orm", "redis"])
@pytest.mark.django_db(transaction=True)
def test_a_retry_due_in_five_seconds_leaves_on_time(broker, office_a, receiver, settings, request):
    settings.PORTICO_TASKS_EAGER = False
    if broker == "redis":
        request.getfixturevalue("redis_queue")  # this process enqueues to the worker's Redis
    with schema_context(office_a.schema_name):
        endpoint = endpoint_create(url=receiver.url, description="CRM that hiccups")
    connection.set_schema_to_public()
    env = {**_env(broker, settings), "PORTICO_WEBHOOKS_ALLOW_PRIVATE": "1", "PORTICO_QUEUE_WORKERS": "2"}
    worker = worker_start(env)
    try:
        _workers_up(office_a, endpoint, receiver)
        receiver.fail_next(3)  # every first attempt
        with schema_context(office_a.schema_name):
            events = [event_emit(type="contact.created", data={"contact": {"id": n}}).id for n in range(3)]
        connection.set_schema_to_public()
        assert _wait_for(lambda: _open(office_a) == 0, 30), "the retries did not succeed in 30 s"
    finally:
        _stop(worker)
    _assert_retries_on_time(office_a, events)
    assert Counter(r.headers["webhook-id"] for r in receiver.requests) == {event: 2 for event in events}


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_send_one_scheduled_attempt_twice(office_a, receiver, settings):
    events_count = 24
    settings.PORTICO_TASKS_EAGER = False
    with schema_context(office_a.schema_name):
        endpoint = endpoint_create(url=receiver.url)
    connection.set_schema_to_public()
    env = {**_env("orm", settings), "PORTICO_WEBHOOKS_ALLOW_PRIVATE": "1", "PORTICO_QUEUE_WORKERS": "2"}
    workers = [worker_start(env), worker_start(env)]  # two clusters, two timer loops
    try:
        _workers_up(office_a, endpoint, receiver)
        receiver.fail_next(events_count)
        with schema_context(office_a.schema_name):
            events = [
                event_emit(type="contact.created", data={"contact": {"id": n}}).id
                for n in range(events_count)
            ]
            # Duplicated tasks too, as a lost-and-found sweep would make: still one send each.
            for delivery in WebhookDelivery.objects.filter(event_id__in=events[:8]):
                enqueue(DELIVERY_TASK, delivery.pk)
        connection.set_schema_to_public()
        assert _wait_for(lambda: _open(office_a) == 0, 40), "the retries did not succeed in 40 s"
    finally:
        for worker in workers:
            _stop(worker)
    assert Counter(r.headers["webhook-id"] for r in receiver.requests) == {event: 2 for event in events}
    _assert_retries_on_time(office_a, events)
