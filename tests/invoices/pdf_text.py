"""Reading an invoice PDF back as a client would: its text, and the money on it as a Decimal."""

from __future__ import annotations

import io
import re
from decimal import Decimal

from babel import numbers as babel_numbers
from pypdf import PdfReader

from portal_core.formatting import babel_locale


def pdf_text(content: bytes) -> str:
    """Every page's text, non-breaking spaces (between a currency and its amount) as plain ones."""
    assert content.startswith(b"%PDF-"), content[:20]
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def labelled(text: str, label: str) -> str:
    """The rest of the first line that starts with ``label`` (``Total €381.04`` → ``€381.04``)."""
    for line in text.splitlines():
        if line.strip().startswith(f"{label} "):
            return line.strip()[len(label) :].strip()
    raise AssertionError(f"no line starts with {label!r} in:\n{text}")


def amount_of(written: str, language: str = "en") -> Decimal:
    """``€1,234.50`` / ``1.234,50 €`` / ``€ 1.234,50`` → ``Decimal("1234.50")``."""
    number = re.sub(r"[^\d.,'−-]", "", written).replace("−", "-")
    return babel_numbers.parse_decimal(number, locale=babel_locale(language), strict=False)
