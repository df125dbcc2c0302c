"""The office's security audit log: sign-ins and their failures, lockouts, password changes,
second factors set up, removed or reset, recovery codes used, API keys, exports and previews.
Written with :func:`audit_record`, never changed or removed."""

from __future__ import annotations

import logging

from django.db import transaction

from tenants.signin_policy import client_address

from .models import AuditEvent

logger = logging.getLogger(__name__)
Kind = AuditEvent.Kind
Actor = AuditEvent.Actor


def audit_record(
    *,
    kind: str,
    request=None,
    actor_kind: str = Actor.ANONYMOUS,
    actor_id: int | None = None,
    actor_label: str = "",
    **data,
) -> AuditEvent | None:
    """Append one event. A failure to write it is logged, never the cause of a failed sign-in."""
    ip, agent = None, ""
    if request is not None:
        ip = client_address(request)
        agent = request.headers.get("User-Agent", "")[:200]
        if actor_kind == Actor.ANONYMOUS and getattr(request, "user", None) is not None:
            user = request.user
            if getattr(user, "is_authenticated", False) and getattr(user, "is_staff", False):
                actor_kind, actor_id, actor_label = Actor.STAFF, user.pk, actor_label or user.email
    try:
        with transaction.atomic():  # a savepoint: a failed write leaves the request's work intact
            return AuditEvent.objects.create(
                kind=kind,
                actor_kind=actor_kind,
                actor_id=actor_id,
                actor_label=(actor_label or "")[:254],
                ip=ip,
                user_agent=agent,
                data={key: str(value)[:200] for key, value in data.items()},
            )
    except Exception:  # noqa: BLE001 - the log must never stop the action it records
        logger.exception("audit event %s could not be written", kind)
        return None


def audit_events(*, person: str = "", kind: str = ""):
    events = AuditEvent.objects.all()
    if person:
        events = events.filter(actor_label__icontains=person[:254])
    if kind in Kind.values:
        events = events.filter(kind=kind)
    return events


def _in_an_office() -> bool:
    from django.db import connection

    return getattr(connection, "schema_name", "public") != "public"


def _staff_signed_in(sender, request, user, **kwargs):
    if _in_an_office() and user.is_staff:
        audit_record(
            kind=Kind.SIGN_IN,
            request=request,
            actor_kind=Actor.STAFF,
            actor_id=user.pk,
            actor_label=user.email,
        )


def _staff_sign_in_failed(sender, credentials, request=None, **kwargs):
    if _in_an_office():
        audit_record(
            kind=Kind.SIGN_IN_FAILED,
            request=request,
            actor_label=str(credentials.get("username", ""))[:254],
            way="office password",
        )


def _limited(sender, request, surface, account, **kwargs):
    if _in_an_office():
        audit_record(kind=Kind.LOCKED_OUT, request=request, actor_label=account, surface=surface)


def connect_signals() -> None:
    from django.contrib.auth.signals import user_logged_in, user_login_failed

    from tenants.signin_policy import limited

    user_logged_in.connect(_staff_signed_in, dispatch_uid="portal_core_audit_staff_signed_in")
    user_login_failed.connect(_staff_sign_in_failed, dispatch_uid="portal_core_audit_staff_failed")
    limited.connect(_limited, dispatch_uid="portal_core_audit_limited")
