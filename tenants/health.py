"""Endpoints answered before tenant routing, on every host: ``/healthz`` (alive), ``/readyz``
(database, cache, queue) and ``/internal/tls-ask`` (Caddy's on-demand TLS asks whether to issue a
certificate for a domain; it calls with its own Host header, so this cannot depend on routing)."""

import time

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import JsonResponse

from .routing import generation_cache


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache() -> None:
    cache = caches["platform"]
    token = str(time.time())
    cache.set("readyz", token, 10)
    if cache.get("readyz") != token:
        raise RuntimeError("cache did not return what was stored")


def _check_queue() -> None:
    if settings.Q_CLUSTER.get("redis"):
        from django_q.brokers import get_broker

        if not get_broker().ping():
            raise RuntimeError("queue broker did not answer")
    else:
        from django_q.models import OrmQ

        OrmQ.objects.using(settings.Q_CLUSTER.get("orm", "default")).exists()


CHECKS = {"database": _check_database, "cache": _check_cache, "queue": _check_queue}


def readiness() -> tuple[bool, dict[str, str]]:
    connection.set_schema_to_public()
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
            results[name] = f"error: {exc.__class__.__name__}"
    return all(v == "ok" for v in results.values()), results


class HealthMiddleware:
    """Answers health checks before tenant routing, so they work on every host."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz":
            return JsonResponse({"status": "ok"})
        if request.path == "/internal/tls-ask":
            return tls_ask(request)
        if request.path == "/readyz":
            ready, checks = readiness()
            return JsonResponse(
                {"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503
            )
        return self.get_response(request)


def _load_certificate_hosts(_key) -> frozenset[str]:
    """Every host Caddy may get a certificate for: the platform host and each routed domain of an
    active office (its subdomain, its verified or active custom domains; not one whose records
    changed, which is only served through its grace period on the certificate it has). One query
    per routing generation."""
    from .models import CustomDomain, Domain, Tenant

    connection.set_schema_to_public()
    base = settings.PORTICO_BASE_DOMAIN
    failing = CustomDomain.objects.filter(status=CustomDomain.Status.FAILING).values("domain")
    routed = Domain.objects.filter(verified=True, tenant__status=Tenant.Status.ACTIVE).exclude(
        domain__in=failing
    )
    return frozenset([base, f"www.{base}", *routed.values_list("domain", flat=True)])


certificate_hosts = generation_cache(_load_certificate_hosts)


def tls_ask(request):
    """Answered from memory: no query (once warm) and no DNS look-up, so Caddy's ask is cheap even
    when someone makes up host names to trigger it."""
    domain = (request.GET.get("domain") or "").lower().strip().rstrip(".")
    allowed = bool(domain) and domain in certificate_hosts.get("hosts")
    return JsonResponse({"domain": domain, "allowed": allowed}, status=200 if allowed else 404)
