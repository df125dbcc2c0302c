"""The clock the invoices' timed work reads (recurring invoices, reminders); tests move it."""

from datetime import date, datetime

from django.utils import timezone

from portal_core.time_zones import office_localtime


def now() -> datetime:
    return timezone.now()


def today() -> date:
    """The office's date now, in its own time zone (also in the worker)."""
    return office_localtime(now()).date()
