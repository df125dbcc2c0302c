"""An office with the real-estate module on, a client with a deal, properties and files to upload."""

from __future__ import annotations

import io
import struct
import wave
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import tenant_context
from PIL import Image

from portal_core.access import portal_account_for
from portal_core.models import Contact, PortalAccount
from portal_core.services import module_enable
from webhooks.models import WebhookEvent
from webhooks.services import endpoint_create


@pytest.fixture(autouse=True)
def isolated_media(settings, tmp_path):
    """Files under a temporary MEDIA_ROOT (the tenant storage caches its root: forget it)."""
    from django.core.files.storage import storages

    storages["default"].__dict__.pop("relative_media_root", None)
    settings.MEDIA_ROOT = str(tmp_path / "media")
    yield tmp_path / "media"
    storages["default"].__dict__.pop("relative_media_root", None)


@pytest.fixture
def office(office_a, django_capture_on_commit_callbacks):
    """The test body runs inside office A's schema, with the module switched on."""
    with tenant_context(office_a.tenant):
        with django_capture_on_commit_callbacks(execute=True):
            module_enable(key="real_estate")
        yield office_a


@pytest.fixture
def events(office, settings, monkeypatch):
    """An endpoint listening to everything (deliveries stay queued): ``events(type)`` lists the
    payloads written to the outbox."""
    settings.PORTICO_WEBHOOKS_ALLOW_PRIVATE = True
    monkeypatch.setattr("webhooks.services.enqueue", lambda *args, **kwargs: None)
    endpoint_create(url="http://127.0.0.1:9/hooks")

    def payloads(event_type: str) -> list[dict]:
        return [e.payload for e in WebhookEvent.objects.filter(type=event_type).order_by("created")]

    return payloads


def make_client(first_name="Chris", email="chris@example.com", language="en") -> PortalAccount:
    contact = Contact.objects.create(
        first_name=first_name, last_name="Client", email=email, language=language
    )
    account = portal_account_for(contact=contact)
    account.password = make_password("Client-pass-2026!")
    account.status = PortalAccount.Status.JOINED
    account.save()
    return account


@pytest.fixture
def account(office) -> PortalAccount:
    return make_client()


@pytest.fixture
def contact(account) -> Contact:
    return account.contact


@pytest.fixture
def deal(contact):
    from modules.real_estate.services import deal_create

    return deal_create(contact=contact, title="A home in Haarlem", actor="owner@alpha")


def make_property(title="Family home", **fields):
    from modules.real_estate.services import property_create

    return property_create(title=title, city="Haarlem", country="Netherlands", price=500000, **fields)


@pytest.fixture
def house(office):
    return make_property()


@pytest.fixture
def offer(deal, house):
    from modules.real_estate.services import property_offer

    return property_offer(deal=deal, property=house, actor="owner@alpha")


def future(days=2, hours=0):
    return (timezone.now() + timedelta(days=days, hours=hours)).replace(microsecond=0)


def visited_viewing(offer, account):
    """A viewing of ``offer`` that took place yesterday."""
    from modules.real_estate.models import Viewing
    from modules.real_estate.services import viewing_confirm, viewing_mark_visited, viewing_request

    slot = future(1)
    viewing = viewing_request(offer=offer, account=account, slots=[slot])
    viewing_confirm(viewing=viewing, start=slot)
    Viewing.objects.filter(pk=viewing.pk).update(start=timezone.now() - timedelta(days=1))
    viewing.refresh_from_db()
    return viewing_mark_visited(viewing=viewing)


# --- files ----------------------------------------------------------------------------------------


def jpeg_with_gps(size=(1200, 800), colour=(200, 30, 30)) -> bytes:
    image = Image.new("RGB", size, colour)
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (52.0, 22.0, 0.0), 3: "E", 4: (4.0, 53.0, 0.0)}  # GPSInfo
    exif[0x010F] = "CameraMaker"
    exif[0x0112] = 6  # Orientation: rotate 90° to display
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def photo_upload(
    data: bytes | None = None, name="photo.jpg", content_type="image/jpeg"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data if data is not None else jpeg_with_gps(), content_type=content_type)


def wav_bytes(seconds: float, rate: int = 8000) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(1)
        wav.setframerate(rate)
        wav.writeframes(b"\x80" * int(seconds * rate))
    return out.getvalue()


def _ebml(element_id: int, payload: bytes, *, unknown_size: bool = False) -> bytes:
    id_bytes = element_id.to_bytes((element_id.bit_length() + 7) // 8, "big")
    if unknown_size:
        return id_bytes + b"\x01\xff\xff\xff\xff\xff\xff\xff" + payload
    return id_bytes + (0x10000000 | len(payload)).to_bytes(4, "big") + payload


def webm_bytes(seconds: float, *, video: bool = False) -> bytes:
    """A minimal WebM as browsers record it (segment and clusters of unknown size, no duration):
    one audio track and a block every second."""
    header = _ebml(0x1A45DFA3, _ebml(0x4282, b"webm"))
    info = _ebml(0x1549A966, _ebml(0x2AD7B1, (1_000_000).to_bytes(3, "big")))
    tracks = _ebml(0x1654AE6B, _ebml(0xAE, _ebml(0x83, bytes([1 if video else 2]))))
    clusters = b""
    for second in range(int(seconds) + 1):
        block = _ebml(0xA3, b"\x81" + struct.pack(">h", 0) + b"\x80" + b"\x00" * 20)
        clusters += _ebml(
            0x1F43B675, _ebml(0xE7, (second * 1000).to_bytes(4, "big")) + block, unknown_size=True
        )
    return header + _ebml(0x18538067, info + tracks + clusters, unknown_size=True)


def audio_upload(data: bytes, name="note.webm", content_type="audio/webm") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)
