from django.utils.translation import gettext_lazy as _

from modules.base import NavItem

portal_items = [
    NavItem(label=_("Properties"), url_name="home", icon="house"),
    NavItem(label=_("Viewings"), url_name="viewings", icon="calendar"),
]
# The office speaks English (as the rest of the office).
office_items = [
    NavItem(label="Properties", url_name="properties", icon="house"),
    NavItem(label="Deals", url_name="deals", icon="handshake"),
    NavItem(label="Viewings", url_name="agenda", icon="calendar"),
    NavItem(label="Messages", url_name="inbox", icon="mail"),
]


def office_counts(request) -> dict[str, int]:
    """Viewing requests awaiting the office and unread messages, beside their entries."""
    from .selectors import agent_messages_unread_count, viewings_awaiting_office

    return {"agenda": viewings_awaiting_office().count(), "inbox": agent_messages_unread_count()}
