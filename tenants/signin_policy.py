"""One sign-in policy for every way in: limits per client IP and per account, counted atomically,
and the same work whether or not an account exists or has a password.

A view that accepts a password, a code or a sign-in token is wrapped in :func:`guarded` (or calls
:func:`check` itself and carries ``signin_policy``); a test walks every URLconf and fails on a view
that takes credentials without it. Per-account limits slow whoever guesses passwords for an
account; the emailed-link ways in (magic link, reset) are limited per link and IP only, and using
one clears the account's count, so the owner always gets in by proving they hold the mailbox."""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.contrib.auth.hashers import check_password, get_hasher, make_password
from django.dispatch import Signal
from django.http import HttpResponse, JsonResponse
from django.utils.translation import ngettext

from . import counting

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limits:
    ip: int
    account: int
    window: int = 300


SURFACES: dict[str, Limits] = {
    "office-login": Limits(ip=30, account=10),
    "office-forgot": Limits(ip=20, account=3),
    "office-reset": Limits(ip=20, account=10),
    "office-welcome": Limits(ip=20, account=10),
    "office-second-factor": Limits(ip=30, account=10),
    "office-password-change": Limits(ip=30, account=10),
    "office-passkey": Limits(ip=30, account=10),
    "admin-login": Limits(ip=20, account=10),
    "admin-second-factor": Limits(ip=20, account=10),
    "client-signin": Limits(ip=30, account=10),
    "client-magic": Limits(ip=20, account=3),
    "client-link": Limits(ip=30, account=10),
    "client-access-link": Limits(ip=60, account=30),
    "client-unsubscribe": Limits(ip=60, account=30),
    "client-forgot": Limits(ip=20, account=3),
    "client-register": Limits(ip=10, account=3),
    "client-register-code": Limits(ip=30, account=10),
    "client-second-factor": Limits(ip=30, account=10),
    "client-password-change": Limits(ip=30, account=10),
    "client-passkey": Limits(ip=30, account=10),
    "api-token": Limits(ip=30, account=10),
    "api-token-refresh": Limits(ip=120, account=60),
    "signup": Limits(ip=10, account=3, window=3600),
    "office-find": Limits(ip=10, account=3, window=3600),
    "signup-code": Limits(ip=30, account=10),
    "signup-confirm": Limits(ip=30, account=10),
}


# Sent when a limit is passed: (request, surface, account); the core writes it to the audit log.
limited = Signal()


class SignInLimited(Exception):
    status = 429
    api_message = "Too many attempts. Try again later."  # API answers are in English

    def __init__(self, retry_after: int, *, surface: str = ""):
        super().__init__(retry_after)
        self.retry_after = retry_after
        self.surface = surface

    def message(self) -> str:
        minutes = max(1, round(self.retry_after / 60))
        return ngettext(
            "Too many attempts. Please wait %(minutes)d minute and try again.",
            "Too many attempts. Please wait %(minutes)d minutes and try again.",
            minutes,
        ) % {"minutes": minutes}


# --- client IP ------------------------------------------------------------------------------------


def _trusted_proxies():
    """``PORTICO_TRUSTED_PROXIES``: a number of proxies in front (``1`` behind Caddy), or a list of
    proxy addresses and networks (``["127.0.0.1", "10.0.0.0/8"]``). Empty: trust no header."""
    value = getattr(settings, "PORTICO_TRUSTED_PROXIES", 0)
    if isinstance(value, str):
        value = value.strip()
        if value.isdigit():
            return int(value)
        value = [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, int):
        return value
    return [ipaddress.ip_network(item, strict=False) for item in value or ()]


def _valid_ip(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_ip(request) -> str:
    """The address of the client: ``REMOTE_ADDR`` unless trusted proxies stand in front, then the
    right-most ``X-Forwarded-For`` entry that was not added by one of them."""
    remote = _valid_ip(request.META.get("REMOTE_ADDR", "")) or "unknown"
    trusted = _trusted_proxies()
    forwarded = [
        part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
    ]
    if not trusted or not forwarded:
        return remote
    if isinstance(trusted, int):
        chain = [*forwarded, remote]
        # the last ``trusted`` hops are proxies; the one before them is the client
        index = len(chain) - 1 - trusted
        candidate = chain[max(0, index)]
        return _valid_ip(candidate) or remote

    def is_proxy(address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in trusted)

    if not is_proxy(remote):
        return remote
    for hop in reversed(forwarded):
        address = _valid_ip(hop)
        if address is None:
            return remote
        if not is_proxy(address):
            return address
    return _valid_ip(forwarded[0]) or remote


def client_address(request) -> str | None:
    """:func:`client_ip`, or None when it is not known (for a GenericIPAddressField)."""
    address = client_ip(request)
    return None if address == "unknown" else address


# --- limits ---------------------------------------------------------------------------------------


class SignInUnavailable(SignInLimited):
    """The shared counters cannot be reached (Redis is down): sign-in fails closed until they are
    back, rather than letting guesses through uncounted."""

    status = 503
    api_message = "Signing in is briefly unavailable. Try again later."

    def message(self) -> str:
        from django.utils.translation import gettext

        return gettext("Signing in is briefly unavailable. Please try again in a minute.")


UNAVAILABLE_RETRY_AFTER = 30


def _counted(scope: str, ident: str, *, window: int, surface: str) -> tuple[int, int]:
    import redis

    try:
        return counting.count(scope, ident, window=window)
    except (redis.exceptions.RedisError, OSError) as exc:
        logger.warning("sign-in refused on %s: the attempt counters cannot be reached (%s)", surface, exc)
        raise SignInUnavailable(UNAVAILABLE_RETRY_AFTER, surface=surface) from exc


def _schema() -> str:
    from django.db import connection

    return getattr(connection, "schema_name", "public")


def check(request, surface: str, *, account: str = "") -> None:
    """Count one attempt on ``surface`` from this client IP (and for ``account`` when given);
    raise :class:`SignInLimited` once a limit is passed."""
    limits = SURFACES[surface]
    schema = _schema()
    ip_count, ip_left = _counted(
        f"signin:{surface}:ip", f"{schema}:{client_ip(request)}", window=limits.window, surface=surface
    )
    if ip_count > limits.ip:
        _tell_limited(request, surface, account)
        raise SignInLimited(ip_left, surface=surface)
    if account:
        count, left = _counted(
            f"signin:{_family(surface)}:account", f"{schema}:{account}", window=limits.window, surface=surface
        )
        if count > limits.account:
            _tell_limited(request, surface, account)
            raise SignInLimited(left, surface=surface)


def _tell_limited(request, surface: str, account: str) -> None:
    limited.send(sender=SignInLimited, request=request, surface=surface, account=account)


def _family(surface: str) -> str:
    """Password guesses on one account are counted together across a person's ways in."""
    if surface in ("office-login", "api-token", "admin-login"):
        return "password"
    if surface in ("client-signin",):
        return "password"
    return surface


def account_proven(account: str) -> None:
    """The owner proved they hold the mailbox (an emailed link): their password count starts over."""
    schema = _schema()
    counting.reset("signin:password:account", f"{schema}:{account}", window=SURFACES["client-signin"].window)


def limited_response(request, exc: SignInLimited) -> HttpResponse:
    status = exc.status
    if request.path.startswith("/api/") or "json" in request.headers.get("Accept", ""):
        response = JsonResponse({"message": exc.api_message}, status=status)
    else:
        from django.shortcuts import render

        response = render(request, "tenants/limited.html", {"message": exc.message()}, status=status)
    response["Retry-After"] = str(exc.retry_after)
    return response


def guarded(surface: str, *, account_field: str | None = None):
    """Put a view under the policy: every POST counts against the client IP (and the account named
    by ``account_field`` in the form). Works on function views and on ``View.as_view()``."""
    if surface not in SURFACES:
        raise ValueError(f"unknown sign-in surface {surface!r}")

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "POST":
                account = request.POST.get(account_field, "")[:254] if account_field else ""
                try:
                    check(request, surface, account=account)
                except SignInLimited as exc:
                    return limited_response(request, exc)
            return view(request, *args, **kwargs)

        wrapper.signin_policy = surface
        return wrapper

    return decorate


def marked(surface: str):
    """For a view that calls :func:`check` itself (to answer in its own page)."""
    if surface not in SURFACES:
        raise ValueError(f"unknown sign-in surface {surface!r}")

    def decorate(view):
        view.signin_policy = surface
        return view

    return decorate


# --- equal work -----------------------------------------------------------------------------------

_dummies: dict[tuple, str] = {}


def _dummy_hash() -> str:
    """A hash made by the preferred hasher at its current cost (so a test that changes hashers, or a
    deployment that raises the work factor, spends the same work on it as on a real password)."""
    hasher = get_hasher()
    key = (hasher.algorithm, getattr(hasher, "iterations", None), getattr(hasher, "rounds", None))
    encoded = _dummies.get(key)
    if encoded is None:
        encoded = _dummies[key] = make_password("portico-equal-work")
    return encoded


def equal_work(password: str) -> None:
    """One hash verification that cannot succeed: spent when no usable password exists, so an
    unknown email, a wrong password and an account without a password cost the same."""
    check_password(password or "", _dummy_hash())


def password_matches(password: str, encoded: str | None) -> bool:
    """Exactly one hash verification, whether or not ``encoded`` is a usable password."""
    from django.contrib.auth.hashers import is_password_usable

    if encoded and is_password_usable(encoded):
        return check_password(password, encoded)
    equal_work(password)
    return False
