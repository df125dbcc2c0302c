"""What host → tenant routing costs per request: the same view with tenancy on and off.

    .venv/bin/python bench/routing.py [--seconds 4] [--rounds 3] [--clients 4] [--workers 2]

Two gunicorn servers (sync workers, production settings, Redis cache) serve ``/bench/ping``, a
JSON view that touches neither the database nor the session:

* ``tenant``: ``benchkit.settings_routing``, requests for ``bench.<PORTICO_BASE_DOMAIN>`` go
  through ``TenantRoutingMiddleware`` to the office ``bench`` (provisioned if missing);
* ``plain``: ``benchkit.settings_routing_plain``, the same settings without that middleware.

A load generator (processes on loopback, one new connection per request, as gunicorn's sync
workers close every connection anyway) drives each server for ``--seconds`` per round; rounds
alternate which server goes first, and the median round counts.

``resolution_queries_per_request`` is measured in this process: Django's test client with the
tenant settings, warm route cache, SQL captured over 200 requests of the ping view.

The database is ``portico_bench`` (``PORTICO_BENCH_DATABASE_URL`` overrides it) and the cache
Redis database 13 (``PORTICO_BENCH_REDIS_URL``). Progress goes to stderr; the last line of
stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchkit import env as bench_env  # noqa: E402
from benchkit.gunicorn import Server, get  # noqa: E402
from benchkit.loadgen import LoadGenerator  # noqa: E402

TENANT_SETTINGS = "benchkit.settings_routing"
PLAIN_SETTINGS = "benchkit.settings_routing_plain"
PING = "/bench/ping"
SLUG = "bench"
QUERY_SAMPLE = 200


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=4.0, help="load per round and server (default 4)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per server (default 3)")
    parser.add_argument("--clients", type=int, default=4, help="load-generating processes (default 4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers per server (default 2)")
    return parser.parse_args()


def bench_tenant_ensure() -> str:
    """The office ``bench`` (claimed from the pool like any sign-up); returns its host."""
    import secrets

    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django_q.brokers import get_broker

    from tenants.models import Tenant
    from tenants.services import tenant_provision

    if not Tenant.objects.filter(slug=SLUG, status=Tenant.Status.ACTIVE).exists():
        bench_env.log(f"provisioning the office “{SLUG}”")
        tenant_provision(
            office_name="Bench Office",
            slug=SLUG,
            owner_name="Bench Owner",
            email=f"owner@{SLUG}.example",
            password_hash=make_password(secrets.token_urlsafe(16)),
        )
        get_broker().purge_queue()  # the pool top-up it enqueued; no worker runs here
        connection.set_schema_to_public()
    return f"{SLUG}.{settings.PORTICO_BASE_DOMAIN}"


def resolution_queries(host: str) -> float:
    """SQL statements per warm request of the ping view on the office's host."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tenants import routing

    client = Client(HTTP_HOST=host)
    routing.routes.clear()
    with CaptureQueriesContext(connection) as cold:
        response = client.get(PING)
    if response.status_code != 200 or response.json() != {"ok": True}:
        raise RuntimeError(f"{host}{PING} answered {response.status_code} in-process")
    bench_env.log(f"cold route cache: {len(cold.captured_queries)} queries for the first request")
    with CaptureQueriesContext(connection) as warm:
        for _ in range(QUERY_SAMPLE):
            if client.get(PING).status_code != 200:
                raise RuntimeError(f"{host}{PING} failed in-process")
    return len(warm.captured_queries) / QUERY_SAMPLE


def check_variants(servers: dict[str, Server], host: str) -> None:
    """Both answer the ping on the office's host; only the tenant server routes by host."""
    from django.conf import settings

    for server in servers.values():
        status, body = get(server.port, host, PING)
        if status != 200 or json.loads(body) != {"ok": True}:
            raise RuntimeError(f"{server.name}: {host}{PING} answered {status}:\n{server.log_tail()}")
    unknown = f"no-such-office.{settings.PORTICO_BASE_DOMAIN}"
    tenant_status = get(servers["tenant"].port, unknown, PING)[0]
    plain_status = get(servers["plain"].port, unknown, PING)[0]
    if (tenant_status, plain_status) != (404, 200):
        raise RuntimeError("the tenant server should refuse an unknown host and the plain one serve it")


def measure(args: argparse.Namespace, environ: dict, host: str) -> dict[str, list[float]]:
    rps: dict[str, list[float]] = {"tenant": [], "plain": []}
    loadgen = LoadGenerator(args.clients)
    servers: dict[str, Server] = {}
    with tempfile.TemporaryDirectory(prefix="portico-bench-") as log_dir:
        try:
            for name, module in (("tenant", TENANT_SETTINGS), ("plain", PLAIN_SETTINGS)):
                servers[name] = Server(name, module, args.workers, environ, Path(log_dir))
            for server in servers.values():
                server.wait_ready(host)
            check_variants(servers, host)
            for server in servers.values():  # warm every worker (imports, route cache, connections)
                loadgen.run(server.port, host, PING, 1.0)
            for round_number in range(args.rounds):
                order = ("tenant", "plain") if round_number % 2 == 0 else ("plain", "tenant")
                for name in order:
                    server = servers[name]
                    value, failed = loadgen.run(server.port, host, PING, args.seconds)
                    if failed:
                        raise RuntimeError(f"{name}: {failed} request(s) failed:\n{server.log_tail()}")
                    rps[name].append(value)
                    bench_env.log(f"  round {round_number + 1}/{args.rounds} {name}: {value:.0f} req/s")
        finally:
            for server in servers.values():
                server.stop()
            loadgen.close()
    return rps


def main() -> None:
    args = parse_args()
    bench_env.put_on_path()
    environ = bench_env.bench_environ(
        TENANT_SETTINGS,
        PORTICO_ROUTING_RECHECK_SECONDS=os.environ.get("PORTICO_ROUTING_RECHECK_SECONDS", "1.0"),
    )
    import django

    django.setup()
    with contextlib.redirect_stdout(sys.stderr):
        bench_env.prepare_database(environ)
        host = bench_tenant_ensure()
        queries = resolution_queries(host)
        bench_env.log(f"warm route cache: {queries} queries per request; load on http://{host}{PING}")
        rps = measure(args, environ, host)
    tenant_rps = statistics.median(rps["tenant"])
    plain_rps = statistics.median(rps["plain"])
    print(
        json.dumps(
            {
                "tenant_rps": round(tenant_rps, 1),
                "plain_rps": round(plain_rps, 1),
                "ratio": round(tenant_rps / plain_rps, 3),
                "resolution_queries_per_request": queries,
            }
        )
    )


if __name__ == "__main__":
    main()
