"""What an API request's credentials grant, with no database query on a warm request.

An API key's grant (its scopes, expiry and tenant) and a plan's request limit are kept per process in
:func:`tenants.routing.generation_cache` dicts, dropped whenever a key, plan, tenant or domain changes
(``signals.py``); other processes see the change within ``PORTICO_ROUTING_RECHECK_SECONDS``. Unknown
keys are never kept, so made-up keys cannot fill the memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from .routing import Route, generation_cache, route_of

DEFAULT_REQUESTS_PER_MINUTE = 60
LAST_USED_EVERY = timedelta(minutes=1)


@dataclass
class KeyGrant:
    key_id: int
    prefix: str
    scopes: tuple[str, ...]
    expires_at: datetime | None
    revoked: bool
    route: Route
    last_used_at: datetime | None = field(default=None, compare=False)

    @property
    def is_active(self) -> bool:
        return not self.revoked and (self.expires_at is None or self.expires_at > timezone.now())

    def touch(self) -> None:
        """Record the key's use, at most once a minute per process."""
        from .models import ApiKey

        now = timezone.now()
        if self.last_used_at is None or now - self.last_used_at > LAST_USED_EVERY:
            self.last_used_at = now
            ApiKey.objects.filter(pk=self.key_id).update(last_used_at=now)


def load_grant(key_hash: str) -> KeyGrant | None:
    """One query: the key, its tenant and the tenant's primary host."""
    from django.db.models import OuterRef, Subquery

    from .models import ApiKey, Domain

    primary = Domain.objects.filter(tenant=OuterRef("tenant"), is_primary=True).values("domain")[:1]
    key = (
        ApiKey.objects.select_related("tenant")
        .filter(key_hash=key_hash)
        .annotate(primary=Subquery(primary))
        .first()
    )
    if key is None:
        return None
    return KeyGrant(
        key_id=key.pk,
        prefix=key.prefix,
        scopes=tuple(key.scopes),
        expires_at=key.expires_at,
        revoked=key.revoked_at is not None,
        route=route_of(key.tenant, key.primary or ""),
        last_used_at=key.last_used_at,
    )


def load_plan_limit(plan_id: int | None) -> int:
    from .models import Plan

    if plan_id is None:
        return DEFAULT_REQUESTS_PER_MINUTE
    limit = Plan.objects.filter(pk=plan_id).values_list("api_requests_per_minute", flat=True).first()
    return limit or DEFAULT_REQUESTS_PER_MINUTE


key_grants = generation_cache(load_grant, keep_missing=False)
plan_limits = generation_cache(load_plan_limit)
