"""Host → tenant resolution with no database query on a warm cache.

Each process keeps a dict of host → route. A generation counter in the shared ``platform``
cache is bumped whenever a tenant or domain changes (see ``signals.py``); a process that sees a
new generation drops its dict. With ``PORTICO_ROUTING_RECHECK_SECONDS`` > 0 the generation is read
at most that often, so a warm request touches neither the database nor the shared cache.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import set_urlconf
from django_tenants.postgresql_backend.base import FakeTenant
from django_tenants.utils import get_public_schema_name

from .hosts import request_origin

GENERATION_KEY = "tenants:routing:generation"
# What ``request.tenant`` is on the platform host (django-tenants' templates expect a schema name).
PLATFORM = FakeTenant(schema_name=get_public_schema_name())


@dataclass(frozen=True)
class Route:
    tenant_id: int
    schema_name: str
    name: str
    slug: str
    status: str
    plan_id: int | None
    primary_host: str

    @cached_property
    def tenant(self):
        """One Tenant instance per route, built without a query and reused by every request."""
        from .models import Tenant

        tenant = Tenant(
            id=self.tenant_id,
            schema_name=self.schema_name,
            name=self.name,
            slug=self.slug,
            status=self.status,
            plan_id=self.plan_id,
        )
        tenant._state.adding = False
        tenant._state.db = "default"
        tenant.primary_domain = self.primary_host
        return tenant


class RouteCache:
    """Process-local routes, dropped when the shared generation moves on."""

    MISSING = object()

    def __init__(self) -> None:
        self._routes: dict[str, Route | None] = {}
        self._generation: object = None
        self._checked_at = 0.0
        self._lock = threading.Lock()

    def _shared_generation(self):
        return caches["platform"].get(GENERATION_KEY, 0)

    def _refresh_generation(self) -> None:
        interval = settings.PORTICO_ROUTING_RECHECK_SECONDS
        now = time.monotonic()
        if interval and now - self._checked_at < interval:
            return
        generation = self._shared_generation()
        self._checked_at = now
        if generation != self._generation:
            with self._lock:
                self._routes = {}
                self._generation = generation

    def get(self, host: str) -> Route | None:
        self._refresh_generation()
        route = self._routes.get(host, self.MISSING)
        if route is self.MISSING:
            route = load_route(host)
            self._routes[host] = route
        return route

    def clear(self) -> None:
        with self._lock:
            self._routes = {}
            self._checked_at = 0.0


routes = RouteCache()


def load_route(host: str) -> Route | None:
    """One query: the verified domain, its tenant and the tenant's primary host."""
    from django.db.models import OuterRef, Subquery

    from .models import Domain, Tenant

    connection.set_schema_to_public()
    primary = Domain.objects.filter(tenant=OuterRef("tenant"), is_primary=True).values("domain")[:1]
    domain = (
        Domain.objects.select_related("tenant")
        .filter(
            domain=host, verified=True, tenant__status__in=[Tenant.Status.ACTIVE, Tenant.Status.SUSPENDED]
        )
        .annotate(primary=Subquery(primary))
        .first()
    )
    if domain is None:
        return None
    tenant = domain.tenant
    return Route(
        tenant_id=tenant.id,
        schema_name=tenant.schema_name,
        name=tenant.name,
        slug=tenant.slug,
        status=tenant.status,
        plan_id=tenant.plan_id,
        primary_host=domain.primary or host,
    )


def invalidate() -> None:
    """Tell every process that routes changed. Called after any tenant or domain change."""
    cache = caches["platform"]
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, int(time.time() * 1000), timeout=None)
    routes.clear()


def request_host(request: HttpRequest) -> str:
    return request.get_host().rsplit(":", 1)[0].lower().rstrip(".")


def is_platform_host(host: str) -> bool:
    base = settings.PORTICO_BASE_DOMAIN
    return host in (base, f"www.{base}")


def wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


class TenantRoutingMiddleware:
    """Picks the schema and URLconf for the request's host."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        scheme = "https" if request.is_secure() else settings.PORTICO_SCHEME
        request_origin.set((scheme, request.get_port()))
        host = request_host(request)
        if is_platform_host(host):
            connection.set_schema_to_public()
            request.tenant = PLATFORM
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
            set_urlconf(request.urlconf)
            return self.get_response(request)

        route = routes.get(host)
        if route is None:
            connection.set_schema_to_public()
            return self.no_such_portal(request, host)
        tenant = route.tenant
        request.tenant = tenant
        _tag_sentry(tenant)
        if route.status == "suspended":
            connection.set_schema_to_public()
            return self.suspended(request, tenant)
        connection.set_tenant(tenant)
        request.urlconf = settings.ROOT_URLCONF
        set_urlconf(request.urlconf)
        return self.get_response(request)

    def no_such_portal(self, request: HttpRequest, host: str) -> HttpResponse:
        if wants_json(request):
            return JsonResponse({"message": "No portal is served at this address."}, status=404)
        return render(request, "tenants/no_such_portal.html", {"host": host}, status=404)

    def suspended(self, request: HttpRequest, tenant) -> HttpResponse:
        if wants_json(request):
            return JsonResponse({"message": "This portal is suspended."}, status=403)
        return render(request, "tenants/suspended.html", {"tenant": tenant}, status=403)


def _tag_sentry(tenant) -> None:
    if settings.SENTRY_DSN:
        import sentry_sdk

        sentry_sdk.get_isolation_scope().set_tag("tenant", tenant.slug)


def is_tenant_request(request: HttpRequest) -> bool:
    return getattr(request, "tenant", PLATFORM) is not PLATFORM
