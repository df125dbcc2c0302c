"""Where a person is signed in: each browser session of a staff member or a client in this office,
listed on their security page with the device, the address and when it was last used, and ended
from there (the session is deleted from the store, so that browser is signed out on its next
request).

A session is recorded by :class:`SignedInDeviceMiddleware` on its first signed-in request and
touched at most every ``TOUCH_SECONDS`` (one write per person per few minutes, none per request).
Signing out leaves its row behind until the list is next read. A session whose credentials
generation has moved on (password changed, signed out everywhere) or that the store no longer holds
is not shown, and its row is dropped when the list is read.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenants import credentials
from tenants.signin_policy import client_address

from .client_auth import SESSION_ACCOUNT
from .models import SignedInDevice

STAFF = SignedInDevice.Holder.STAFF
CLIENT = SignedInDevice.Holder.CLIENT
TOUCH_SECONDS = 300
_SESSION_FIELD = "_portico_device:{}"
_GENERATION_KIND = {STAFF: credentials.USER, CLIENT: credentials.CLIENT}


def _store(session_key: str | None = None):
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)


def device_seen(request, *, kind: str, holder_id: int) -> None:
    """Record or touch this request's session for ``holder_id`` (called for signed-in requests)."""
    session = request.session
    field = _SESSION_FIELD.format(kind)
    mark = session.get(field)
    key = session.session_key  # a signed-in session has been saved: it has its key
    now = time.time()
    if key is None:
        return
    if mark and mark[0] == key and now - mark[1] < TOUCH_SECONDS:
        return
    values = {
        "holder_kind": kind,
        "holder_id": holder_id,
        "generation": credentials.current(_GENERATION_KIND[kind], holder_id),
        "user_agent": request.headers.get("User-Agent", "")[:200],
        "ip": client_address(request),
        "last_seen_at": timezone.now(),
    }
    try:
        with transaction.atomic():
            SignedInDevice.objects.update_or_create(session_key=key, defaults=values)
    except IntegrityError:  # two first requests of one session at once: the other one wrote it
        pass
    session[field] = [key, now]


@dataclass(frozen=True)
class Device:
    pk: int
    label: str
    ip: str | None
    created_at: object
    last_seen_at: object
    current: bool


def describe(user_agent: str) -> str:
    """ "Chrome on Android", in the reader's language; "Unknown browser" when it says nothing."""
    agent = user_agent or ""
    browser = next(
        (
            name
            for pattern, name in (
                (r"Edg/", "Edge"),
                (r"OPR/|Opera", "Opera"),
                (r"Firefox/|FxiOS", "Firefox"),
                (r"Chrome/|CriOS|Chromium", "Chrome"),
                (r"Safari/", "Safari"),
            )
            if re.search(pattern, agent)
        ),
        "",
    )
    system = next(
        (
            name
            for pattern, name in (
                (r"iPhone", "iPhone"),
                (r"iPad", "iPad"),
                (r"Android", "Android"),
                (r"Windows", "Windows"),
                (r"Mac OS X|Macintosh", "macOS"),
                (r"CrOS", "ChromeOS"),
                (r"Linux", "Linux"),
            )
            if re.search(pattern, agent)
        ),
        "",
    )
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    return browser or system or _("Unknown browser")


def devices_of(request, *, kind: str, holder_id: int) -> list[Device]:
    """The person's live sessions in this office, the current one first."""
    generation = credentials.current(_GENERATION_KIND[kind], holder_id)
    store = _store()
    live, dead = [], []
    for row in SignedInDevice.objects.filter(holder_kind=kind, holder_id=holder_id):
        if row.generation < generation or not store.exists(row.session_key):
            dead.append(row.pk)
        else:
            live.append(row)
    if dead:
        SignedInDevice.objects.filter(pk__in=dead).delete()
    current_key = request.session.session_key
    devices = [
        Device(
            pk=row.pk,
            label=describe(row.user_agent),
            ip=row.ip,
            created_at=row.created_at,
            last_seen_at=row.last_seen_at,
            current=row.session_key == current_key,
        )
        for row in live
    ]
    return sorted(devices, key=lambda device: not device.current)


def device_end(request, *, kind: str, holder_id: int, device_id) -> bool:
    """End one of the person's other sessions; False when it is not theirs (or is this one)."""
    try:
        device_id = int(device_id)
    except (TypeError, ValueError):
        return False
    row = SignedInDevice.objects.filter(pk=device_id, holder_kind=kind, holder_id=holder_id).first()
    if row is None or row.session_key == request.session.session_key:
        return False
    _store(row.session_key).delete()
    row.delete()
    return True


class SignedInDeviceMiddleware:
    """Records the sessions of signed-in staff and clients on an office's hosts (after the view,
    before the session is saved)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            connection.schema_name == "public"
            or not hasattr(request, "session")
            or request.path.startswith("/api/")  # API callers hold keys and JWTs, not sessions
        ):
            return response
        user = getattr(request, "user", None)
        if getattr(user, "is_authenticated", False) and getattr(user, "is_staff", False):
            device_seen(request, kind=STAFF, holder_id=user.pk)
        if request.session.get(SESSION_ACCOUNT) and getattr(request, "client", None):
            device_seen(request, kind=CLIENT, holder_id=request.client.pk)
        return response
