"""Portico's template tags: dates, times, numbers and money in the reader's language
(``portal_core.formatting``), the office's brand as custom properties, module names for people."""

from django import template

from .. import formatting
from ..branding import brand_properties

register = template.Library()

register.filter("day", formatting.format_date)
register.filter("weekday_date", formatting.format_weekday_date)
register.filter("long_day", formatting.format_long_date)
register.filter("short_when", formatting.format_short_datetime)
register.filter("clock", formatting.format_time)
register.filter("ago", formatting.format_ago)
register.filter("number", formatting.format_number)


@register.filter
def when(value, style: str = ""):
    """``{{ viewing.start|when }}`` → ``2 Dec 2026, 14:30``; ``|when:"weekday"`` adds the day."""
    return formatting.format_datetime(value, weekday=style == "weekday")


@register.filter
def money(amount, currency: str = formatting.DEFAULT_CURRENCY):
    """``{{ property.price|money:"EUR" }}`` → ``€598,000`` / ``€ 598.000``."""
    return formatting.format_money(amount, currency or formatting.DEFAULT_CURRENCY)


@register.filter
def brand_style(config) -> str:
    """The ``style`` of a branded page's root: the office's colours and readable text on them."""
    return brand_properties(config.primary_color, config.secondary_color)


@register.filter
def module_name(key: str) -> str:
    """A module's name for people (``real_estate`` → ``Real estate``), never its key."""
    from modules.registry import registry

    if not key:
        return ""
    return registry.get(key).name if key in registry else key.replace("_", " ").capitalize()
