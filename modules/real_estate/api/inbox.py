"""``/api/v1/real-estate/feedback/`` and ``messages/``: what clients send the office, feedback after
a viewing (read-only) and messages to the agent (answered by email)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_view

from .. import selectors, services
from ..models import Feedback
from . import serializers as s
from .base import LIST_DESCRIPTION, ListRows, OfficeView, RowAction, ShowRow, doc


def feedback_queryset():
    return Feedback.objects.select_related("offered__property", "offered__deal").prefetch_related(
        "photos", "voice_notes"
    )


@extend_schema_view(
    get=doc(
        "feedback_list",
        "List feedback",
        s.FeedbackSerializer(many=True),
        codes=(400,),
        description=LIST_DESCRIPTION + " Photos and voice notes come as metadata with a URL each; the "
        "files are served to the office's signed-in staff and to the client they belong to.",
        parameters=(s.FeedbackFilterSerializer,),
    )
)
class FeedbackListView(ListRows, OfficeView):
    FilterSerializer = s.FeedbackFilterSerializer
    lookups = {
        "offer": "offered_id",
        "contact": "offered__deal__contact_id",
        "deal": "offered__deal_id",
        "property": "offered__property_id",
    }
    OutputSerializer = serializer_class = s.FeedbackSerializer

    def get_queryset(self):
        return feedback_queryset()


@extend_schema_view(
    get=doc("feedback_retrieve", "Get a feedback item", s.FeedbackSerializer, model="Feedback")
)
class FeedbackDetailView(ShowRow, OfficeView):
    OutputSerializer = serializer_class = s.FeedbackSerializer

    def get_queryset(self):
        return feedback_queryset()


# --- messages to the agent ----------------------------------------------------------------------


class MessageView(OfficeView):
    OutputSerializer = serializer_class = s.AgentMessageSerializer

    def get_queryset(self):
        return selectors.agent_messages_inbox()


@extend_schema_view(
    get=doc(
        "messages_list",
        "List messages from clients",
        s.AgentMessageSerializer(many=True),
        codes=(400,),
        description=LIST_DESCRIPTION + " Reading the list does not mark them read (``…/read`` does).",
        parameters=(s.AgentMessageFilterSerializer,),
    )
)
class AgentMessageListView(ListRows, MessageView):
    FilterSerializer = s.AgentMessageFilterSerializer
    lookups = {"contact": "contact_id"}

    def rows(self, filters):
        messages = super().rows(filters)
        if filters.get("unread") is not None:
            messages = messages.filter(read_at__isnull=filters["unread"])
        if filters.get("replied") is not None:
            messages = messages.filter(replied_at__isnull=not filters["replied"])
        return messages


@extend_schema_view(
    get=doc("messages_retrieve", "Get a message", s.AgentMessageSerializer, model="Agent message")
)
class AgentMessageDetailView(ShowRow, MessageView):
    pass


@extend_schema_view(
    post=doc(
        "messages_read",
        "Mark a message read",
        s.AgentMessageSerializer,
        model="Agent message",
        description="It leaves the office's unread count. Marking it again changes nothing.",
        request=None,
    )
)
class AgentMessageReadView(RowAction, MessageView):
    def act(self, row, data, actor):
        services.agent_message_read(message=row)


@extend_schema_view(
    post=doc(
        "messages_reply",
        "Reply to a message",
        s.AgentMessageSerializer,
        codes=(400,),
        model="Agent message",
        description="The reply is emailed to the client (in their language's template) and kept with "
        "the message. One reply per message; refused (400) when the client has no email address.",
        request=s.AgentReplySerializer,
    )
)
class AgentMessageReplyView(RowAction, MessageView):
    InputSerializer = s.AgentReplySerializer

    def act(self, row, data, actor):
        services.agent_reply(message=row, body=data["body"], actor=actor)
