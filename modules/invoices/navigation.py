from django.utils.translation import gettext_lazy as _

from modules.base import NavItem

portal_items = [NavItem(label=_("Invoices"), url_name="list", icon="receipt")]
office_items = [
    NavItem(label="Invoices", url_name="list", icon="receipt"),
    NavItem(label="Recurring", url_name="recurring", icon="repeat"),
    NavItem(label="Settings", url_name="settings", icon="settings"),
]


def office_counts(request) -> dict[str, int]:
    """Overdue invoices wait for the office (a reminder, a call): shown beside "Invoices"."""
    from . import clock
    from .models import Invoice

    overdue = Invoice.objects.filter(
        status__in=[Invoice.Status.SENT, Invoice.Status.PARTIALLY_PAID], due_date__lt=clock.today()
    ).count()
    return {"list": overdue}
