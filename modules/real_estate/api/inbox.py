"""``/api/v1/real-estate/feedback/`` and ``messages/``: what clients send the office, feedback after
a viewing (read-only) and messages to the agent (answered by email)."""

from __future__ import annotations

from portal_core.api.resources import LIST_DESCRIPTION, ListRows, OfficeResource, RowAction, ShowRow, doc

from .. import selectors, services
from ..models import Feedback
from . import serializers as s


class FeedbackView(OfficeResource):
    resource = "feedback"
    OutputSerializer = s.FeedbackSerializer

    def get_queryset(self):
        return Feedback.objects.select_related("offered__property", "offered__deal").prefetch_related(
            "photos", "voice_notes"
        )


class FeedbackListView(ListRows, FeedbackView):
    FilterSerializer = s.FeedbackFilterSerializer
    lookups = {
        "offer": "offered_id",
        "contact": "offered__deal__contact_id",
        "deal": "offered__deal_id",
        "property": "offered__property_id",
    }
    docs = {
        "list": doc(
            "List feedback",
            LIST_DESCRIPTION + " Photos and voice notes come as metadata with a URL each; the files are "
            "served to the office's signed-in staff and to the client they belong to.",
        )
    }


class FeedbackDetailView(ShowRow, FeedbackView):
    docs = {"retrieve": doc("Get a feedback item")}


# --- messages to the agent ----------------------------------------------------------------------


class MessageView(OfficeResource):
    resource = "messages"
    OutputSerializer = s.AgentMessageSerializer

    def get_queryset(self):
        return selectors.agent_messages_inbox()


class AgentMessageListView(ListRows, MessageView):
    FilterSerializer = s.AgentMessageFilterSerializer
    lookups = {"contact": "contact_id"}
    docs = {
        "list": doc(
            "List messages from clients",
            LIST_DESCRIPTION + " Reading the list does not mark them read (``…/read`` does).",
        )
    }

    def rows(self, filters):
        messages = super().rows(filters)
        if filters.get("unread") is not None:
            messages = messages.filter(read_at__isnull=filters["unread"])
        if filters.get("replied") is not None:
            messages = messages.filter(replied_at__isnull=not filters["replied"])
        return messages


class AgentMessageDetailView(ShowRow, MessageView):
    docs = {"retrieve": doc("Get a message")}


class AgentMessageReadView(RowAction, MessageView):
    action = "read"
    docs = {
        "read": doc(
            "Mark a message read", "It leaves the office's unread count. Marking it again changes nothing."
        )
    }

    def act(self, row, data, actor):
        services.agent_message_read(message=row)


class AgentMessageReplyView(RowAction, MessageView):
    action = "reply"
    InputSerializer = s.AgentReplySerializer
    docs = {
        "reply": doc(
            "Reply to a message",
            "The reply is emailed to the client (in their language's template) and kept with the "
            "message. One reply per message; refused (400) when the client has no email address.",
        )
    }

    def act(self, row, data, actor):
        services.agent_reply(message=row, body=data["body"], actor=actor)
