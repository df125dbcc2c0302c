"""The module's built-in client emails (``modules.base``: ``<module>.email_defaults``). Tokens, on
top of the core's ``contact.first_name`` and ``office.name``: ``invoice.number``,
``invoice.total``, ``invoice.balance`` (what is left to pay), ``invoice.due_date``,
``payment.amount`` and ``payment.date`` (receipts); ``portal_link`` opens the invoice."""

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
    "invoices.reminder_before": (
        _("Invoice {{ invoice.number }} is due on {{ invoice.due_date }}"),
        _(
            "Hello {{ contact.first_name }},\n\n"
            "A friendly reminder: invoice {{ invoice.number }} is due on {{ invoice.due_date }}, "
            "with {{ invoice.balance }} left to pay.\n\n"
            "Pay it in your portal: {{ portal_link }}\n\n"
            "Kind regards,\n{{ office.name }}"
        ),
    ),
    "invoices.reminder_on": (
        _("Invoice {{ invoice.number }} is due today"),
        _(
            "Hello {{ contact.first_name }},\n\n"
            "Invoice {{ invoice.number }} is due today, with {{ invoice.balance }} left to pay.\n\n"
            "Pay it in your portal: {{ portal_link }}\n\n"
            "If you have paid already, thank you, and please ignore this email.\n\n"
            "Kind regards,\n{{ office.name }}"
        ),
    ),
    "invoices.reminder_after": (
        _("Invoice {{ invoice.number }} is overdue"),
        _(
            "Hello {{ contact.first_name }},\n\n"
            "Invoice {{ invoice.number }} was due on {{ invoice.due_date }} and {{ invoice.balance }} "
            "is still open.\n\n"
            "Please pay it in your portal: {{ portal_link }}\n\n"
            "If you have paid already, thank you, and please ignore this email.\n\n"
            "Kind regards,\n{{ office.name }}"
        ),
    ),
    "invoices.payment_receipt": (
        _("Receipt: {{ payment.amount }} for invoice {{ invoice.number }}"),
        _(
            "Hello {{ contact.first_name }},\n\n"
            "Thank you: we received {{ payment.amount }} on {{ payment.date }} for invoice "
            "{{ invoice.number }}. Left to pay: {{ invoice.balance }}.\n\n"
            "See the invoice in your portal: {{ portal_link }}\n\n"
            "Kind regards,\n{{ office.name }}"
        ),
    ),
}

# Reminders a client may switch off (one-click unsubscribe); invoices and receipts always go out.
EMAIL_NOTIFICATIONS = {
    "invoices.reminders": (
        _("Payment reminders"),
        ("invoices.reminder_before", "invoices.reminder_on", "invoices.reminder_after"),
    ),
}
