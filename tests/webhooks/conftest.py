"""A real HTTP receiver on 127.0.0.1, a movable clock, and an office to work in."""

from __future__ import annotations

import json
import random
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int = 200

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Records every request; answers from ``replies`` (status, headers, body) in order, then 200
    (or, with ``fail_ratio``, a 500 for that share of requests at random)."""

    url: str = ""
    requests: list[Received] = field(default_factory=list)
    replies: list[tuple[int, dict, bytes]] = field(default_factory=list)
    delay: float = 0.0
    fail_ratio: float = 0.0
    random: random.Random = field(default_factory=lambda: random.Random(20261121))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(self, times: int, status: int = 500, headers: dict | None = None, body: bytes = b"nope"):
        self.replies += [(status, headers or {}, body)] * times

    def events(self) -> list[dict]:
        return [r.json for r in self.requests]

    def types(self) -> list[str]:
        return [r.json["type"] for r in self.requests]


def _handler(receiver: Receiver):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server name
            expected = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(expected)
            if len(body) < expected:  # the sender died mid-request: nothing arrived to act on
                self.close_connection = True
                return
            if receiver.delay:
                time.sleep(receiver.delay)
            with receiver.lock:
                if receiver.replies:
                    status, headers, reply = receiver.replies.pop(0)
                elif receiver.random.random() < receiver.fail_ratio:
                    status, headers, reply = 500, {}, b"flaky"
                else:
                    status, headers, reply = 200, {}, b'{"ok": true}'
                receiver.requests.append(
                    Received(
                        path=self.path,
                        headers={k.lower(): v for k, v in self.headers.items()},
                        body=body,
                        status=status,
                    )
                )
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def receiver(settings):
    settings.PORTICO_WEBHOOKS_ALLOW_PRIVATE = True
    received = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(received))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    received.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    yield received
    server.shutdown()
    server.server_close()


class Clock:
    def __init__(self):
        self.now = timezone.now()

    def __call__(self):
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    """The scheduling clock, moved by hand; jitter off so delays are exact."""
    fake = Clock()
    monkeypatch.setattr("webhooks.clock.now", fake)
    monkeypatch.setattr("webhooks.delivery._jitter", lambda seconds: seconds)
    return fake


@pytest.fixture
def in_office_a(office_a):
    """Run the test body inside office A's schema."""
    with tenant_context(office_a.tenant):
        yield office_a
