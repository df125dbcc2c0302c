"""What only the real-estate API has: the order of offered properties, and absolute, signed links
to the module's media. Everything else (views, pages, errors, the schema, the module gate) comes
from the core's resource kit, ``portal_core.api.resources``."""

from __future__ import annotations

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from portal_core.access import portal_link
from portal_core.api.resources import CursorPagination

from ..media_links import media_signature


class OfferedCursorPagination(CursorPagination):
    """Offered properties, latest offer first."""

    ordering = ("-offered_at", "id")


def media_url(url_name: str, pk: int) -> str | None:
    """The absolute URL of a file served by the module's portal views (``real_estate:<url_name>``)
    on the office's primary host, signed for an hour (``media_links``) so that an ``<img>`` on the
    caller's own page loads it without a session; None while those views are not mounted."""
    try:
        path = reverse(f"real_estate:{url_name}", args=[pk], urlconf=settings.ROOT_URLCONF)
    except NoReverseMatch:
        return None
    return f"{portal_link(path)}?sig={media_signature(url_name, pk)}"
