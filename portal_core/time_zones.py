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
from django.utils import timezone

from tenants import time_zones as _names
from tenants.routing import is_tenant_request
from tenants.time_zones import COMMON_TIME_ZONES, time_zone_choices, time_zone_names  # noqa: F401

API_PATH = "/api/"


def validate_time_zone(value: str) -> None:
    """The settings' validator, under the name the portal's migrations know it by."""
    _names.validate_time_zone(value)


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
