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
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.urls import set_urlconf
from django_tenants.postgresql_backend.base import FakeTenant
from django_tenants.utils import get_public_schema_name

from .hosts import office_host, public_port, request_origin, tenant_url

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


class GenerationCache:
    """Process-local values computed by ``loader(key)``, dropped together when the shared generation
    moves on. ``None`` results are kept too (an unknown host stays unknown until a change), unless
    ``keep_missing`` is false (e.g. unknown API keys, which anyone can make up)."""

    MAX_ENTRIES = 20_000

    def __init__(self, loader, *, keep_missing: bool = True) -> None:
        self._loader = loader
        self._keep_missing = keep_missing
        self._values: dict = {}
        self._generation: object = None
        self._checked_at = 0.0
        self._lock = threading.Lock()

    def _shared_generation(self):
        # While Redis is down the cache answers a miss (config.cache): routes then come from the
        # database, each loaded once.
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
                self._values = {}
                self._generation = generation

    def get(self, key):
        self._refresh_generation()
        value = self._values.get(key, _MISSING)
        if value is _MISSING:
            value = self._loader(key)
            if value is not None or self._keep_missing:
                if len(self._values) >= self.MAX_ENTRIES:
                    self._values = {}
                self._values[key] = value
        return value

    def clear(self) -> None:
        with self._lock:
            self._values = {}
            self._checked_at = 0.0


_MISSING = object()
_local_caches: list[GenerationCache] = []


def generation_cache(loader, *, keep_missing: bool = True) -> GenerationCache:
    """A :class:`GenerationCache` that :func:`invalidate` clears in this process at once."""
    local = GenerationCache(loader, keep_missing=keep_missing)
    _local_caches.append(local)
    return local


def _primary_host():
    from django.db.models import OuterRef, Subquery

    from .models import Domain

    return Subquery(Domain.objects.filter(tenant=OuterRef("tenant"), is_primary=True).values("domain")[:1])


def route_of(tenant, primary_host: str) -> Route:
    return Route(
        tenant_id=tenant.id,
        schema_name=tenant.schema_name,
        name=tenant.name,
        slug=tenant.slug,
        status=tenant.status,
        plan_id=tenant.plan_id,
        primary_host=primary_host,
    )


SERVED = ("active", "suspended")


def load_route(host: str) -> Route | None:
    """One query: the verified domain, its tenant and the tenant's primary host."""
    from .models import Domain

    connection.set_schema_to_public()
    domain = (
        Domain.objects.select_related("tenant")
        .filter(domain=host, verified=True, tenant__status__in=SERVED)
        .annotate(primary=_primary_host())
        .first()
    )
    return None if domain is None else route_of(domain.tenant, domain.primary or host)


def load_tenant_route(tenant_id: int) -> Route | None:
    """One query: the tenant (active or suspended) with its primary host, for tokens naming it."""
    from django.db.models import OuterRef, Subquery

    from .models import Domain, Tenant

    primary = Domain.objects.filter(tenant=OuterRef("pk"), is_primary=True).values("domain")[:1]
    tenant = (
        Tenant.objects.filter(pk=tenant_id, status__in=SERVED).annotate(primary=Subquery(primary)).first()
    )
    return None if tenant is None else route_of(tenant, tenant.primary or "")


routes = generation_cache(load_route)
tenant_routes = generation_cache(load_tenant_route)


def invalidate() -> None:
    """Tell every process that routes changed. Called after any tenant or domain change."""
    cache = caches["platform"]
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, int(time.time() * 1000), timeout=None)
    clear_local()


def clear_local() -> None:
    """Drop this process's cached routes, API keys and plan limits."""
    for local in _local_caches:
        local.clear()


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
        request_origin.set((scheme, public_port(request)))
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
        if route.primary_host != host and _redirects_to_primary(request, host, route):
            return HttpResponsePermanentRedirect(
                tenant_url(request, route.primary_host, request.get_full_path())
            )
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
        from .models import Tenant

        # The reason as recorded now (the routing cache may hold the row from before).
        fresh = Tenant.objects.filter(pk=tenant.pk).values("suspension_reason", "suspended_at").first() or {}
        context = {
            "tenant": tenant,
            "reason": fresh.get("suspension_reason", ""),
            "since": fresh.get("suspended_at"),
            # The office's own pages explain why and how to resolve it; its clients are told to
            # contact the office (the reason is for the office, not for its clients).
            "for_office": request.path.startswith("/office/"),
            "support_email": settings.PORTICO_SUPPORT_EMAIL,
        }
        return render(request, "tenants/suspended.html", context, status=403)


def _redirects_to_primary(request: HttpRequest, host: str, route: Route) -> bool:
    """The office's subdomain sends pages to its primary custom domain (the API stays where it is
    called, and only reads are redirected: a 301 would turn a POST into a GET)."""
    return (
        request.method in ("GET", "HEAD")
        and host == office_host(route.slug)
        and not request.path.startswith("/api/")
        and bool(route.primary_host)
    )


def _tag_sentry(tenant) -> None:
    if settings.SENTRY_DSN:
        import sentry_sdk

        sentry_sdk.get_isolation_scope().set_tag("tenant", tenant.slug)


def is_tenant_request(request: HttpRequest) -> bool:
    return getattr(request, "tenant", PLATFORM) is not PLATFORM
