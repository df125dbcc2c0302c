"""Signed links to the module's files, for callers without a browser session.

The API gives its callers (an integration with an API key, a widget with a client's token) links
they can put in an ``<img src>``: the media URL plus ``?sig=``, a signature over the office's
schema, the URL name and the row id with a timestamp, valid for :data:`LIFETIME`. The timestamp is
rounded down to :data:`STEP`, so a file's link stays the same for a while and browsers cache it. The
media views serve a file on a valid signature alone; without one they check the session as before.
"""

from __future__ import annotations

import time

from django.core import signing
from django.db import connection

SALT = "portico.real_estate.media"
LIFETIME = 60 * 60  # seconds, from the start of the step the link was made in
STEP = 10 * 60


class _SteppedSigner(signing.TimestampSigner):
    def timestamp(self):
        return signing.b62_encode(int(time.time()) // STEP * STEP)


def _value(url_name: str, pk: int) -> str:
    return f"{connection.schema_name}:{url_name}:{pk}"


def media_signature(url_name: str, pk: int) -> str:
    """``<timestamp>:<signature>`` for the file ``pk`` behind ``real_estate:<url_name>``."""
    value = _value(url_name, pk)
    return _SteppedSigner(salt=SALT).sign(value)[len(value) + 1 :]


def media_signature_valid(signature: str | None, url_name: str, pk: int) -> bool:
    if not signature or len(signature) > 200:
        return False
    try:
        signing.TimestampSigner(salt=SALT).unsign(f"{_value(url_name, pk)}:{signature}", max_age=LIFETIME)
    except signing.BadSignature:  # SignatureExpired included
        return False
    return True
