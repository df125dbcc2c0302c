"""At least once, for real: a django-q2 worker cluster killed mid-batch, a receiver failing 30% of
attempts, and still every event ends delivered, each delivery verified with ``standardwebhooks``."""

from __future__ import annotations

import os
import signal
import time

import pytest
from django.db import connection
from django_tenants.utils import schema_context
from standardwebhooks import Webhook

from webhooks.models import WebhookDelivery
from webhooks.services import endpoint_create, event_emit
from webhooks.tasks import deliveries_due

from ..test_queue import _env, worker_start

EVENTS = 40


def _open_deliveries(office) -> int:
    with schema_context(office.schema_name):
        return WebhookDelivery.objects.exclude(status=WebhookDelivery.Status.SUCCEEDED).count()


def _wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.mark.django_db(transaction=True)
def test_every_event_is_delivered_after_a_worker_dies_mid_batch(office_a, receiver, clock, settings):
    receiver.delay = 0.05
    receiver.fail_ratio = 0.3
    settings.PORTICO_TASKS_EAGER = False  # the events' first attempts wait in the real queue
    with schema_context(office_a.schema_name):
        endpoint = endpoint_create(url=receiver.url, description="Flaky CRM")
        events = [event_emit(type="contact.created", data={"contact": {"id": n}}).id for n in range(EVENTS)]
    connection.set_schema_to_public()

    env = {**_env("orm", settings), "PORTICO_WEBHOOKS_ALLOW_PRIVATE": "1", "PORTICO_QUEUE_WORKERS": "2"}
    worker = worker_start(env)
    try:
        started = _wait_for(lambda: len(receiver.requests) >= EVENTS // 4, 60)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)  # the cluster and its workers, mid-batch
        worker.wait(timeout=10)
    assert started, "the worker delivered nothing within a minute"
    time.sleep(0.3)  # a request cut off by the kill may still be landing
    left = _open_deliveries(office_a)
    assert 0 < left < EVENTS, "the worker was not stopped mid-batch"

    # What the scheduled sweeper does after the crash: deliveries whose worker died are queued
    # again once they are stale, failed ones when their retry is due (the clock moves instead of
    # the test waiting hours). The test suite runs enqueued work inline.
    settings.PORTICO_TASKS_EAGER = True
    for _ in range(12):
        if not _open_deliveries(office_a):
            break
        clock.advance(hours=1)
        deliveries_due()
    assert _open_deliveries(office_a) == 0

    delivered = {}
    for request in receiver.requests:
        payload = Webhook(endpoint.secret).verify(request.body, request.headers)  # raises if forged
        if request.status == 200:
            delivered[request.headers["webhook-id"]] = payload["data"]["contact"]["id"]
    assert set(delivered) == set(events)
    assert sorted(delivered.values()) == list(range(EVENTS))
    failures = sum(1 for request in receiver.requests if request.status != 200)
    assert failures >= EVENTS * 0.15, "the receiver was meant to fail about 30% of attempts"
    with schema_context(office_a.schema_name):
        assert WebhookDelivery.objects.filter(attempt_count__gt=1).exists()
