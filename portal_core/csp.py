"""Content-Security-Policy on every page, with a fresh nonce per request for Portico's own scripts,
plus ``Permissions-Policy``. A view that needs one more source (a map embed) asks for it with
:func:`csp_allow`; the office's listed websites may frame the portal (``frame-ancestors``, set by
:mod:`portal_core.embedding`)."""

from __future__ import annotations

import secrets

BASE = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    # htmx adds its indicator styles, and pages carry the office's brand colours inline
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "media-src": ["'self'", "blob:"],
    "frame-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
}
PERMISSIONS_POLICY = (
    "camera=(), geolocation=(), microphone=(self), payment=(self), usb=(), "
    "magnetometer=(), gyroscope=(), accelerometer=(), interest-cohort=()"
)


def csp_nonce(request) -> str:
    request = getattr(request, "_request", request)  # a DRF request: the Django one underneath
    nonce = getattr(request, "_csp_nonce", None)
    if nonce is None:
        nonce = request._csp_nonce = secrets.token_urlsafe(18)
    return nonce


def csp_allow(request, directive: str, *sources: str) -> None:
    """Let this response's page use ``sources`` for ``directive`` (e.g. a map's ``frame-src``)."""
    request = getattr(request, "_request", request)
    extra = getattr(request, "_csp_extra", None)
    if extra is None:
        extra = request._csp_extra = {}
    extra.setdefault(directive, []).extend(sources)


def policy_for(request) -> str:
    directives = {key: list(values) for key, values in BASE.items()}
    nonce = getattr(request, "_csp_nonce", None)
    if nonce:
        directives["script-src"].append(f"'nonce-{nonce}'")
    for directive, sources in (getattr(request, "_csp_extra", None) or {}).items():
        directives.setdefault(directive, []).extend(
            source for source in sources if source not in directives[directive]
        )
    return "; ".join(f"{key} {' '.join(values)}" for key, values in directives.items())


def nonce_context(request) -> dict:
    """Templates' ``csp_nonce`` (made on first use)."""
    from django.utils.functional import SimpleLazyObject

    return {"csp_nonce": SimpleLazyObject(lambda: csp_nonce(request))}


class ContentSecurityPolicyMiddleware:
    """Adds the page's policy in front of any ``frame-ancestors`` already set; JSON and files get
    the policy too (it costs nothing and stops a served file from running scripts)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        existing = response.get("Content-Security-Policy", "")
        if "default-src" not in existing:
            policy = policy_for(request)
            response["Content-Security-Policy"] = f"{policy}; {existing}" if existing else policy
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
