"""Time zone names, their validation and the choices offered for them: the office's zone is asked
at sign-up (here, in the public schema) and kept in its portal's settings (``portal_core``)."""

from __future__ import annotations

import functools
import zoneinfo

from django.core.exceptions import ValidationError

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
