"""The clock webhook scheduling reads (retries, the five-day rule, the sweeper); tests move it."""

from django.utils import timezone


def now():
    return timezone.now()
