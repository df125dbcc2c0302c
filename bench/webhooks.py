"""Webhook delivery end to end: events emitted in an office, sent by a real worker, verified.

    .venv/bin/python bench/webhooks.py [--events 1000] [--rate 10] [--workers 4] [--timeout 120]

The bench process runs a receiver (``ThreadingHTTPServer`` on 127.0.0.1, a free port) that
answers 500 to every attempt whose arrival counter ``% 10 < 3`` (30 % of attempts, the same
pattern every run) and 200 to the others, after checking each request's signature with the
``standardwebhooks`` package (a bad signature gets 400 and is not counted). A ``manage.py
qcluster`` subprocess (Redis broker, queue ``portico-bench-webhooks``, with the timer loop that
command runs beside the cluster) delivers. Its database is ``<project database>_bench_webhooks``
on the project's server (``portico_bench_webhooks`` by default, so two checkouts with databases
of their own never share one; ``PORTICO_BENCH_DATABASE_URL`` overrides), migrated with
``migrate_schemas`` when behind, with one office (``wh-bench``, made by ``tenant_provision`` and
kept between runs; its endpoints and events are cleared first). Redis: ``PORTICO_BENCH_REDIS_URL``,
else database 13 of ``REDIS_URL`` or ``PORTICO_TEST_REDIS_URL`` (see ``benchkit/env.py``).

Retries: a failed attempt sets a queue timer for its retry, and the worker's timer loop enqueues it
when due, exactly as in production (the minute's sweeper, also running, only catches lost ones).
``webhooks/`` has no setting for the Standard Webhooks schedule, so the bench settings
(``benchkit/settings_webhooks.py``) load a bench-only app, ``benchkit.fast_retries``, whose
``ready()`` replaces ``webhooks.delivery.RETRY_SCHEDULE`` with (0, 5, 1, 1, 2, 2, 3, 3) seconds:
the real 5 s first retry, then the same six more attempts in seconds instead of minutes and hours.

Events are emitted with ``webhooks.services.event_emit`` in the office's schema, in batches of 25
per transaction, paced at ``--rate`` events a second (one endpoint, subscribed to every type).
The default rate stays under what the worker sustains on a small machine (on a loaded 2-CPU box,
4 workers make ~15 attempts a second, ~1.4 attempts an event at 30 % failures); above that,
``first_attempt_p50_ms`` measures the queue's backlog rather than the delivery path.
Before timing, a ``webhook.test`` event proves the worker is up.

Result: ``events``; ``delivered`` (distinct emitted events the receiver accepted with a valid
signature); ``lost`` (``events - delivered`` once every delivery succeeded, or at ``--timeout``
seconds after the last emit); ``first_attempt_p50_ms`` (emit → first attempt's arrival at the
receiver, median; emit time is taken when ``event_emit`` returns, before its batch commits);
``first_attempt_p95_ms``; ``retry_lateness_p95_s`` (a retry's send time minus the time it was due,
``WebhookAttempt.started - due_at``, over every retry; its jitter is in the due time) with
``retry_lateness_p50_s`` and, per attempt number, ``retry_lateness_by_attempt`` (attempt 2 is the
5 s step); ``attempts``, ``failed_attempts``; ``duration_s`` (first emit → last delivery).

Progress goes to stderr; the last line of stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchkit import env as bench_env  # noqa: E402

DATABASE_SUFFIX = "bench_webhooks"
SLUG = "wh-bench"
BATCH = 25
EVENT_TYPE = "contact.created"


def bench_database() -> str:
    """``<project database>_bench_webhooks``: next to the database this checkout uses, not one
    shared by every checkout on the same server."""
    from urllib.parse import urlsplit

    bench_env.put_on_path()
    from config.database import database_url

    project = urlsplit(database_url(bench_env.ROOT)).path.lstrip("/") or "portico"
    return f"{project}_{DATABASE_SUFFIX}"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=1000, help="events to emit (default 1000)")
    parser.add_argument("--rate", type=float, default=10, help="events emitted a second (default 10)")
    parser.add_argument("--workers", type=int, default=4, help="qcluster workers (default 4)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds to wait after emitting")
    args = parser.parse_args()
    if args.events < 1 or args.rate <= 0 or args.workers < 1 or args.timeout <= 0:
        parser.error("--events, --rate, --workers and --timeout must be positive")
    return args


# --- the receiver -------------------------------------------------------------------------------


@dataclass
class Receiver:
    secret: str = ""
    counter: int = 0
    bad_signatures: int = 0
    failed: int = 0
    first_arrival: dict[str, float] = field(default_factory=dict)  # event id → time.time()
    accepted: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _handler(receiver: Receiver):
    from standardwebhooks import Webhook
    from standardwebhooks.webhooks import WebhookVerificationError

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):  # noqa: N802 - the http.server name
            arrived = time.time()
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            headers = {k.lower(): v for k, v in self.headers.items()}
            msg_id = headers.get("webhook-id", "")
            try:
                Webhook(receiver.secret).verify(body, headers)
                valid = True
            except WebhookVerificationError:
                valid = False
            with receiver.lock:
                receiver.counter += 1
                receiver.first_arrival.setdefault(msg_id, arrived)
                if not valid:
                    receiver.bad_signatures += 1
                    status = 400
                elif receiver.counter % 10 < 3:
                    receiver.failed += 1
                    status = 500
                else:
                    receiver.accepted.add(msg_id)
                    status = 200
            reply = b'{"ok": true}' if status == 200 else b'{"error": "try again"}'
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    return Handler


def receiver_start(receiver: Receiver) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/hooks"


# --- the office, the worker -----------------------------------------------------------------------


def office_ready():
    """The bench office (made once), with no endpoints or events left from an earlier run."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django_tenants.utils import tenant_context

    from tenants.models import Tenant
    from tenants.services import tenant_provision
    from webhooks.models import WebhookEndpoint, WebhookEvent

    connection.set_schema_to_public()
    tenant = Tenant.objects.filter(slug=SLUG).first()
    if tenant is None:
        bench_env.log(f"provisioning the office {SLUG}…")
        tenant = tenant_provision(
            office_name="Webhook bench",
            slug=SLUG,
            owner_name="Bench Owner",
            email=f"owner@{SLUG}.example",
            password_hash=make_password(None),
        ).tenant
    with tenant_context(tenant):
        WebhookEndpoint.objects.all().delete()
        WebhookEvent.objects.all().delete()
    connection.set_schema_to_public()
    return tenant


def worker_start(environ: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603
        [sys.executable, str(bench_env.ROOT / "manage.py"), "qcluster"],
        cwd=bench_env.ROOT,
        env=environ,
        stdout=sys.stderr,
        stderr=sys.stderr,
        start_new_session=True,  # its own process group, so its workers can be stopped with it
    )


def worker_stop(worker: subprocess.Popen) -> None:
    """SIGTERM to the cluster's pid; if it (or one of its workers) is still there, kill the group."""
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            worker.wait(timeout=15)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(worker.pid, signal.SIGKILL)  # the group id is the pid (start_new_session)
    with contextlib.suppress(subprocess.TimeoutExpired):
        worker.wait(timeout=5)


def open_deliveries(tenant) -> int:
    from django_tenants.utils import tenant_context

    from webhooks.models import WebhookDelivery
    from webhooks.services import OPEN_STATUSES

    with tenant_context(tenant):
        return WebhookDelivery.objects.filter(status__in=OPEN_STATUSES).count()


def retry_lateness(tenant, emitted: dict[str, float]) -> dict[int, list[float]]:
    """Seconds each retry of the emitted events left after it was due, by attempt number."""
    from django_tenants.utils import tenant_context

    from webhooks.models import WebhookAttempt

    late: dict[int, list[float]] = {}
    with tenant_context(tenant):
        rows = WebhookAttempt.objects.filter(number__gte=2, due_at__isnull=False).values_list(
            "delivery__event_id", "number", "due_at", "started"
        )
        for event_id, number, due_at, started in rows.iterator():
            if event_id in emitted:
                late.setdefault(number, []).append((started - due_at).total_seconds())
    return late


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def wait_for(condition, timeout: float, every: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return condition()


# --- the run ------------------------------------------------------------------------------------


def emit(tenant, count: int, rate: float) -> dict[str, float]:
    """``count`` events, ``BATCH`` per transaction, paced at ``rate`` a second; id → emit time."""
    from django.db import transaction
    from django_tenants.utils import tenant_context

    from webhooks.services import event_emit

    emitted: dict[str, float] = {}
    started = time.monotonic()
    with tenant_context(tenant):
        for first in range(0, count, BATCH):
            pause = started + first / rate - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            with transaction.atomic():
                for n in range(first, min(first + BATCH, count)):
                    event = event_emit(
                        type=EVENT_TYPE,
                        data={"contact": {"id": n + 1, "name": f"Bench {n}", "email": f"b{n}@example.com"}},
                    )
                    emitted[event.pk] = time.time()
            if (first // BATCH) % 10 == 0:
                bench_env.log(f"  emitted {len(emitted)}/{count}")
    return emitted


def run(args: argparse.Namespace, environ: dict[str, str]) -> dict:
    from django.db import connection
    from django_tenants.utils import tenant_context

    from webhooks.services import endpoint_create, endpoint_send_test

    tenant = office_ready()
    receiver = Receiver()
    server, url = receiver_start(receiver)
    with tenant_context(tenant):
        endpoint = endpoint_create(url=url, description="bench receiver")
    receiver.secret = endpoint.secret
    connection.set_schema_to_public()

    worker = worker_start(environ)
    try:
        bench_env.log(f"worker pid {worker.pid} with {args.workers} workers; waiting for a test event…")
        with tenant_context(tenant):
            test_id = endpoint_send_test(endpoint=endpoint).pk
        if not wait_for(lambda: test_id in receiver.accepted, timeout=60):
            raise RuntimeError("the worker did not deliver the test event within 60 s")
        connection.set_schema_to_public()

        bench_env.log(f"emitting {args.events} events at {args.rate:g}/s…")
        started = time.time()
        emitted = emit(tenant, args.events, args.rate)
        connection.set_schema_to_public()
        bench_env.log("waiting for every delivery to succeed…")
        done = wait_for(lambda: open_deliveries(tenant) == 0, timeout=args.timeout, every=0.25)
        connection.set_schema_to_public()
        finished = time.time()
    finally:
        worker_stop(worker)
        server.shutdown()
        server.server_close()

    with receiver.lock:
        delivered = len(receiver.accepted & emitted.keys())
        latencies = [
            (receiver.first_arrival[event_id] - at) * 1000
            for event_id, at in emitted.items()
            if event_id in receiver.first_arrival
        ]
        attempts, failed, bad = receiver.counter, receiver.failed, receiver.bad_signatures
    if not done:
        bench_env.log(f"timed out after {args.timeout:g}s with deliveries still open")
    late = retry_lateness(tenant, emitted)
    every_retry = [seconds for values in late.values() for seconds in values]
    return {
        "events": len(emitted),
        "delivered": delivered,
        "lost": len(emitted) - delivered,
        "first_attempt_p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "first_attempt_p95_ms": (
            round(statistics.quantiles(latencies, n=20)[-1], 1) if len(latencies) > 1 else None
        ),
        "retry_lateness_p50_s": round(statistics.median(every_retry), 3) if every_retry else None,
        "retry_lateness_p95_s": round(_p95(every_retry), 3) if every_retry else None,
        "retry_lateness_by_attempt": {
            str(number): {
                "retries": len(values),
                "p50_s": round(statistics.median(values), 3),
                "p95_s": round(_p95(values), 3),
                "max_s": round(max(values), 3),
            }
            for number, values in sorted(late.items())
        },
        "attempts": attempts,
        "failed_attempts": failed,
        "bad_signatures": bad,
        "duration_s": round(finished - started, 2),
        "workers": args.workers,
        "rate": args.rate,
    }


def main() -> None:
    args = parse_args()
    bench_env.put_on_path()
    environ = bench_env.bench_environ(
        "benchkit.settings_webhooks",
        bench_database(),
        PORTICO_WEBHOOKS_ALLOW_PRIVATE="true",
        PORTICO_TASKS_EAGER="false",
        PORTICO_QUEUE_WORKERS=str(args.workers),
    )
    import django

    django.setup()
    # Migrations and anything else that prints must not land between us and the JSON line.
    with contextlib.redirect_stdout(sys.stderr):
        bench_env.prepare_database(environ)
        result = run(args, environ)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
