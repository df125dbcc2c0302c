"""The module's client emails. Tokens, besides the core's ``contact.first_name`` and
``office.name``: ``proposal.title``, ``proposal.total``, ``proposal.valid_until``; ``portal_link``
opens the proposal."""

from django.utils.translation import gettext_lazy as _

EMAIL_DEFAULTS = {
    "proposals.proposal_sent": (
        _("{{ office.name }} sent you a proposal: {{ proposal.title }}"),
        _(
            "Hello {{ contact.first_name }},\n\n"
            "{{ office.name }} has a proposal for you: {{ proposal.title }}, {{ proposal.total }}.\n\n"
            "Review it, choose your options and accept it online in your portal: {{ portal_link }}\n\n"
            "Kind regards,\n{{ office.name }}"
        ),
    ),
    "proposals.proposal_reminder": (
        _("Your proposal {{ proposal.title }} is valid until {{ proposal.valid_until }}"),
        _(
            "Hello {{ contact.first_name }},\n\n"
            "A friendly reminder: the proposal {{ proposal.title }} from {{ office.name }} is valid "
            "until {{ proposal.valid_until }}.\n\n"
            "Review and accept it in your portal: {{ portal_link }}\n\n"
            "Kind regards,\n{{ office.name }}"
        ),
    ),
    "proposals.countersigned": (
        _("Your signed copy of {{ proposal.title }}"),
        _(
            "Hello {{ contact.first_name }},\n\n"
            "{{ office.name }} has countersigned {{ proposal.title }}. The final document, signed by "
            "you both and sealed, is attached; it is also in your portal: {{ portal_link }}\n\n"
            "Kind regards,\n{{ office.name }}"
        ),
    ),
}
EMAIL_NOTIFICATIONS = {
    "proposals.reminders": (_("Reminders of proposals about to expire"), ["proposals.proposal_reminder"]),
}
