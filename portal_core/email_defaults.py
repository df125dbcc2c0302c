"""The built-in wording of every client email. Offices can override each per language; the
``{{ tokens }}`` are filled in when sending (see ``emails.TOKENS``)."""

from django.utils.translation import gettext_lazy as _

DEFAULTS = {
    "invitation": (
        _("You're invited to the client portal of {{ office.name }}"),
        _(
            "Hello {{ contact.first_name }},\n\n"
            "{{ office.name }} invites you to your own client portal.\n\n"
            "{{ custom_message }}\n\n"
            "Open your portal: {{ portal_link }}\n\n"
            "The invitation link is valid for {{ expires_in }}.\n\n"
            "Kind regards,\n{{ office.name }}"
        ),
    ),
    "invitation_temporary_password": (
        _("You're invited to the client portal of {{ office.name }}"),
        _(
            "Hello {{ contact.first_name }},\n\n"
            "{{ office.name }} invites you to your own client portal.\n\n"
            "{{ custom_message }}\n\n"
            "Sign in at {{ portal_link }} with your email and this temporary password: "
            "{{ temporary_password }}\n"
            "You will choose your own password the first time you sign in.\n\n"
            "Kind regards,\n{{ office.name }}"
        ),
    ),
    "magic_link": (
        _("Your sign-in link for {{ office.name }}"),
        _(
            "Hello {{ contact.first_name }},\n\n"
            "Use this link to sign in to your portal: {{ portal_link }}\n\n"
            "It works once and is valid for {{ expires_in }}. If you did not ask for it, you can ignore this "
            "email.\n\n{{ office.name }}"
        ),
    ),
    "login_email": (
        _("Sign in to your {{ office.name }} portal"),
        _(
            "Hello {{ contact.first_name }},\n\n"
            "{{ office.name }} has news for you in your client portal. Sign in with one click: "
            "{{ portal_link }}\n\n"
            "The link works once and is valid for {{ expires_in }}.\n\n{{ office.name }}"
        ),
    ),
    "password_reset": (
        _("Reset your password for {{ office.name }}"),
        _(
            "Hello {{ contact.first_name }},\n\n"
            "Choose a new password for your portal here: {{ portal_link }}\n\n"
            "The link is valid for {{ expires_in }}. If you did not ask for it, you can ignore this email: "
            "your password stays the same.\n\n{{ office.name }}"
        ),
    ),
    "password_reset_shared": (
        _("About resetting your password for {{ office.name }}"),
        _(
            "Hello,\n\n"
            "Someone asked to reset the portal password for this email address. Several accounts at "
            "{{ office.name }} share this address, so the password cannot be reset from the email alone.\n\n"
            "Please contact {{ office.name }}: they will reset it for you and send you a new link.\n\n"
            "{{ office.name }}"
        ),
    ),
    "verification_code": (
        _("Your verification code: {{ code }}"),
        _(
            "Hello {{ contact.first_name }},\n\n"
            "Your code to create your account at {{ office.name }} is: {{ code }}\n\n"
            "It is valid for {{ expires_in }}. If you did not ask for it, you can ignore this email.\n\n"
            "{{ office.name }}"
        ),
    ),
}
