"""The module's built-in client emails (``modules.base``: ``<module>.email_defaults``). Tokens, on
top of the core's ``contact.first_name``, ``office.name`` and ``portal_link``: ``property.title``,
``property.address``, ``viewing.time`` (the confirmed or proposed time), ``viewing.slots`` (the
client's preferred times, one a line), ``viewing.reason`` (a cancellation's reason, may be empty),
``message.subject`` and ``reply.body``."""

from django.utils.translation import gettext_lazy as _

EMAIL_DEFAULTS = {
    "real_estate.viewing_requested": (
        _("Your viewing request for {{ property.title }}"),
        _(
            "Hello {{ contact.first_name }},\n\n"
            "We received your request to view {{ property.title }} ({{ property.address }}). "
            "You would like to come:\n{{ viewing.slots }}\n\n"
            "We will confirm a time with you soon. You can follow your request in your portal: "
            "{{ portal_link }}\n\n"
            "Kind regards,\n{{ office.name }}"
        ),
    ),
    "real_estate.viewing_confirmed": (
        _("Your viewing of {{ property.title }} is confirmed"),
        _(
            "Hello {{ contact.first_name }},\n\n"
            "Your viewing of {{ property.title }} ({{ property.address }}) is confirmed for "
            "{{ viewing.time }}.\n\n"
            "See the details, or cancel if you cannot come, in your portal: {{ portal_link }}\n\n"
            "Kind regards,\n{{ office.name }}"
        ),
    ),
    "real_estate.viewing_proposed": (
        _("A new time for your viewing of {{ property.title }}"),
        _(
            "Hello {{ contact.first_name }},\n\n"
            "The times you suggested to view {{ property.title }} ({{ property.address }}) do not work "
            "for us. We propose {{ viewing.time }} instead.\n\n"
            "Please accept this time, or cancel the viewing, in your portal: {{ portal_link }}\n\n"
            "Kind regards,\n{{ office.name }}"
        ),
    ),
    "real_estate.viewing_rescheduled": (
        _("Your viewing of {{ property.title }} has moved"),
        _(
            "Hello {{ contact.first_name }},\n\n"
            "Your viewing of {{ property.title }} ({{ property.address }}) now takes place on "
            "{{ viewing.time }}.\n\n"
            "See the details, or cancel if you cannot come, in your portal: {{ portal_link }}\n\n"
            "Kind regards,\n{{ office.name }}"
        ),
    ),
    "real_estate.viewing_cancelled": (
        _("Your viewing of {{ property.title }} is cancelled"),
        _(
            "Hello {{ contact.first_name }},\n\n"
            "We had to cancel your viewing of {{ property.title }} ({{ property.address }}).\n\n"
            "{{ viewing.reason }}\n\n"
            "You can ask for a new viewing in your portal: {{ portal_link }}\n\n"
            "Kind regards,\n{{ office.name }}"
        ),
    ),
    "real_estate.agent_reply": (
        _("Re: {{ message.subject }}"),
        _(
            "Hello {{ contact.first_name }},\n\n"
            "{{ reply.body }}\n\n"
            "Kind regards,\n{{ office.name }}\n\n"
            "Your portal: {{ portal_link }}"
        ),
    ),
}

# Updates a client may switch off (one-click unsubscribe); a request's receipt stays transactional.
EMAIL_NOTIFICATIONS = {
    "real_estate.viewing_updates": (
        _("Updates about your viewings"),
        (
            "real_estate.viewing_confirmed",
            "real_estate.viewing_proposed",
            "real_estate.viewing_rescheduled",
            "real_estate.viewing_cancelled",
        ),
    ),
    "real_estate.agent_replies": (_("Replies to your messages"), ("real_estate.agent_reply",)),
}
