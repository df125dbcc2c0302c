"""What every printed document shares (invoices, proposals, contracts): WeasyPrint rendering that
fetches nothing but inlined ``data:`` URLs, the office's logo inlined, and money, quantities and
rates written the way the reader's language writes them (Babel)."""

from __future__ import annotations

import base64
import threading
from decimal import Decimal

from babel import numbers as babel_numbers

from .formatting import babel_locale

CONTENT_TYPE = "application/pdf"
_fonts = None
_rendering = threading.Lock()


def money_text(amount: Decimal, currency: str, language: str) -> str:
    """``€1,234.50`` / ``1.234,50 €``: every minor unit shown, as a printed document does."""
    if not isinstance(amount, Decimal):
        raise TypeError("money is a Decimal, never a float")
    return babel_numbers.format_currency(amount, currency, locale=babel_locale(language))


def number_text(value: Decimal, language: str) -> str:
    """``1.5`` / ``1,5``: a quantity, without trailing zeros."""
    return babel_numbers.format_decimal(value.normalize(), format="#,##0.###", locale=babel_locale(language))


def percent_text(value: Decimal, language: str) -> str:
    """``21%`` / ``21 %`` / ``5,5 %``: a rate given in percent."""
    locale = babel_locale(language)
    pattern = babel_numbers.parse_pattern(locale.percent_formats[None])
    pattern.frac_prec = (0, 2)
    return pattern.apply(value / 100, locale)


def logo_data_uri(config) -> str:
    if not config.portal_logo:
        return ""
    try:
        with config.portal_logo.open("rb") as logo:
            data = logo.read()
    except OSError:
        return ""
    kind = "image/png" if data[:8] == b"\x89PNG\r\n\x1a\n" else "image/jpeg"
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


def pdf_render(html: str) -> bytes:
    """``html`` rendered by WeasyPrint, every time."""
    # Imported here: loading WeasyPrint (its fonts and stylesheets) takes seconds that no process
    # should pay before it renders its first PDF.
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    global _fonts
    # One font configuration per process (Pango's font map and its caches), used by one rendering
    # at a time: it is not safe to share between threads.
    with _rendering:
        _fonts = _fonts or FontConfiguration()
        document = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"}, timeout=1))
        return document.write_pdf(font_config=_fonts)
