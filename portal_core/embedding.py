"""The office's own websites: allowed to show the portal in an iframe (CSP ``frame-ancestors``) and
to call the client API from the browser (CORS, through django-cors-headers' per-request signal).

Each office lists its origins in its portal settings (seed 000: "CORS Domain Name"). Only the
office's own hosts answer for it: on the platform host no office is known before authentication,
so no origin is allowed there.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

from tenants.routing import is_tenant_request

MAX_ORIGINS = 10
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


def origin_clean(value: str) -> str:
    """``https://www.example.com`` (a scheme and a host, an optional port, nothing else), lower-cased.
    Plain ``http://`` is accepted for local development hosts only."""
    text = value.strip().rstrip("/")
    parts = urlsplit(text)
    try:
        port = parts.port
    except ValueError:
        port = None
        parts = parts._replace(netloc="")
    host = (parts.hostname or "").lower()
    shown = text[:80]
    if parts.scheme not in ("https", "http") or not host or parts.username or parts.password:
        raise ValidationError(f"“{shown}” is not a website address: write it like https://www.example.com.")
    if parts.path or parts.query or parts.fragment:
        raise ValidationError(f"“{shown}”: give the website only, without a path (https://www.example.com).")
    if "*" in host:
        raise ValidationError(f"“{shown}”: list each website; wildcards are not allowed.")
    if parts.scheme == "http" and host not in LOCAL_HOSTS:
        raise ValidationError(f"“{shown}”: use https:// (plain http is only for localhost).")
    netloc = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{netloc}{f':{port}' if port else ''}"


def origins_clean(values) -> list[str]:
    """Every origin checked and normalised, duplicates dropped, in the order given."""
    if isinstance(values, str):
        values = values.replace(",", "\n").splitlines()
    origins, errors = [], []
    for value in values:
        if not str(value).strip():
            continue
        try:
            origin = origin_clean(str(value))
        except ValidationError as error:
            errors.extend(error.messages)
            continue
        if origin not in origins:
            origins.append(origin)
    if len(origins) > MAX_ORIGINS:
        errors.append(f"List at most {MAX_ORIGINS} websites.")
    if errors:
        raise ValidationError(errors)
    return origins


def validate_origins(value) -> None:
    if not isinstance(value, list):
        raise ValidationError("A list of website addresses.")
    origins_clean(value)


def _allowed_origins(request) -> list[str]:
    if not is_tenant_request(request):
        return []
    from .selectors import portal_facts

    return portal_facts().cors_origins


def cors_allowed(sender, request, **kwargs) -> bool:
    """django-cors-headers' ``check_request_enabled``: the request's Origin is one of the office's."""
    origin = request.headers.get("Origin", "")
    if not origin or not request.path.startswith("/api/v1/"):
        return False
    return origin.lower().rstrip("/") in _allowed_origins(request)


class FrameAncestorsMiddleware:
    """Portal pages (not the office's, not the platform's) may be framed by the office's websites:
    ``Content-Security-Policy: frame-ancestors 'self' <origins>`` instead of ``X-Frame-Options``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(("/office/", "/api/", "/admin/")):
            return response
        origins = _allowed_origins(request)
        if origins and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = f"frame-ancestors 'self' {' '.join(origins)}"
            response.headers.pop("X-Frame-Options", None)
            if request.is_secure():
                # A framed portal is a third-party context: its cookies must say so to be sent.
                for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME):
                    if name in response.cookies:
                        response.cookies[name]["samesite"] = "None"
                        response.cookies[name]["secure"] = True
        return response
