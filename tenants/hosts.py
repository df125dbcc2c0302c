"""Absolute URLs on a tenant's host, from a request or from background work."""

from contextvars import ContextVar

from django.conf import settings
from django.db import connection

# The scheme and port of the request being served, so links built deeper down (emails, API
# answers) use the running server's; background work falls back to the settings.
request_origin: ContextVar[tuple[str, str] | None] = ContextVar("request_origin", default=None)


def tenant_url(request, host: str, path: str) -> str:
    """``path`` on ``host`` with the scheme and port of the running server."""
    scheme = "https" if request.is_secure() else settings.PORTICO_SCHEME
    return f"{scheme}://{_netloc(host, scheme, public_port(request))}{path}"


def public_port(request) -> str:
    """The port clients reach this server on. Behind the TLS proxy (production: Caddy) that is the
    proxy's, ``PORTICO_PUBLIC_PORT`` (empty: the scheme's own); served directly (``make run``, the
    tests' live server) the server's own. Never taken from the request's Host header."""
    if settings.SECURE_PROXY_SSL_HEADER and request.is_secure():
        return settings.PORTICO_PUBLIC_PORT
    return request.get_port()


def office_host(slug: str) -> str:
    return f"{slug}.{settings.PORTICO_BASE_DOMAIN}"


def _netloc(host: str, scheme: str, port: str) -> str:
    default = {"http": "80", "https": "443"}.get(scheme)
    return host if not port or port == default else f"{host}:{port}"


def current_base_url() -> str:
    """``scheme://primary-host[:port]`` of the tenant whose schema is active."""
    host = getattr(connection.tenant, "primary_domain", None)
    if not host:  # inside schema_context (tasks, scripts) the tenant is only a schema name
        from .models import Domain

        host = (
            Domain.objects.filter(tenant__schema_name=connection.schema_name, is_primary=True)
            .values_list("domain", flat=True)
            .first()
        )
    return absolute_url(host, "")


def absolute_url(host: str, path: str) -> str:
    """``path`` on ``host``, with the scheme and port of the request being served, else the
    settings' (background work)."""
    scheme, port = request_origin.get() or (settings.PORTICO_SCHEME, settings.PORTICO_PUBLIC_PORT)
    return f"{scheme}://{_netloc(host, scheme, port)}{path}"
