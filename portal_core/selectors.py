"""Reads for the portal core."""

import pickle
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from modules.registry import registry
from tenants.routing import generation_cache

from .models import ActivityEntry, Contact, PortalAccount, PortalConfig


@dataclass(frozen=True)
class PortalFacts:
    """What middleware asks of the configuration on every request, read without building a model."""

    is_active: bool
    time_zone: str
    cors_origins: tuple[str, ...]
    enabled_modules: tuple[str, ...]


@dataclass(frozen=True)
class _Cached:
    pickled: bytes
    facts: PortalFacts


def _config_load(schema_name: str) -> _Cached:
    config, _ = PortalConfig.objects.get_or_create(singleton=True)
    facts = PortalFacts(
        is_active=config.is_active,
        time_zone=config.time_zone,
        cors_origins=tuple(config.cors_origins),
        enabled_modules=tuple(config.enabled_modules),
    )
    return _Cached(pickled=pickle.dumps(config, protocol=pickle.HIGHEST_PROTOCOL), facts=facts)


# Read on nearly every request, changed rarely: kept per process and schema (no query, no round
# trip), dropped everywhere on a change like the routes are (``tenants.routing``, ``signals.py``).
_configs = generation_cache(_config_load)


def portal_config_get() -> PortalConfig:
    """The office's portal configuration: a fresh instance each call, so callers may change it."""
    return pickle.loads(_configs.get(connection.schema_name).pickled)  # noqa: S301 - our own bytes


def portal_facts() -> PortalFacts:
    """The few settings read on every request (switched on, time zone, websites, modules), shared
    and read-only: cheaper than :func:`portal_config_get`."""
    return _configs.get(connection.schema_name).facts


def enabled_modules(config: PortalConfig | None = None) -> list[str]:
    """The registered modules switched on for this office (pass ``config`` if it is at hand)."""
    keys = config.enabled_modules if config is not None else portal_facts().enabled_modules
    return [key for key in keys if key in registry]


def module_is_enabled(key: str) -> bool:
    return key in enabled_modules()


def enabled_module_entries() -> list:
    """The registry's entries (:class:`modules.registry.Module`) of the modules switched on here."""
    keys = set(enabled_modules())
    return [module for module in registry if module.key in keys]


def enabled_parts(name: str) -> list:
    """``(module, value)`` of the part ``name`` of every module switched on for this office."""
    return registry.parts(name, keys=enabled_modules())


# --- office dashboard ---------------------------------------------------------------------------


def account_status_counts() -> dict[str, int]:
    """How many clients are at each step of the portal, keyed by ``PortalAccount.Status`` value, plus
    ``total``. Contacts without a portal account yet count as not invited. Two aggregate queries,
    whatever the number of clients."""
    statuses = PortalAccount.Status
    counts = PortalAccount.objects.aggregate(
        **{status.value: Count("pk", filter=Q(status=status)) for status in statuses}
    )
    counts[statuses.NOT_INVITED.value] += Contact.objects.filter(portal_account__isnull=True).count()
    counts["total"] = sum(counts[status.value] for status in statuses)
    return counts


def recent_activity(limit: int = 10) -> list[ActivityEntry]:
    """The latest activity entries, newest first, with their contact and company (one query)."""
    entries = ActivityEntry.objects.select_related("contact", "company").order_by("-created", "-id")
    return list(entries[:limit])


def logins_per_day(days: int = 30) -> list[tuple[date, int]]:
    """``(day, sign-ins)`` for each of the last ``days`` days, oldest first and today last, days
    without sign-ins included; counted from the ``login`` activity entries in one grouped query."""
    first = timezone.localdate() - timedelta(days=days - 1)
    start = timezone.make_aware(datetime.combine(first, time.min))
    rows = (
        ActivityEntry.objects.filter(verb="login", created__gte=start)
        .order_by()
        .annotate(day=TruncDate("created"))
        .values("day")
        .annotate(count=Count("pk"))
    )
    per_day = {row["day"]: row["count"] for row in rows}
    return [(day, per_day.get(day, 0)) for day in (first + timedelta(days=n) for n in range(days))]


def welcome_text(config) -> str:
    """The office's welcome message; the built-in default speaks the client's language."""
    from django.utils.translation import gettext

    default = PortalConfig._meta.get_field("welcome_message").default
    if config.welcome_message == default:
        return gettext("Welcome to your client portal!")
    return config.welcome_message
