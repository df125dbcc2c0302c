"""Helpers to build absolute URLs on a tenant's host."""

from django.conf import settings


def tenant_url(request, host: str, path: str) -> str:
    """``path`` on ``host`` with the scheme and port of the running server."""
    scheme = "https" if request.is_secure() else settings.PORTICO_SCHEME
    port = request.get_port()
    default = {"http": "80", "https": "443"}[scheme]
    netloc = host if port in ("", default) else f"{host}:{port}"
    return f"{scheme}://{netloc}{path}"


def office_host(slug: str) -> str:
    return f"{slug}.{settings.PORTICO_BASE_DOMAIN}"
