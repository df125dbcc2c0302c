"""The module's built-in client emails (``modules.base``: ``<module>.email_defaults``). Tokens, on
top of the core's ``contact.first_name``, ``office.name`` and ``portal_link`` (the invoice's page):
``invoice.number``, ``invoice.total``, ``invoice.balance`` (what is left to pay) and
``invoice.due_date``, written in the client's language."""

from django.utils.translation import gettext_lazy as _

EMAIL_DEFAULTS = {
    "invoices.invoice_sent": (
        _("Invoice {{ invoice.number }} from {{ office.name }}"),
        _(
            "Hello {{ contact.first_name }},\n\n"
            "Please find attached invoice {{ invoice.number }} of {{ invoice.total }}, due on "
            "{{ invoice.due_date }}.\n\n"
            "You can see it and pay {{ invoice.balance }} online in your portal: {{ portal_link }}\n\n"
            "Kind regards,\n{{ office.name }}"
        ),
    ),
}
