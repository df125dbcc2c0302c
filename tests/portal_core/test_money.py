"""The core's money helper: minor units and the one rounding rule for a priced document, by example
and by property (hypothesis): totals are consistent to the cent whatever the lines."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal_core.money import Line, from_minor, minor_digits, percentage_of, to_minor, totals

D = Decimal


def test_it_knows_each_currencys_minor_unit_and_refuses_what_is_not_one():
    assert (minor_digits("EUR"), minor_digits("jpy"), minor_digits("KWD")) == (2, 0, 3)
    for bad in ("EURO", "XYZ", "", "€"):
        with pytest.raises(ValueError, match="ISO 4217"):
            minor_digits(bad)


def test_it_converts_to_and_from_minor_units_without_rounding_silently():
    assert to_minor(D("12.34"), "EUR") == 1234 and to_minor(D("1500"), "JPY") == 1500
    assert from_minor(1234, "EUR") == D("12.34") and str(from_minor(5, "KWD")) == "0.005"
    with pytest.raises(ValueError, match="minor unit"):
        to_minor(D("12.345"), "EUR")
    with pytest.raises(TypeError):
        to_minor(12.34, "EUR")
    with pytest.raises(TypeError):
        from_minor(D(12), "EUR")


def test_an_invoice_with_two_rates_a_line_discount_and_a_document_discount():
    result = totals(
        [
            Line(D("3"), D("19.99"), tax_rate=D("21")),  # 59.97
            Line(D("1.5"), D("80"), tax_rate=D("9"), discount_percent=D("10")),  # 120 - 12 = 108
            Line(D("1"), D("0.01"), tax_rate=D("21")),
        ],
        currency="EUR",
        discount_percent=D("5"),
    )
    assert result.lines == (D("59.97"), D("108.00"), D("0.01"))
    assert result.subtotal == D("167.98") and result.discount == D("8.40")
    assert result.net == D("159.58")
    assert [(g.rate, g.net, g.tax) for g in result.taxes] == [
        (D("9"), D("102.60"), D("9.23")),
        (D("21"), D("56.98"), D("11.97")),
    ]
    assert result.tax == D("21.20") and result.total == D("180.78")


def test_prices_with_tax_included_keep_the_total_the_client_was_shown():
    result = totals([Line(D("1"), D("121.00"), tax_rate=D("21"))], currency="EUR", prices_include_tax=True)
    assert (result.net, result.tax, result.total) == (D("100.00"), D("21.00"), D("121.00"))


def test_a_currency_without_a_minor_unit_rounds_to_whole_units():
    result = totals([Line(D("3"), D("333"), tax_rate=D("10"))], currency="JPY", discount_amount=D("100"))
    assert (result.net, result.tax, result.total) == (D("899"), D("90"), D("989"))
    assert to_minor(result.total, "JPY") == 989


def test_it_refuses_floats_bad_discounts_and_a_discount_larger_than_the_lines():
    with pytest.raises(TypeError):
        Line(1.5, D("2"))
    with pytest.raises(ValueError):
        Line(D("1"), D("2"), discount_percent=D("101"))
    with pytest.raises(ValueError, match="not both"):
        totals([Line(D(1), D(10))], currency="EUR", discount_percent=D(1), discount_amount=D(1))
    with pytest.raises(ValueError, match="more than"):
        totals([Line(D(1), D(10))], currency="EUR", discount_amount=D("10.01"))


def test_a_deposit_is_a_percentage_rounded_the_same_way():
    assert percentage_of(D("180.78"), D("30"), "EUR") == D("54.23")


amounts = st.decimals(min_value=D("0"), max_value=D("99999.99"), places=2)
quantities = st.decimals(min_value=D("0.01"), max_value=D("1000"), places=2)
rates = st.sampled_from([D("0"), D("5.5"), D("9"), D("19"), D("21"), D("25")])
percents = st.decimals(min_value=D("0"), max_value=D("100"), places=2)
lines = st.builds(Line, quantity=quantities, unit_price=amounts, tax_rate=rates, discount_percent=percents)


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(lines, min_size=1, max_size=12),
    currency=st.sampled_from(["EUR", "USD", "JPY", "KWD"]),
    inclusive=st.booleans(),
    document_percent=percents,
)
def test_totals_add_up_to_the_cent_whatever_the_lines(lines, currency, inclusive, document_percent):
    result = totals(lines, currency=currency, prices_include_tax=inclusive, discount_percent=document_percent)
    digits = minor_digits(currency)
    for value in (*result.lines, result.subtotal, result.discount, result.net, result.tax, result.total):
        assert value.as_tuple().exponent == -digits, value  # exactly the minor unit, never more
    assert result.subtotal == sum(result.lines)
    assert result.total == result.net + result.tax
    assert result.net == sum(g.net for g in result.taxes) and result.tax == sum(g.tax for g in result.taxes)
    after_discount = result.subtotal - result.discount
    assert (result.total if inclusive else result.net) == after_discount
    assert D(0) <= result.discount <= result.subtotal
    assert all(g.tax >= 0 for g in result.taxes)
    assert from_minor(to_minor(result.total, currency), currency) == result.total  # Stripe's amount
