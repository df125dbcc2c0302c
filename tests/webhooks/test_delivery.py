"""Delivery to a real HTTP receiver: Standard Webhooks signatures, retries sent by their queue
timers, Retry-After, 410, the five-day rule, idempotency and the address check at send time."""

from __future__ import annotations

import socket
import threading
from datetime import timedelta
from email.utils import format_datetime

import pytest
from django.core import mail
from django.db import connection, transaction
from django_tenants.utils import schema_context
from standardwebhooks import Webhook

from tenants.models import QueueTimer
from tenants.queue import timers_fire
from webhooks import delivery as delivery_module
from webhooks.delivery import delivery_attempt, retry_delay
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webhooks.services import endpoint_create, endpoint_secret_rotate, event_emit
from webhooks.tasks import deliveries_due


def _verify(endpoint: WebhookEndpoint, request) -> dict:
    return Webhook(endpoint.secret).verify(request.body, request.headers)


def _sweep(office) -> int:
    """What the scheduled sweeper does, from the public schema."""
    connection.set_schema_to_public()
    try:
        return deliveries_due()
    finally:
        connection.set_tenant(office.tenant)


def _fire(clock) -> int:
    """What the timer loop beside the worker does once the clock has reached a retry's time."""
    fired, _ = timers_fire(now=clock.now)
    return fired


def test_it_delivers_a_signed_event_that_standard_webhooks_verifies(in_office_a, receiver):
    endpoint = endpoint_create(url=receiver.url, description="CRM")
    assert endpoint.secret.startswith("whsec_")
    event = event_emit(type="contact.created", data={"contact": {"id": 7, "name": "Kim Lee"}})

    [request] = receiver.requests
    payload = _verify(endpoint, request)
    assert payload["type"] == "contact.created"
    assert payload["data"] == {"contact": {"id": 7, "name": "Kim Lee"}}
    assert payload["timestamp"].endswith("Z")
    assert request.headers["webhook-id"] == event.id and event.id.startswith("evt_")
    assert request.headers["content-type"] == "application/json"
    assert request.path == "/hooks"
    delivery = WebhookDelivery.objects.get(event=event)
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED and delivery.next_attempt_at is None
    [attempt] = delivery.attempts.all()
    assert attempt.status_code == 200 and attempt.response_excerpt == '{"ok": true}' and not attempt.error
    with pytest.raises(Exception, match="signature"):
        Webhook(endpoint_create(url=receiver.url).secret).verify(request.body, request.headers)


def test_it_signs_with_both_secrets_while_rotating(in_office_a, receiver, clock):
    endpoint = endpoint_create(url=receiver.url)
    old = endpoint.secret
    endpoint = endpoint_secret_rotate(endpoint=endpoint)
    assert endpoint.secret != old and endpoint.previous_secret == old
    event_emit(type="contact.created", data={"n": 1})

    request = receiver.requests[-1]
    signatures = request.headers["webhook-signature"].split(" ")
    assert len(signatures) == 2 and all(s.startswith("v1,") for s in signatures)
    for secret, signature in zip([endpoint.secret, old], signatures, strict=True):
        Webhook(secret).verify(request.body, {**request.headers, "webhook-signature": signature})

    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        previous_secret_expires_at=clock.now - timedelta(seconds=1)
    )
    event_emit(type="contact.created", data={"n": 2})
    request = receiver.requests[-1]
    assert len(request.headers["webhook-signature"].split(" ")) == 1
    Webhook(endpoint.secret).verify(request.body, request.headers)
    with pytest.raises(Exception, match="signature"):
        Webhook(old).verify(request.body, request.headers)


def test_it_retries_on_the_schedule_until_the_receiver_recovers(office_a, in_office_a, receiver, clock):
    endpoint = endpoint_create(url=receiver.url)
    receiver.fail_next(2, status=500, body=b"database down")
    event = event_emit(type="contact.created", data={"id": 1})
    delivery = WebhookDelivery.objects.get(event=event)
    assert delivery.status == WebhookDelivery.Status.FAILED and delivery.attempt_count == 1
    assert delivery.next_attempt_at == clock.now + timedelta(seconds=5)
    endpoint.refresh_from_db()
    assert endpoint.failing_since == clock.now

    [timer] = QueueTimer.objects.all()
    assert (timer.schema_name, timer.func, timer.args) == (
        office_a.schema_name,
        "webhooks.delivery.delivery_attempt",
        [delivery.pk],
    )
    assert timer.due_at == delivery.next_attempt_at

    assert _fire(clock) == 0  # not due yet
    clock.advance(seconds=5)
    assert _sweep(office_a) == 0  # due, and waiting for its timer: not the sweeper's
    assert _fire(clock) == 1
    delivery.refresh_from_db()
    assert delivery.attempt_count == 2 and delivery.next_attempt_at == clock.now + timedelta(minutes=5)
    assert QueueTimer.objects.get().due_at == delivery.next_attempt_at  # the same timer, moved
    clock.advance(minutes=5)
    assert _fire(clock) == 1

    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED and delivery.attempt_count == 3
    assert [a.status_code for a in delivery.attempts.all()] == [500, 500, 200]
    first_due = delivery.created
    assert [a.due_at for a in delivery.attempts.all()] == [
        first_due,
        first_due + timedelta(seconds=5),
        first_due + timedelta(seconds=5, minutes=5),
    ]
    assert not QueueTimer.objects.exists()
    assert delivery.attempts.first().response_excerpt == "database down"
    assert len(receiver.requests) == 3
    assert {r.headers["webhook-id"] for r in receiver.requests} == {event.id}
    for request in receiver.requests:
        _verify(endpoint, request)
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None and endpoint.enabled


def test_it_follows_the_standard_webhooks_schedule_with_jitter():
    expected = [5, 300, 1800, 7200, 18000, 36000, 36000]
    for attempts_made, seconds in enumerate(expected, start=1):
        delay = retry_delay(attempts_made).total_seconds()
        assert seconds * 0.9 <= delay <= seconds * 1.1
    assert retry_delay(8) is None


def test_it_gives_up_after_the_last_attempt(office_a, in_office_a, receiver, clock, monkeypatch):
    monkeypatch.setattr(delivery_module, "RETRY_SCHEDULE", (0, 1, 1))
    endpoint_create(url=receiver.url)
    receiver.fail_next(5, status=503)
    event = event_emit(type="contact.created", data={})
    for _ in range(2):
        clock.advance(seconds=1)
        _fire(clock)
    delivery = WebhookDelivery.objects.get(event=event)
    assert delivery.status == WebhookDelivery.Status.GAVE_UP and delivery.attempt_count == 3
    assert delivery.next_attempt_at is None
    clock.advance(hours=1)
    assert _fire(clock) == 0 and _sweep(office_a) == 0 and len(receiver.requests) == 3


@pytest.mark.parametrize(
    ("retry_after", "attempts_before", "expected_seconds"),
    [
        ("8", 0, 8),  # longer than the 5 s step: honoured
        ("3600", 0, 10),  # capped at twice the step
        ("2", 0, 5),  # shorter than the step: the step
        ("date+9", 0, 9),  # an HTTP date
        ("450", 1, 450),  # after the second attempt the step is 5 minutes
        ("not a date", 0, 5),
    ],
)
def test_it_honours_retry_after(
    office_a, in_office_a, receiver, clock, retry_after, attempts_before, expected_seconds
):
    if retry_after.startswith("date+"):
        retry_after = format_datetime(clock.now + timedelta(seconds=int(retry_after[5:])), usegmt=True)
        clock.now = clock.now.replace(microsecond=0)
    endpoint_create(url=receiver.url)
    receiver.fail_next(attempts_before, status=500)
    receiver.fail_next(1, status=429, headers={"Retry-After": retry_after})
    event = event_emit(type="contact.created", data={})
    if attempts_before:
        clock.advance(seconds=5)
        _fire(clock)
    delivery = WebhookDelivery.objects.get(event=event)
    assert delivery.attempt_count == attempts_before + 1
    assert delivery.next_attempt_at == clock.now + timedelta(seconds=expected_seconds)


def test_it_disables_an_endpoint_that_answers_410_gone(in_office_a, receiver, clock):
    endpoint = endpoint_create(url=receiver.url)
    receiver.fail_next(1, status=410, body=b"gone")
    event = event_emit(type="contact.created", data={})
    endpoint.refresh_from_db()
    assert not endpoint.enabled and "410" in endpoint.disabled_reason
    assert WebhookDelivery.objects.get(event=event).status == WebhookDelivery.Status.GAVE_UP
    assert mail.outbox and mail.outbox[-1].to == [in_office_a.owner_email]
    assert event_emit(type="contact.created", data={}) is None  # nobody listens any more
    assert len(receiver.requests) == 1


def test_it_disables_an_endpoint_failing_for_five_days_and_emails_the_owner(
    office_a, in_office_a, receiver, clock
):
    endpoint = endpoint_create(url=receiver.url, description="Old CRM")
    receiver.fail_next(10, status=500)
    older = event_emit(type="contact.created", data={"n": 1})
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=clock.now - timedelta(days=4))
    clock.advance(seconds=5)
    _fire(clock)
    endpoint.refresh_from_db()
    assert endpoint.enabled and not mail.outbox  # four days: keep trying

    waiting = event_emit(type="contact.created", data={"n": 2})
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        failing_since=clock.now - timedelta(days=5, minutes=1)
    )
    clock.advance(minutes=5)
    _fire(clock)

    endpoint.refresh_from_db()
    assert not endpoint.enabled and "5 days" in endpoint.disabled_reason
    statuses = set(
        WebhookDelivery.objects.filter(event__in=[older, waiting]).values_list("status", flat=True)
    )
    assert statuses == {WebhookDelivery.Status.GAVE_UP}
    [message] = mail.outbox
    assert message.to == [office_a.owner_email]
    assert endpoint.url in message.subject and "Old CRM" in message.body
    sent = len(receiver.requests)
    clock.advance(days=1)
    _fire(clock)
    assert _sweep(office_a) == 0 and len(receiver.requests) == sent


def test_it_keeps_delivery_tasks_out_of_the_queues_task_list(
    office_a, in_office_a, receiver, clock, settings
):
    from django_q.models import OrmQ

    settings.PORTICO_TASKS_EAGER = False
    endpoint_create(url=receiver.url)
    event_emit(type="contact.created", data={})  # the first attempt's task
    receiver.fail_next(1)
    delivery_attempt(WebhookDelivery.objects.get().pk)  # which fails: its retry's timer
    clock.advance(seconds=5)
    _fire(clock)
    with schema_context("public"):
        tasks = [row.task for row in OrmQ.objects.all()]
    assert [task["args"][1] for task in tasks] == ["webhooks.delivery.delivery_attempt"] * 2
    assert all(task["save"] is False for task in tasks)  # the delivery log is their record


def test_a_retrys_timer_goes_with_an_attempt_that_rolls_back(in_office_a, receiver, settings):
    settings.PORTICO_TASKS_EAGER = False
    endpoint_create(url=receiver.url)
    event = event_emit(type="contact.created", data={})
    delivery = WebhookDelivery.objects.get(event=event)
    receiver.fail_next(1)
    with pytest.raises(RuntimeError), transaction.atomic():
        delivery_attempt(delivery.pk)
        assert QueueTimer.objects.get().args == [delivery.pk]  # written with the attempt
        raise RuntimeError("the attempt's transaction fails")
    assert not QueueTimer.objects.exists()
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.PENDING and delivery.attempt_count == 0


def test_it_never_attempts_a_finished_delivery_twice(in_office_a, receiver):
    endpoint_create(url=receiver.url)
    event = event_emit(type="contact.created", data={})
    delivery = WebhookDelivery.objects.get(event=event)
    assert delivery_attempt(delivery.pk) is None
    assert delivery_attempt(delivery.pk) is None
    assert len(receiver.requests) == 1 and WebhookAttempt.objects.filter(delivery=delivery).count() == 1


def test_it_leaves_a_delivery_alone_until_its_retry_is_due(in_office_a, receiver, clock):
    endpoint_create(url=receiver.url)
    receiver.fail_next(1)
    event = event_emit(type="contact.created", data={})
    delivery = WebhookDelivery.objects.get(event=event)
    assert delivery_attempt(delivery.pk) is None  # a duplicated task: the retry is 5 s away
    assert len(receiver.requests) == 1


@pytest.mark.django_db(transaction=True)
def test_it_sends_once_when_two_workers_run_the_same_delivery(office_a, receiver, settings):
    settings.PORTICO_TASKS_EAGER = False
    with schema_context(office_a.schema_name):
        endpoint_create(url=receiver.url)
        event = event_emit(type="contact.created", data={})
        delivery_id = WebhookDelivery.objects.get(event=event).pk
    receiver.delay = 0.5
    results = []

    def work():
        try:
            with schema_context(office_a.schema_name):
                results.append(delivery_attempt(delivery_id))
        finally:
            connection.close()

    workers = [threading.Thread(target=work) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(10)
    assert sorted(results, key=str) == [None, "succeeded"]
    assert len(receiver.requests) == 1
    with schema_context(office_a.schema_name):
        assert WebhookAttempt.objects.filter(delivery_id=delivery_id).count() == 1


def _fake_dns(monkeypatch, table: dict[str, str]):
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in table:
            family = socket.AF_INET6 if ":" in table[host] else socket.AF_INET
            return [(family, socket.SOCK_STREAM, 6, "", (table[host], port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_it_checks_the_address_again_at_send_time(in_office_a, receiver, settings, monkeypatch):
    port = receiver.url.split(":")[2].split("/")[0]
    _fake_dns(monkeypatch, {"hooks.example.com": "93.184.216.34"})
    settings.PORTICO_WEBHOOKS_ALLOW_PRIVATE = False
    endpoint = endpoint_create(url=f"http://hooks.example.com:{port}/hooks")  # public when saved
    _fake_dns(monkeypatch, {"hooks.example.com": "127.0.0.1"})  # … and internal when sent
    event = event_emit(type="contact.created", data={})

    assert receiver.requests == []
    delivery = WebhookDelivery.objects.get(event=event)
    [attempt] = delivery.attempts.all()
    assert attempt.status_code is None and "loopback" in attempt.error
    assert delivery.status == WebhookDelivery.Status.FAILED

    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=receiver.url)  # a literal loopback URL
    event = event_emit(type="contact.created", data={})
    assert receiver.requests == []
    assert "loopback" in WebhookDelivery.objects.get(event=event).attempts.get().error


def test_it_sends_to_the_address_it_checked_with_the_real_host_name(in_office_a, receiver, monkeypatch):
    port = receiver.url.split(":")[2].split("/")[0]
    _fake_dns(monkeypatch, {"hooks.example.com": "127.0.0.1"})
    endpoint = endpoint_create(url=f"http://hooks.example.com:{port}/in?source=portico")
    event_emit(type="contact.created", data={})
    [request] = receiver.requests
    assert request.headers["host"] == f"hooks.example.com:{port}"
    assert request.path == "/in?source=portico"
    _verify(endpoint, request)


def test_it_records_an_unreachable_endpoint(in_office_a, receiver):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    endpoint_create(url=f"http://127.0.0.1:{closed_port}/")
    event = event_emit(type="contact.created", data={})
    [attempt] = WebhookDelivery.objects.get(event=event).attempts.all()
    assert attempt.status_code is None and "Connect" in attempt.error


def test_it_keeps_only_an_excerpt_of_a_long_response(in_office_a, receiver):
    endpoint_create(url=receiver.url)
    receiver.replies.append((500, {}, b"x" * 50_000))
    event = event_emit(type="contact.created", data={})
    attempt = WebhookDelivery.objects.get(event=event).attempts.get()
    assert attempt.response_excerpt == "x" * 2048


def test_it_does_not_follow_redirects(in_office_a, receiver):
    endpoint_create(url=receiver.url)
    receiver.replies.append((302, {"Location": receiver.url + "/elsewhere"}, b""))
    event = event_emit(type="contact.created", data={})
    assert len(receiver.requests) == 1
    delivery = WebhookDelivery.objects.get(event=event)
    assert delivery.status == WebhookDelivery.Status.FAILED and delivery.attempts.get().status_code == 302


def test_it_pins_https_requests_to_the_checked_address_with_the_real_name_for_tls():
    from webhooks.delivery import _pinned_request
    from webhooks.targets import Target

    target = Target(scheme="https", host="hooks.example.com", port=443, address="93.184.216.34")
    url, headers, extensions, auth = _pinned_request(target, "https://me:p%40ss@hooks.example.com/in?a=1")
    assert url == "https://93.184.216.34:443/in?a=1"
    assert headers == {"host": "hooks.example.com"}
    assert extensions == {"sni_hostname": "hooks.example.com"}  # certificate checked for this name
    assert auth == ("me", "p@ss")
    target = Target(scheme="http", host="::1", port=8080, address="::1")
    assert _pinned_request(target, "http://[::1]:8080/")[:3] == (
        "http://[::1]:8080/",
        {"host": "[::1]:8080"},
        {},
    )
