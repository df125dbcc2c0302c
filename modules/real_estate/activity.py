"""The activity entries the real-estate module writes, and how each reads: to the office in English,
to the client in their own language (rendered when shown, from the entry's parameters)."""

from django.utils.translation import gettext_lazy as _

from modules.base import ActivityKind

ACTIVITY_KINDS = [
    ActivityKind(
        "deal_created", "Deal opened: %(title)s", _("Your office opened a search for you: %(title)s")
    ),
    ActivityKind(
        "property_offered", "Property offered: %(title)s", _("A new property was offered to you: %(title)s")
    ),
    ActivityKind(
        "interest_changed",
        {"interested": "Interested in %(title)s", "not_interested": "Not interested in %(title)s"},
        {
            "interested": _("You are interested in %(title)s"),
            "not_interested": _("You are not interested in %(title)s"),
        },
        variant="interest",
    ),
    ActivityKind(
        "favourite_changed",
        {"added": "Added %(title)s to favourites", "removed": "Removed %(title)s from favourites"},
        {
            "added": _("You added %(title)s to your favourites"),
            "removed": _("You removed %(title)s from your favourites"),
        },
        variant="change",
    ),
    ActivityKind("property_approved", "Approved %(title)s", _("Your office approved %(title)s for you")),
    ActivityKind("viewing_requested", "Asked to view %(title)s", _("You asked to view %(title)s")),
    ActivityKind(
        "viewing_proposed",
        "Proposed another time to view %(title)s",
        _("Your office proposed another time to view %(title)s"),
    ),
    ActivityKind(
        "viewing_confirmed", "Viewing of %(title)s confirmed", _("Your viewing of %(title)s is confirmed")
    ),
    ActivityKind(
        "viewing_rescheduled", "Viewing of %(title)s moved", _("Your viewing of %(title)s was moved")
    ),
    ActivityKind(
        "viewing_cancelled",
        {
            "client": "Cancelled the viewing of %(title)s",
            "office": "The office cancelled the viewing of %(title)s",
        },
        {
            "client": _("You cancelled the viewing of %(title)s"),
            "office": _("Your office cancelled the viewing of %(title)s"),
        },
        variant="by",
    ),
    ActivityKind("viewing_visited", "Visited %(title)s", _("You visited %(title)s")),
    ActivityKind(
        "feedback_submitted",
        {"rated": "Gave feedback on %(title)s (%(rating)s/5)", "": "Gave feedback on %(title)s"},
        {"rated": _("You gave feedback on %(title)s"), "": _("You gave feedback on %(title)s")},
        variant="rated",
    ),
    ActivityKind(
        "agent_contacted", "Wrote to the office: %(subject)s", _("You wrote to your office: %(subject)s")
    ),
    ActivityKind(
        "agent_replied", "Replied to: %(subject)s", _("Your office answered your message: %(subject)s")
    ),
]
