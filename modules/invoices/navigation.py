from django.utils.translation import gettext_lazy as _

from modules.base import NavItem

portal_items = [NavItem(label=_("Invoices"), url_name="list", icon="receipt")]
office_items = [
    NavItem(label="Invoices", url_name="list", icon="receipt"),
    NavItem(label="Recurring", url_name="recurring", icon="repeat"),
    NavItem(label="Reminders", url_name="settings", icon="bell"),
]
