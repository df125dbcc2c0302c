"""The per-token limit holds under concurrency: 200 simultaneous requests with one API key within one
minute, against the (threaded) live server, let exactly 60 through (seed 002: “60 requests per
minute per token”), and every answer announces the limit."""

from __future__ import annotations

import http.client
import re
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import redis
from django.conf import settings

from portal_core.api import ratelimit

REQUESTS = 200
THREADS = 20
LIMIT = 60  # the default plan's api_requests_per_minute, as seed 002 documents
PATH = "/api/v1/client-portal/config"
RATELIMIT = re.compile(r'"default";r=(\d+);t=(\d+)')


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


def new_api_key(tenant) -> tuple[str, str]:
    """A key and its prefix: limits count per key under its random prefix (``key:<prefix>``)."""
    from tenants.services import api_key_create

    issued = api_key_create(tenant=tenant, name="Concurrency")
    return issued.secret, issued.api_key.prefix


def wait_for_a_fresh_minute(margin: float = 15.0) -> None:
    """Limits count per clock minute: start with at least ``margin`` seconds of it left."""
    left = ratelimit.WINDOW - time.time() % ratelimit.WINDOW
    if left < margin:
        time.sleep(left + 0.05)


def get(port: int, host: str, key: str) -> Answer:
    """One request on a connection of its own; a transport error becomes status 0 with its text."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(
            "GET", PATH, headers={"Host": host, "Authorization": f"Bearer {key}", "Connection": "close"}
        )
        response = connection.getresponse()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    except OSError as exc:
        return Answer(0, {}, repr(exc).encode())
    finally:
        connection.close()


def test_200_parallel_requests_with_one_token_let_exactly_60_through(live_server, office_a):
    from tenants.models import Plan

    assert Plan.objects.get(pk=office_a.tenant.plan_id).api_requests_per_minute == LIMIT
    port = live_server.thread.port or int(re.search(r":(\d+)$", live_server.url).group(1))
    host = f"{office_a.host}:{port}"
    key, key_prefix = new_api_key(office_a.tenant)
    counters = redis.Redis.from_url(settings.PORTICO_RATELIMIT_REDIS_URL)

    wait_for_a_fresh_minute()
    window = int(time.time() // ratelimit.WINDOW)
    counter = f"portico:ratelimit:api:key:{key_prefix}:{window}"
    assert counters.get(counter) is None
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        answers = list(pool.map(lambda _: get(port, host, key), range(REQUESTS)))
    elapsed = time.monotonic() - started
    assert int(time.time() // ratelimit.WINDOW) == window, f"the burst ({elapsed:.1f}s) crossed a minute"

    statuses = Counter(a.status for a in answers)
    odd = {a.body[:300] for a in answers if a.status not in (200, 429)}
    assert statuses == {200: LIMIT, 429: REQUESTS - LIMIT}, f"{statuses} in {elapsed:.1f}s; {odd}"
    assert int(counters.get(counter)) == REQUESTS  # every request was counted, once

    remaining = []
    for answer in answers:
        assert answer.headers["ratelimit-policy"] == f'"default";q={LIMIT};w={ratelimit.WINDOW}'
        r, t = map(int, RATELIMIT.fullmatch(answer.headers["ratelimit"]).groups())
        assert 1 <= t <= ratelimit.WINDOW
        if answer.status == 200:
            remaining.append(r)
        else:
            assert r == 0
            assert 1 <= int(answer.headers["retry-after"]) <= ratelimit.WINDOW
            assert answer.body.decode().startswith('{"message":"Too many requests')
    # INCR hands out each count exactly once: the 60 admitted requests saw 59, 58, …, 0 left.
    assert sorted(remaining) == list(range(LIMIT))


def test_it_keeps_counting_when_redis_has_lost_the_counting_script(db):
    """After a Redis restart (or SCRIPT FLUSH) the script is loaded again; no request is lost."""
    token = f"test:script:{time.time_ns()}"
    assert ratelimit.hit(token, limit=5).remaining == 4
    url, client, _ = ratelimit._redis
    ratelimit._redis = (url, client, "0" * 40)  # a script the server does not know
    assert ratelimit.hit(token, limit=5).remaining == 3
    assert ratelimit._redis[2] != "0" * 40
    assert ratelimit.hit(token, limit=5).remaining == 2


def test_it_keeps_counting_when_redis_dropped_the_connection(db):
    """A Redis restart closes the kept connection: the next request still counts, once."""
    token = f"test:reconnect:{time.time_ns()}"
    assert ratelimit.hit(token, limit=5).remaining == 4
    client = ratelimit._redis[1]
    killer = redis.Redis.from_url(ratelimit._redis[0])
    killer.client_kill_filter(_id=client.client_id())
    assert ratelimit.hit(token, limit=5).remaining == 3
