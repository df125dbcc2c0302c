"""What Portico's API layer costs per request: seed 002's config endpoint against a bare DRF view.

    .venv/bin/python bench/api.py [--seconds 4] [--rounds 3] [--clients 4] [--workers 2] [--samples 2000]

One gunicorn server (``--workers`` sync workers, production settings ``benchkit.settings_api``:
Redis cache, per-token limits counted in Redis) serves, on the office's host
``api-bench.<PORTICO_BASE_DOMAIN>``, both

* ``config``: ``GET /api/v1/client-portal/config`` with ``Authorization: Bearer <API key>`` —
  API-key authentication, the per-token rate limit (INCR in Redis), the plan's limit, the portal
  configuration and the RateLimit headers;
* ``bare``: ``GET /bench/bare``, a DRF ``APIView`` with no authentication, permissions or
  throttles answering ``{"ok": true}`` — the same server, middleware and tenant routing.

The office is on a plan of its own (``bench-api``, 10,000,000 requests a minute), so no request
is refused; a new API key is issued for each run and revoked at its end. A load generator (wrk
when installed, else Python processes; see ``benchkit.loadgen``) drives each path for
``--seconds`` per round, alternating which goes first; the median round counts.

``ratelimit_p50_ms`` is measured in this process: the median time of one
``portal_core.api.ratelimit.hit`` call against the same Redis, over ``--samples`` calls.
``config_queries_per_request`` is counted in this process too (Django's test client, warm caches).

The database is ``portico_bench_api`` (``PORTICO_BENCH_DATABASE_URL`` overrides it), the cache
Redis database 13 (``PORTICO_BENCH_REDIS_URL``) and the rate-limit counters Redis database 11
(``PORTICO_BENCH_RATELIMIT_REDIS_URL``), apart from the database 13 in which the tests count
theirs. Progress goes to stderr; the last line of stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchkit import env as bench_env  # noqa: E402
from benchkit.gunicorn import Server, get  # noqa: E402
from benchkit.loadgen import LoadGenerator  # noqa: E402

SETTINGS = "benchkit.settings_api"
DATABASE = "portico_bench_api"
RATELIMIT_REDIS_DB = 11
SLUG = "api-bench"
PLAN_CODE = "bench-api"
PLAN_LIMIT = 10_000_000
CONFIG = "/api/v1/client-portal/config"
BARE = "/bench/bare"
QUERY_SAMPLE = 200


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=4.0, help="load per round and path (default 4)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per path (default 3)")
    parser.add_argument("--clients", type=int, default=4, help="load-generating processes (default 4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--samples", type=int, default=2000, help="ratelimit.hit calls timed (default 2000)")
    return parser.parse_args()


def ratelimit_redis_url() -> str:
    """``PORTICO_BENCH_RATELIMIT_REDIS_URL``, else the bench's Redis server, database 11."""
    explicit = os.environ.get("PORTICO_BENCH_RATELIMIT_REDIS_URL")
    if explicit:
        return explicit
    return urlunsplit(urlsplit(bench_env.bench_redis_url())._replace(path=f"/{RATELIMIT_REDIS_DB}"))


def bench_office_ensure() -> tuple[object, str]:
    """The office ``api-bench`` on the plan ``bench-api``; returns (tenant, host)."""
    import secrets

    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django_q.brokers import get_broker

    from tenants.models import Plan, Tenant
    from tenants.services import tenant_provision

    plan, _ = Plan.objects.update_or_create(
        code=PLAN_CODE, defaults={"name": "Bench API", "api_requests_per_minute": PLAN_LIMIT}
    )
    tenant = Tenant.objects.filter(slug=SLUG, status=Tenant.Status.ACTIVE).first()
    if tenant is None:
        bench_env.log(f"provisioning the office “{SLUG}”")
        tenant = tenant_provision(
            office_name="API Bench Office",
            slug=SLUG,
            owner_name="Bench Owner",
            email=f"owner@{SLUG}.example",
            password_hash=make_password(secrets.token_urlsafe(16)),
            plan=plan,
        ).tenant
        get_broker().purge_queue()  # the pool top-up it enqueued; no worker runs here
        connection.set_schema_to_public()
    if tenant.plan_id != plan.pk:
        tenant.plan = plan
        tenant.save(update_fields=["plan"])
    return tenant, f"{SLUG}.{settings.PORTICO_BASE_DOMAIN}"


def check_in_process(host: str, headers: dict[str, str]) -> float:
    """Both paths answer as expected in-process; returns SQL statements per warm config request."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=host, **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()})
    response = client.get(CONFIG)
    if response.status_code != 200 or "data" not in response.json():
        raise RuntimeError(
            f"{host}{CONFIG} answered {response.status_code} in-process: {response.content[:300]!r}"
        )
    if response["RateLimit-Policy"] != f'"default";q={PLAN_LIMIT};w=60':
        raise RuntimeError(f"unexpected limit: {response['RateLimit-Policy']}")
    bare = Client(HTTP_HOST=host).get(BARE)
    if bare.status_code != 200 or bare.json() != {"ok": True}:
        raise RuntimeError(f"{host}{BARE} answered {bare.status_code} in-process")
    with CaptureQueriesContext(connection) as warm:
        for _ in range(QUERY_SAMPLE):
            if client.get(CONFIG).status_code != 200:
                raise RuntimeError(f"{host}{CONFIG} failed in-process")
    return len(warm.captured_queries) / QUERY_SAMPLE


def ratelimit_p50_ms(samples: int) -> float:
    """Median wall time of one ``ratelimit.hit`` (a pipelined INCR + EXPIRE in Redis), in ms."""
    from portal_core.api import ratelimit

    token_id = f"bench:probe:{uuid.uuid4().hex}"
    ratelimit.hit(token_id, limit=PLAN_LIMIT)  # connect first
    timings = []
    for _ in range(samples):
        started = time.perf_counter()
        ratelimit.hit(token_id, limit=PLAN_LIMIT)
        timings.append(time.perf_counter() - started)
    client = ratelimit._redis_client()
    if client is None:
        raise RuntimeError("the rate limiter has no Redis: set PORTICO_RATELIMIT_REDIS_URL")
    for key in client.scan_iter(f"portico:ratelimit:api:{token_id}:*"):
        client.delete(key)
    return statistics.median(timings) * 1000


def check_server(server: Server, host: str, headers: dict[str, str]) -> None:
    status, body = get(server.port, host, CONFIG, headers)
    if status != 200 or "data" not in json.loads(body):
        raise RuntimeError(f"{CONFIG} answered {status}: {body[:300]!r}\n{server.log_tail()}")
    status, body = get(server.port, host, BARE)
    if status != 200 or json.loads(body) != {"ok": True}:
        raise RuntimeError(f"{BARE} answered {status}: {body[:300]!r}\n{server.log_tail()}")


def measure(args: argparse.Namespace, environ: dict, host: str, headers: dict[str, str]) -> dict:
    rps: dict[str, list[float]] = {"config": [], "bare": []}
    paths = {"config": (CONFIG, headers), "bare": (BARE, None)}
    loadgen = LoadGenerator(args.clients)
    bench_env.log(f"load generator: {loadgen.name}")
    server = None
    with tempfile.TemporaryDirectory(prefix="portico-bench-api-") as log_dir:
        try:
            server = Server("api", SETTINGS, args.workers, environ, Path(log_dir))
            server.wait_ready(host)
            check_server(server, host, headers)
            for path, extra in paths.values():  # warm every worker (imports, caches, connections)
                loadgen.run(server.port, host, path, 1.0, extra)
            for round_number in range(args.rounds):
                order = ("config", "bare") if round_number % 2 == 0 else ("bare", "config")
                for name in order:
                    path, extra = paths[name]
                    value, failed = loadgen.run(server.port, host, path, args.seconds, extra)
                    if failed:
                        raise RuntimeError(f"{name}: {failed} request(s) failed:\n{server.log_tail()}")
                    rps[name].append(value)
                    bench_env.log(f"  round {round_number + 1}/{args.rounds} {name}: {value:.0f} req/s")
        finally:
            if server is not None:
                server.stop()
            loadgen.close()
    return rps


def main() -> None:
    args = parse_args()
    bench_env.put_on_path()
    sys.path.insert(0, str(bench_env.ROOT))  # the package webhooks/ before the script bench/webhooks.py
    environ = bench_env.bench_environ(
        SETTINGS, database=DATABASE, PORTICO_RATELIMIT_REDIS_URL=ratelimit_redis_url()
    )
    import django

    django.setup()
    from tenants.models import ApiKey
    from tenants.services import api_key_create, api_key_revoke

    with contextlib.redirect_stdout(sys.stderr):
        bench_env.prepare_database(environ)
        tenant, host = bench_office_ensure()
        issued = api_key_create(tenant=tenant, name="bench/api.py")
        try:
            headers = {"Authorization": f"Bearer {issued.secret}"}
            queries = check_in_process(host, headers)
            bench_env.log(f"config: {queries} queries per warm request")
            p50 = ratelimit_p50_ms(args.samples)
            bench_env.log(f"ratelimit.hit p50: {p50:.3f} ms over {args.samples} calls")
            rps = measure(args, environ, host, headers)
        finally:
            api_key_revoke(api_key=ApiKey.objects.get(pk=issued.api_key.pk))
    config_rps = statistics.median(rps["config"])
    bare_rps = statistics.median(rps["bare"])
    print(
        json.dumps(
            {
                "config_rps": round(config_rps, 1),
                "bare_rps": round(bare_rps, 1),
                "ratio": round(config_rps / bare_rps, 3),
                "ratelimit_p50_ms": round(p50, 3),
                "config_queries_per_request": queries,
            }
        )
    )


if __name__ == "__main__":
    main()
