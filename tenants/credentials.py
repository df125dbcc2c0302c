"""Ending every credential at once. Each person has a credentials generation (see
:class:`~tenants.models.CredentialsGeneration`); sessions and JWTs carry the generation they were
issued under, and one that is behind is refused. A check reads a process-local copy, refreshed from
the shared cache at most every ``PORTICO_ROUTING_RECHECK_SECONDS`` (as routing does), so a warm
check costs no query and a change holds in every process within that interval."""

from __future__ import annotations

import threading
import time

from django.conf import settings
from django.contrib.auth import logout
from django.core.cache import caches
from django.db import connection, transaction
from django.db.models import F

SESSION_KEY = "_portico_credentials_generation"
USER = "user"  # staff (tenant schema) and operators (public schema)
CLIENT = "client"

_local: dict[tuple[str, str, int], tuple[int, float]] = {}
_lock = threading.Lock()


def _schema(schema: str | None) -> str:
    return schema or getattr(connection, "schema_name", "public")


def _shared_key(key: tuple[str, str, int]) -> str:
    return "credentials:generation:{}:{}:{}".format(*key)


def _load(key: tuple[str, str, int]) -> int:
    from .models import CredentialsGeneration

    row = (
        CredentialsGeneration.objects.filter(schema_name=key[0], kind=key[1], subject_id=key[2])
        .values_list("value", flat=True)
        .first()
    )
    return row or 0


def current(kind: str, subject_id: int, *, schema: str | None = None) -> int:
    key = (_schema(schema), kind, int(subject_id))
    now = time.monotonic()
    cached = _local.get(key)
    interval = settings.PORTICO_ROUTING_RECHECK_SECONDS
    if cached is not None and interval and now - cached[1] < interval:
        return cached[0]
    shared = caches["platform"]
    value = shared.get(_shared_key(key))
    if value is None:
        value = _load(key)
        shared.set(_shared_key(key), value, timeout=None)
    with _lock:
        if len(_local) > 50_000:
            _local.clear()
        _local[key] = (value, now)
    return value


def bump(kind: str, subject_id: int, *, schema: str | None = None) -> int:
    """End every session and JWT issued to this person until now; returns the new generation."""
    from .models import CredentialsGeneration

    key = (_schema(schema), kind, int(subject_id))
    with transaction.atomic():
        row, created = CredentialsGeneration.objects.select_for_update().get_or_create(
            schema_name=key[0], kind=kind, subject_id=key[2], defaults={"value": 1}
        )
        if not created:
            CredentialsGeneration.objects.filter(pk=row.pk).update(value=F("value") + 1)
            row.refresh_from_db(fields=["value"])
    value = row.value

    def publish():
        caches["platform"].set(_shared_key(key), value, timeout=None)
        with _lock:
            _local[key] = (value, time.monotonic())

    publish()
    transaction.on_commit(publish)
    return value


def is_current(kind: str, subject_id: int, issued: int | None, *, schema: str | None = None) -> bool:
    return int(issued or 0) >= current(kind, subject_id, schema=schema)


def stamp_session(request, kind: str = USER, subject_id: int | None = None) -> None:
    """The session carries the generation it is valid for (after a sign-in, or after the person
    changed their own password and keeps this session)."""
    if subject_id is None:
        subject_id = request.user.pk
    request.session[SESSION_KEY if kind == USER else f"{SESSION_KEY}:{kind}"] = current(kind, subject_id)


def clear_local() -> None:
    with _lock:
        _local.clear()


def on_user_logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        stamp_session(request, USER, user.pk)


class CredentialsMiddleware:
    """Signs out a staff member's or operator's session whose credentials generation was passed
    (password change or reset elsewhere, account disabled, "sign out everywhere")."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and settings.SESSION_COOKIE_NAME in request.COOKIES:
            user_id = session.get("_auth_user_id")
            if user_id and not is_current(USER, int(user_id), session.get(SESSION_KEY)):
                logout(request)
        return self.get_response(request)
