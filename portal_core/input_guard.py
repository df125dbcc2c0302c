"""Bad input answers with a clear 4xx, never a 500: a NUL byte in any query or form value (which
PostgreSQL text refuses), and JSON nested deeper than any Portico operation reads."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, MultiPartParser

MAX_JSON_DEPTH = 20
NUL_MESSAGE = "The request holds a NUL character, which is not allowed."


def _has_nul(query) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in query.lists())


class InputGuardMiddleware:
    """Refuses (400) a request whose query string, form fields or uploaded file names hold NUL.

    API bodies are left to the API's parsers (:class:`GuardedJSONParser`,
    :class:`GuardedMultiPartParser`): reading a form here would use up the stream, and the API
    answers a form it does not take with 415, not with an empty body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        bad = "\x00" in request.path or _has_nul(request.GET)
        if not bad and request.method in ("POST", "PUT", "PATCH") and not request.path.startswith("/api/"):
            content_type = request.content_type or ""
            if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
                try:
                    bad = _has_nul(request.POST) or any(
                        "\x00" in (f.name or "") for f in request.FILES.values()
                    )
                except Exception:  # noqa: BLE001 - a malformed body: the view's own parsing answers
                    bad = False
        if bad:
            if request.path.startswith("/api/"):
                return JsonResponse({"message": NUL_MESSAGE}, status=400)
            return HttpResponse(NUL_MESSAGE, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def _depth(value, limit: int) -> int:
    """How deep ``value`` nests (stops counting past ``limit``), without recursion. (A NUL in a
    JSON string is refused by the serializers' own fields, DRF's ProhibitNullCharactersValidator.)"""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return depth
        deepest = max(deepest, depth)
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return deepest


def loads_bounded(raw: bytes | str):
    """``json.loads`` for a body a view reads itself: ValueError for bad JSON and for JSON nested
    past ``MAX_JSON_DEPTH`` (Python's parser would recurse until it fails)."""
    import json

    try:
        value = json.loads(raw)
    except RecursionError as exc:
        raise ValueError("nested too deep") from exc
    if _depth(value, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise ValueError("nested too deep")
    return value


class GuardedJSONParser(JSONParser):
    """DRF's JSON parser, refusing documents nested past ``MAX_JSON_DEPTH`` with a 400 (Python's own
    parser recurses until it fails, which DRF's would answer with a 500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels is not accepted.") from exc
        if _depth(data, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
            raise ParseError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels is not accepted.")
        return data


class GuardedMultiPartParser(MultiPartParser):
    """DRF's multipart parser (the one API body that is a file), refusing a NUL in an uploaded file's
    name with a 400 (field values meet the serializers' own NUL check; unknown fields are ignored)."""

    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        if any("\x00" in (f.name or "") for f in parsed.files.values()):
            raise ParseError(NUL_MESSAGE)
        return parsed
