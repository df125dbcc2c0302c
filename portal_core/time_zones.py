"""The office's time zone (``PortalConfig.time_zone``): times are entered and shown in it on the
office's pages, on its clients' pages and in the emails it sends.

``OfficeTimeZoneMiddleware`` makes it Django's current time zone for a request on an office's host,
so forms read ``datetime-local`` inputs and templates show datetimes in it. The API is the
exception: it keeps UTC (ISO 8601 with ``Z`` out, a time without an offset read as UTC in), on any
host. Work outside a request (the worker, the API) formats times for people with
:func:`office_localtime`, or inside :func:`office_time_zone_active`.
"""

from __future__ import annotations

import functools
import zoneinfo
from contextlib import AbstractContextManager
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from tenants.routing import is_tenant_request

API_PATH = "/api/"

# Offered first in the settings form: the zones of the countries whose languages the portal speaks,
# and a few more where offices are likely to be.
COMMON_TIME_ZONES = (
    "Europe/Amsterdam",
    "Europe/Berlin",
    "Europe/Brussels",
    "Europe/Copenhagen",
    "Europe/Dublin",
    "Europe/Helsinki",
    "Europe/Lisbon",
    "Europe/London",
    "Europe/Luxembourg",
    "Europe/Madrid",
    "Europe/Oslo",
    "Europe/Paris",
    "Europe/Rome",
    "Europe/Stockholm",
    "Europe/Vienna",
    "Europe/Warsaw",
    "Europe/Zurich",
    "Atlantic/Canary",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Dubai",
    "Asia/Singapore",
    "Australia/Sydney",
    "UTC",
)
# The areas of the IANA database's current names; the rest are old aliases (``US/Eastern``, ``CET``),
# still accepted but not offered.
AREAS = (
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
)


@functools.cache
def time_zone_names() -> frozenset[str]:
    """Every IANA time zone name this machine knows (``zoneinfo.available_timezones()``)."""
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in time_zone_names():
        raise ValidationError(
            "“%(value)s” is not a time zone: choose one from the list, like Europe/Amsterdam.",
            code="invalid_time_zone",
            params={"value": value[:60]},
        )


def _label(name: str) -> str:
    return name.replace("_", " ")


def time_zone_choices(current: str = "") -> list[tuple[str, list[tuple[str, str]]]]:
    """The choices of the settings form: the common zones first, then every other current zone by
    name (and ``current``, when it is an alias no list offers)."""
    names = time_zone_names()
    common = [name for name in COMMON_TIME_ZONES if name in names]
    others = sorted(
        name
        for name in names
        if name not in common and (name == current or ("/" in name and name.split("/", 1)[0] in AREAS))
    )
    return [
        ("Common time zones", [(name, _label(name)) for name in common]),
        ("All time zones", [(name, _label(name)) for name in others]),
    ]


@functools.cache
def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):  # the machine's database lost it
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def office_time_zone() -> zoneinfo.ZoneInfo:
    """The current office's time zone, from its cached configuration (no query)."""
    from .selectors import portal_facts

    return _zone(portal_facts().time_zone)


def office_localtime(value: datetime) -> datetime:
    """``value`` in the current office's time zone, whichever zone is active."""
    return timezone.localtime(value, office_time_zone())


def office_time_zone_active() -> AbstractContextManager:
    """``with office_time_zone_active():`` the current office's zone is Django's current one."""
    return timezone.override(office_time_zone())


class OfficeTimeZoneMiddleware:
    """On an office's host (its pages and its clients'), the office's time zone is current for the
    request; on the platform host and for the API, the server's (UTC). Placed after the routing
    middleware, which picks the office."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_tenant_request(request) and not request.path.startswith(API_PATH):
            timezone.activate(office_time_zone())
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
