"""Money the way each language writes it, whatever was formatted before it in the process."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from portal_core.formatting import format_money


@pytest.mark.parametrize(
    ("language", "whole", "cents"),
    [
        ("en", "€598,000", "€1,234.50"),
        ("nl", "€ 598.000", "€ 1.234,50"),
        ("de", "598.000 €", "1.234,50 €"),
        ("fr", "598\u202f000 €", "1\u202f234,50 €"),
    ],
)
def test_amounts_show_their_currency_the_local_way(language, whole, cents):
    with translation.override(language):
        # Interleaved: a whole amount after one with cents (and back) keeps its own pattern.
        assert format_money(Decimal("1234.50"), "EUR").replace("\xa0", " ") == cents.replace("\xa0", " ")
        assert format_money(Decimal("598000"), "EUR").replace("\xa0", " ") == whole
        assert format_money(Decimal("1234.50"), "EUR").replace("\xa0", " ") == cents.replace("\xa0", " ")
        assert format_money(None, "EUR") == ""


def test_a_float_is_refused():
    with pytest.raises(TypeError, match="never a float"):
        format_money(598000.0, "EUR")
