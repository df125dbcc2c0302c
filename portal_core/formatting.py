"""Dates, times, numbers and money for people, in the reader's language (Babel's CLDR data) and in
the office's time zone; one helper per kind, used by templates through the ``portico`` tag library.

Dates are unambiguous (the month as a word: ``2 Dec 2026, 14:30`` in English, ``2 dec 2026, 14:30``
in Dutch); a time names its zone only when the reader's own zone (told by their browser) differs
from the office's. Money is a ``Decimal`` with its ISO 4217 currency, written the local way
(``€598,000`` in English, ``€ 598.000`` in Dutch); cents are shown only when there are any.
"""

from __future__ import annotations

import contextvars
import functools
import zoneinfo
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from django.utils import timezone, translation
from django.utils.translation import gettext as _

# Django's language codes → the Babel locale whose formats read best (English: day before month).
BABEL_LOCALES = {"en": "en_GB", "no": "nb"}
DEFAULT_CURRENCY = "EUR"
READER_TIME_ZONE_COOKIE = "portico_tz"

_reader_zone: contextvars.ContextVar[str] = contextvars.ContextVar("reader_zone", default="")


@functools.cache
def babel_locale(language: str | None = None) -> Locale:
    """The Babel locale for a Django language code (the active one by default)."""
    code = (language or translation.get_language() or "en").replace("-", "_")
    try:
        return Locale.parse(BABEL_LOCALES.get(code, code))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en_GB")


def _locale() -> Locale:
    return babel_locale(translation.get_language())


def reader_time_zone_set(name: str) -> contextvars.Token:
    """Remember the reader's own time zone (from their browser) for this request."""
    return _reader_zone.set(name if _valid_zone(name) else "")


def reader_time_zone_reset(token: contextvars.Token) -> None:
    _reader_zone.reset(token)


@functools.cache
def _valid_zone(name: str) -> bool:
    if not name or len(name) > 64:
        return False
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _zone_differs(value: datetime) -> bool:
    reader = _reader_zone.get()
    if not reader:
        return False
    current = timezone.get_current_timezone()
    theirs = zoneinfo.ZoneInfo(reader)
    return value.astimezone(current).utcoffset() != value.astimezone(theirs).utcoffset()


def _local(value: datetime) -> datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


@functools.lru_cache(maxsize=512)
def _skeleton_format(locale_name: str, skeleton: str):
    """The language's pattern for ``skeleton``: Babel matches it against every skeleton the language
    has, which costs more than the formatting itself, so it is matched once per language."""
    locale = Locale.parse(locale_name)
    if skeleton not in locale.datetime_skeletons:
        skeleton = babel_dates.match_skeleton(skeleton, locale.datetime_skeletons)
    return locale.datetime_skeletons[skeleton]


def _skeleton(skeleton: str, value, locale: Locale) -> str:
    """``babel.dates.format_skeleton``, with the skeleton matched once per language."""
    return babel_dates.format_datetime(value, _skeleton_format(str(locale), skeleton), locale=locale)


def format_date(value: date | datetime | None, with_year: bool = True) -> str:
    """``2 Dec 2026`` (``2 dec 2026``, ``2. Dez. 2026``…); "" for nothing."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = _local(value).date()
    return _skeleton("yMMMd" if with_year else "MMMd", value, _locale())


def format_weekday_date(value: date | datetime | None) -> str:
    """``Wed 2 Dec 2026``: for agendas and viewing times."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = _local(value).date()
    return _skeleton("yMMMEd", value, _locale())


def format_long_date(value: date | datetime | None) -> str:
    """``Monday 7 December 2026`` (``maandag 7 december 2026``): agenda headings."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = _local(value).date()
    return babel_dates.format_date(value, format="full", locale=_locale())


def format_time(value: datetime | None) -> str:
    """``14:30`` in the office's zone (with the zone when the reader's differs)."""
    if value is None or value == "":
        return ""
    local = _local(value)
    text = _skeleton("Hm", local, _locale())
    return _with_zone(text, local)


def _with_zone(text: str, local: datetime) -> str:
    if timezone.is_aware(local) and _zone_differs(local):
        zone = babel_dates.get_timezone_name(local, width="short", locale=_locale(), zone_variant=None)
        if not zone or zone.startswith(("GMT", "UTC")) and local.tzinfo:
            zone = str(local.tzinfo).replace("_", " ")
        return f"{text} ({zone})"
    return text


def format_datetime(value: datetime | None, *, weekday: bool = False) -> str:
    """``2 Dec 2026, 14:30`` (``2 dec 2026, 14:30``): date and time in the locale's own order."""
    if value is None or value == "":
        return ""
    local = _local(value)
    locale = _locale()
    day = _skeleton("yMMMEd" if weekday else "yMMMd", local, locale)
    time = _skeleton("Hm", local, locale)
    pattern = locale.datetime_formats.get("medium", "{1}, {0}")
    text = str(pattern).replace("{1}", day).replace("{0}", time)
    return _with_zone(text, local)


def format_short_datetime(value: datetime | None) -> str:
    """``Tue 8 Dec, 07:00``: a time soon, on a button."""
    if value is None or value == "":
        return ""
    local = _local(value)
    locale = _locale()
    day = _skeleton("MMMEd", local, locale)
    time = _skeleton("Hm", local, locale)
    pattern = locale.datetime_formats.get("medium", "{1}, {0}")
    return _with_zone(str(pattern).replace("{1}", day).replace("{0}", time), local)


def format_ago(value: datetime | None, *, now: datetime | None = None) -> str:
    """``just now``, ``5 minutes ago``, ``3 days ago``; older than a week: the date."""
    if value is None or value == "":
        return ""
    now = now or timezone.now()
    delta = now - value
    if delta < timedelta(seconds=60):
        return _("just now")
    if delta > timedelta(days=7):
        return format_date(value)
    return babel_dates.format_timedelta(-delta, add_direction=True, locale=_locale(), threshold=1.0)


def format_number(value: int | float | Decimal | None, *, digits: int | None = None) -> str:
    """``1,250`` (``1.250``): grouped the local way."""
    if value is None or value == "":
        return ""
    if digits is not None:
        return babel_numbers.format_decimal(
            value, format=f"#,##0.{'0' * digits}" if digits else "#,##0", locale=_locale()
        )
    return babel_numbers.format_decimal(value, locale=_locale())


def money_round(amount: Decimal, currency: str = DEFAULT_CURRENCY) -> Decimal:
    """The one rounding rule for money: half up to the currency's minor unit (cents for EUR)."""
    if not isinstance(amount, Decimal):
        raise TypeError("money is a Decimal")
    places = babel_numbers.get_currency_precision(currency.upper())
    return amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_money(amount: Decimal | None, currency: str = DEFAULT_CURRENCY) -> str:
    """``€598,000`` / ``€ 598.000`` / ``598.000 €``: a ``Decimal`` in its ISO 4217 ``currency``, with
    the minor unit only when the amount has one."""
    if amount is None or amount == "":
        return ""
    if isinstance(amount, float):
        raise TypeError("money is a Decimal, never a float")
    amount = money_round(Decimal(amount), currency)
    locale = _locale()
    whole = amount == amount.to_integral_value()
    pattern = _currency_pattern(str(locale), whole=whole)
    if whole:
        return pattern.apply(amount, locale, currency=currency.upper(), currency_digits=False)
    return pattern.apply(amount, locale, currency=currency.upper())


@functools.lru_cache(maxsize=64)
def _currency_pattern(locale_name: str, *, whole: bool) -> babel_numbers.NumberPattern:
    """The language's currency pattern, parsed once (a card grid formats dozens of prices); for
    whole amounts, without the minor unit. Never changed after it is made."""
    pattern = babel_numbers.parse_pattern(Locale.parse(locale_name).currency_formats["standard"])
    if whole:
        pattern.frac_prec = (0, 0)
    return pattern


def format_list(items: list[str], *, style: str = "standard") -> str:
    """``a, b and c`` (``a, b en c``)."""
    from babel.lists import format_list as babel_format_list

    return babel_format_list([str(i) for i in items], style=style, locale=_locale()) if items else ""
