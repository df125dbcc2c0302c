"""Checking the module's uploads by their content, never by their name or the browser's word.

Photos go through the portal core's re-encoder (``portal_core.uploads.image_reencoded``: EXIF
orientation applied, then a fresh JPEG without any metadata, location included), after a guard on
the pixel count read from the header alone. Voice notes must be WebM, Ogg, MP3, MP4 (M4A) or WAV
audio, recognised by their leading bytes and opened by a parser (mutagen, or the small WebM reader
below, since browsers record WebM), within a size and a length limit.

``files_saved_atomically`` writes files only after every check, and deletes them again when the
database work around them fails, so a bad upload leaves nothing half-saved.
"""

from __future__ import annotations

import struct
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from portal_core.uploads import MAX_IMAGE_BYTES, MAX_PIXELS, image_reencoded

PHOTO_MAX_SIDE = 2048
THUMBNAIL_SIDE = 640
VOICE_NOTE_MAX_BYTES = 10 * 1024 * 1024
VOICE_NOTE_MAX_SECONDS = 5 * 60


@dataclass(frozen=True)
class CheckedPhoto:
    content: ContentFile
    width: int
    height: int
    thumbnail: ContentFile | None = None


@dataclass(frozen=True)
class CheckedAudio:
    content: object  # the upload, rewound
    content_type: str
    extension: str
    duration: float
    size: int


def photo_checked(upload, *, max_side: int = PHOTO_MAX_SIDE) -> CheckedPhoto:
    """A re-encoded JPEG of the photo (no EXIF, no location) and its size, or a clear error."""
    if upload is not None and 0 < upload.size <= MAX_IMAGE_BYTES:
        _pixels_guard(upload)
    content = image_reencoded(upload, max_side=max_side)
    with Image.open(content) as image:
        width, height = image.size
    content.seek(0)
    thumbnail = (
        image_reencoded(content, max_side=THUMBNAIL_SIDE) if max(width, height) > THUMBNAIL_SIDE else None
    )
    content.seek(0)
    return CheckedPhoto(content=content, width=width, height=height, thumbnail=thumbnail)


def _pixels_guard(upload) -> None:
    """Refuse a huge canvas from its header, before anything decodes it (a “decompression bomb”)."""
    too_many = ValidationError(_("This photo has too many pixels. Use a smaller version of it."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # decided just below
            with Image.open(upload) as image:
                width, height = image.size
    except Image.DecompressionBombError as exc:
        raise too_many from exc
    except (UnidentifiedImageError, OSError, SyntaxError):
        width = height = 0  # not an image: the re-encoder says so in its own words
    finally:
        upload.seek(0)
    if width * height > MAX_PIXELS:
        raise too_many


# --- voice notes --------------------------------------------------------------------------------


def voice_note_checked(upload) -> CheckedAudio:
    """The voice note's real type and length, or a clear error: audio only (WebM, Ogg, MP3, M4A or
    WAV, recognised by content), at most 10 MB and 5 minutes."""
    if upload is None:
        raise ValidationError(_("Choose a recording to upload."))
    if upload.size == 0:
        raise ValidationError(_("This recording is empty."))
    if upload.size > VOICE_NOTE_MAX_BYTES:
        raise ValidationError(_("This recording is too large (the limit is 10 MB)."))
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    reader = _audio_reader(head)
    if reader is None:
        raise ValidationError(_("This file is not a sound recording. Use WebM, Ogg, MP3, M4A or WAV."))
    content_type, extension, read_duration = reader
    try:
        duration = read_duration(upload)
    except ValidationError:
        raise
    except Exception as exc:  # every parser has its own errors for a damaged file
        raise ValidationError(_("This recording is damaged or cannot be played.")) from exc
    finally:
        upload.seek(0)
    if not duration or duration <= 0:
        raise ValidationError(_("This recording is damaged or cannot be played."))
    if duration > VOICE_NOTE_MAX_SECONDS:
        raise ValidationError(
            _("This recording is too long (%(minutes)d minutes at most).")
            % {"minutes": VOICE_NOTE_MAX_SECONDS // 60}
        )
    return CheckedAudio(
        content=upload, content_type=content_type, extension=extension, duration=duration, size=upload.size
    )


def _audio_reader(head: bytes) -> tuple[str, str, Callable] | None:
    if head.startswith(EBML_MAGIC):
        return "audio/webm", ".webm", _webm_duration
    if head.startswith(b"OggS"):
        return "audio/ogg", ".ogg", _ogg_duration
    if head[4:8] == b"ftyp":
        return "audio/mp4", ".m4a", _mp4_duration
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "audio/wav", ".wav", _wav_duration
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "audio/mpeg", ".mp3", _mp3_duration
    return None


def _not_audio() -> ValidationError:
    return ValidationError(_("This file is a video, not a sound recording."))


def _ogg_duration(upload) -> float:
    from mutagen.oggflac import OggFLAC
    from mutagen.oggopus import OggOpus
    from mutagen.oggspeex import OggSpeex
    from mutagen.oggvorbis import OggVorbis

    for kind in (OggOpus, OggVorbis, OggFLAC, OggSpeex):
        upload.seek(0)
        try:
            return kind(upload).info.length
        except Exception:  # noqa: S112 - not this codec: try the next
            continue
    raise ValidationError(_("This Ogg file holds no sound we can play (or a video)."))


def _mp4_duration(upload) -> float:
    from mutagen.mp4 import MP4, Atoms

    upload.seek(0)
    atoms = Atoms(upload)
    for track in atoms.path(b"moov")[-1].findall(b"trak"):
        for handler in track.findall(b"mdia"):
            for hdlr in handler.findall(b"hdlr"):
                ok, data = hdlr.read(upload)
                if ok and data[8:12] == b"vide":
                    raise _not_audio()
    upload.seek(0)
    return MP4(upload).info.length


def _wav_duration(upload) -> float:
    from mutagen.wave import WAVE

    return WAVE(upload).info.length


def _mp3_duration(upload) -> float:
    from mutagen.mp3 import MP3

    return MP3(upload).info.length


# --- WebM (what browsers record) ----------------------------------------------------------------
# mutagen does not read Matroska, so a small EBML walk: enter the container elements, skip the
# others, note the doc type, track types, the declared duration and the last block's time.

EBML_MAGIC = b"\x1a\x45\xdf\xa3"
_CONTAINERS = {
    0x1A45DFA3,  # EBML header
    0x18538067,  # Segment
    0x1549A966,  # Info
    0x1654AE6B,  # Tracks
    0xAE,  # TrackEntry
    0x1F43B675,  # Cluster
    0xA0,  # BlockGroup
}
_DOC_TYPE, _TIMECODE_SCALE, _DURATION = 0x4282, 0x2AD7B1, 0x4489
_TRACK_TYPE, _CLUSTER_TIME, _SIMPLE_BLOCK, _BLOCK = 0x83, 0xE7, 0xA3, 0xA1
_VIDEO_TRACK, _AUDIO_TRACK = 1, 2


def _vint(data: bytes, pos: int, *, keep_marker: bool) -> tuple[int, int, bool]:
    """(value, next position, all value bits set) of the variable-length integer at ``pos``."""
    first = data[pos]
    length = 1
    while length <= 8 and not first & (0x80 >> (length - 1)):
        length += 1
    if length > 8 or pos + length > len(data):
        raise ValueError("bad EBML integer")
    value = first if keep_marker else first & (0xFF >> length)
    for byte in data[pos + 1 : pos + length]:
        value = value << 8 | byte
    unknown = not keep_marker and value == (1 << (7 * length)) - 1
    return value, pos + length, unknown


def _uint(payload: bytes) -> int:
    return int.from_bytes(payload, "big") if payload else 0


def webm_summary(data: bytes) -> tuple[str, set[int], float]:
    """(doc type, track types, duration in seconds) of a WebM/Matroska file held in memory."""
    doc_type, track_types = "", set()
    scale, declared, cluster_time, last_block = 1_000_000, 0.0, 0, 0
    pos = 0
    while pos < len(data):
        element, pos, _unused = _vint(data, pos, keep_marker=True)
        size, pos, unknown = _vint(data, pos, keep_marker=False)
        if element in _CONTAINERS:
            continue  # step inside (an unknown size only ever belongs to a container)
        if unknown or pos + size > len(data):
            break  # a truncated recording: keep what was read
        payload = data[pos : pos + size]
        pos += size
        if element == _DOC_TYPE:
            doc_type = payload.rstrip(b"\x00").decode("ascii", "replace")
        elif element == _TIMECODE_SCALE:
            scale = _uint(payload) or scale
        elif element == _DURATION and size in (4, 8):
            declared = struct.unpack(">f" if size == 4 else ">d", payload)[0]
        elif element == _TRACK_TYPE:
            track_types.add(_uint(payload))
        elif element == _CLUSTER_TIME:
            cluster_time = _uint(payload)
        elif element in (_SIMPLE_BLOCK, _BLOCK) and size >= 4:
            _track, offset, _unused = _vint(payload, 0, keep_marker=False)
            (relative,) = struct.unpack(">h", payload[offset : offset + 2])
            last_block = max(last_block, cluster_time + relative)
    return doc_type, track_types, max(declared, last_block) * scale / 1e9


def _webm_duration(upload) -> float:
    upload.seek(0)
    doc_type, track_types, duration = webm_summary(upload.read())
    if doc_type not in ("webm", "matroska"):
        raise ValidationError(_("This file is not a sound recording. Use WebM, Ogg, MP3, M4A or WAV."))
    if _VIDEO_TRACK in track_types:
        raise _not_audio()
    if _AUDIO_TRACK not in track_types:
        raise ValidationError(_("This recording holds no sound."))
    return duration


# --- writing files with the database work -------------------------------------------------------


@contextmanager
def files_saved_atomically() -> Iterator[Callable]:
    """A transaction in which ``save(field_file, name, content)`` writes a file; when anything in the
    block fails, the files it wrote are deleted and the database work is rolled back.

    Check every upload *before* entering the block. (A rollback of a transaction enclosing this one
    cannot be seen from here; the services open their own.)"""
    written: list[tuple[object, str]] = []

    def save(field_file, name: str, content) -> None:
        field_file.save(name, content, save=False)
        written.append((field_file.storage, field_file.name))

    try:
        with transaction.atomic():
            yield save
    except BaseException:
        for storage, name in written:
            storage.delete(name)
        raise


def file_delete_on_commit(field_file) -> None:
    """Delete the stored file once the row's deletion has committed (a rollback keeps it)."""
    storage, name = field_file.storage, field_file.name
    if name:
        transaction.on_commit(lambda: storage.delete(name))
