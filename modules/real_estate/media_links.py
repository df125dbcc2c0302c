"""Signed links to the module's files, for callers without a browser session.

The API gives its callers (an integration with an API key, a widget with a client's token) links
they can put in an ``<img src>``: the media URL plus ``?sig=``, a signature over the office's
schema, the URL name and the row id with a timestamp, valid for :data:`LIFETIME`. The media views
serve a file on a valid signature alone; without one they check the session as before.
"""

from __future__ import annotations

from django.core import signing
from django.db import connection

SALT = "portico.real_estate.media"
LIFETIME = 60 * 60  # seconds


def _value(url_name: str, pk: int) -> str:
    return f"{connection.schema_name}:{url_name}:{pk}"


def media_signature(url_name: str, pk: int) -> str:
    """``<timestamp>:<signature>`` for the file ``pk`` behind ``real_estate:<url_name>``."""
    value = _value(url_name, pk)
    return signing.TimestampSigner(salt=SALT).sign(value)[len(value) + 1 :]


def media_signature_valid(signature: str | None, url_name: str, pk: int) -> bool:
    if not signature or len(signature) > 200:
        return False
    try:
        signing.TimestampSigner(salt=SALT).unsign(f"{_value(url_name, pk)}:{signature}", max_age=LIFETIME)
    except signing.BadSignature:  # SignatureExpired included
        return False
    return True
