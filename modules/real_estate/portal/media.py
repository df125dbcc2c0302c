"""The module's files, served only to the office's staff and to the client they belong to.

Photos and voice notes are stored under unguessable names but never under a public URL: each
request finds the file's row in the caller's scope (any row for a staff member of this office, the
``*_for_client`` selectors for a client) and answers 404 to everyone else, so nobody can tell a
file they may not see from one that does not exist. The office links to these URL names too: a
staff session on the tenant's host is enough, without a client session. Links the API hands out
carry a signature instead (``media_links``).
"""

from __future__ import annotations

import re

from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from portal_core.client_auth import is_preview
from portal_core.selectors import portal_facts

from ..media_links import media_signature_valid
from ..models import FeedbackPhoto, FeedbackVoiceNote, PropertyPhoto
from ..selectors import feedback_photos_for_client, property_photos_for_client, voice_notes_for_client

CACHE_CONTROL = "private, max-age=3600"
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _is_staff(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_staff)


def _scoped(request, *, url_name: str, pk: int, everything: QuerySet, for_client) -> QuerySet:
    """Every row for the office's staff or a link the API signed for this file; the client's own
    rows for a signed-in client of an active portal; nothing for anyone else."""
    if _is_staff(request) or media_signature_valid(request.GET.get("sig"), url_name, pk):
        return everything
    client = getattr(request, "client", None)
    if not client or not client.is_usable:
        raise Http404
    if not portal_facts().is_active and not is_preview(request):
        raise Http404
    return for_client(account=client)


def _headers(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = CACHE_CONTROL
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _file_response(request, field_file, content_type: str, *, ranges: bool = False) -> HttpResponse:
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, ValueError) as exc:  # the row outlived its file, or has none
        raise Http404 from exc
    if ranges:
        partial = _partial(request, handle, field_file.size, content_type)
        if partial is not None:
            return _headers(partial)
    response = FileResponse(handle, content_type=content_type)
    if ranges:
        response["Accept-Ranges"] = "bytes"
    return _headers(response)


def _partial(request, handle, size: int, content_type: str) -> HttpResponse | None:
    """A 206 answer to a single ``Range: bytes=…`` (Safari plays audio only through ranges)."""
    match = _RANGE.match(request.headers.get("Range", "").strip())
    if not match or size == 0:
        return None
    first, last = match.groups()
    if first == "" and last == "":
        return None
    if first == "":
        start, end = max(size - int(last), 0), size - 1
    else:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    if start >= size or start > end:
        handle.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    handle.seek(start)
    body = handle.read(end - start + 1)
    handle.close()
    response = HttpResponse(body, status=206, content_type=content_type)
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Accept-Ranges"] = "bytes"
    return response


@require_safe
def property_photo(request, pk: int):
    scope = _scoped(
        request,
        url_name="media-property-photo",
        pk=pk,
        everything=PropertyPhoto.objects.all(),
        for_client=property_photos_for_client,
    )
    photo = get_object_or_404(scope, pk=pk)
    small = request.GET.get("size") == "small" and photo.thumbnail
    return _file_response(request, photo.thumbnail if small else photo.image, "image/jpeg")


@require_safe
def feedback_photo(request, pk: int):
    scope = _scoped(
        request,
        url_name="media-feedback-photo",
        pk=pk,
        everything=FeedbackPhoto.objects.all(),
        for_client=feedback_photos_for_client,
    )
    photo = get_object_or_404(scope, pk=pk)
    return _file_response(request, photo.image, "image/jpeg")


@require_safe
def voice_note(request, pk: int):
    scope = _scoped(
        request,
        url_name="media-voice-note",
        pk=pk,
        everything=FeedbackVoiceNote.objects.all(),
        for_client=voice_notes_for_client,
    )
    note = get_object_or_404(scope, pk=pk)
    return _file_response(request, note.audio, note.content_type or "application/octet-stream", ranges=True)
