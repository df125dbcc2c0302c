"""Money for every module that prices something (invoices, proposals): amounts in ISO 4217 minor
units for payment providers, and the totals of a priced document, computed one way for all.

Money is a ``Decimal`` with an explicit currency, never a float. **The rounding rule**, the one
the office, the client, the PDF, the API and the payment provider all see:

1. Each line is ``quantity × unit price``, rounded half up to the currency's minor unit; its
   discount (a percentage) is rounded the same way and taken off: that is the line's amount.
2. A document discount (a percentage, or a fixed amount) is shared out over the lines in proportion
   to their amounts, each share rounded, the last cent going to the largest remainders, so that
   the shares add up exactly to the discount.
3. Tax is computed once per tax rate, on the sum of the discounted line amounts at that rate, and
   rounded (prices entered without tax: ``tax = net × rate``; with tax included:
   ``net = gross ÷ (1 + rate)``, ``tax = gross − net``).
4. ``total = net + tax``, exactly, in minor units.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal

from babel import numbers as babel_numbers
from django.core.validators import MaxValueValidator, MinValueValidator

from .formatting import money_round

HUNDRED = Decimal(100)
# The model fields of every priced document: money to the thousandth (rounded to the currency's
# minor unit by the rule below), and a percentage between 0 and 100.
MONEY_FIELD = {"max_digits": 14, "decimal_places": 3, "default": Decimal(0)}
PERCENT_FIELD = {
    "max_digits": 5,
    "decimal_places": 2,
    "default": Decimal(0),
    "validators": [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
}


def minor_digits(currency: str) -> int:
    """How many digits the currency's minor unit has (2 for EUR, 0 for JPY, 3 for KWD)."""
    code = (currency or "").upper()
    if len(code) != 3 or not code.isalpha() or code not in babel_numbers.list_currencies():
        raise ValueError(f"{currency!r} is not an ISO 4217 currency code.")
    return babel_numbers.get_currency_precision(code)


def to_minor(amount: Decimal, currency: str) -> int:
    """``Decimal("12.34")`` EUR → ``1234``: what a payment provider is sent. The amount must already
    be whole in minor units (round it first): nothing is rounded away silently here."""
    if not isinstance(amount, Decimal):
        raise TypeError("money is a Decimal, never a float")
    scaled = amount.scaleb(minor_digits(currency))
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} {currency} has more digits than the currency's minor unit.")
    return int(scaled)


def from_minor(units: int, currency: str) -> Decimal:
    """``1234`` EUR → ``Decimal("12.34")``."""
    if not isinstance(units, int) or isinstance(units, bool):
        raise TypeError("minor units are an int")
    digits = minor_digits(currency)
    return Decimal(units).scaleb(-digits).quantize(Decimal(1).scaleb(-digits))


@dataclass(frozen=True)
class Line:
    """One priced line: ``quantity × unit_price`` less ``discount_percent``, taxed at ``tax_rate``
    (a percentage, e.g. ``Decimal("21")``)."""

    quantity: Decimal
    unit_price: Decimal
    tax_rate: Decimal = Decimal(0)
    discount_percent: Decimal = Decimal(0)

    def __post_init__(self):
        for name in ("quantity", "unit_price", "tax_rate", "discount_percent"):
            if not isinstance(getattr(self, name), Decimal):
                raise TypeError(f"{name} is a Decimal, never a float")
        if not Decimal(0) <= self.discount_percent <= HUNDRED:
            raise ValueError("A line's discount is between 0 and 100 percent.")
        if self.tax_rate < 0:
            raise ValueError("A tax rate is not negative.")


@dataclass(frozen=True)
class TaxGroup:
    rate: Decimal
    net: Decimal
    tax: Decimal


@dataclass(frozen=True)
class Totals:
    """A document's figures, each rounded to the currency's minor unit.

    ``lines``: each line's amount after its own discount (as entered: with or without tax);
    ``subtotal``: their sum; ``discount``: the document discount; ``net``: without tax after every
    discount; ``taxes``: per rate; ``tax``: their sum; ``total``: what the client pays."""

    currency: str
    lines: tuple[Decimal, ...]
    subtotal: Decimal
    discount: Decimal
    net: Decimal
    taxes: tuple[TaxGroup, ...] = field(default=())
    tax: Decimal = Decimal(0)
    total: Decimal = Decimal(0)


def _shares(amounts: Sequence[Decimal], whole: Decimal, currency: str) -> list[Decimal]:
    """``whole`` split over ``amounts`` in proportion, in minor units, adding up exactly (largest
    remainders take the leftover units; ties go to the earlier line)."""
    base = sum(amounts, Decimal(0))
    if not amounts or whole == 0 or base == 0:
        return [Decimal(0) for _ in amounts]
    unit = Decimal(1).scaleb(-minor_digits(currency))
    exact = [whole * amount / base for amount in amounts]
    floors = [value.quantize(unit, rounding=ROUND_FLOOR) for value in exact]
    leftover = int((money_round(whole, currency) - sum(floors, Decimal(0))) / unit)
    order = sorted(range(len(amounts)), key=lambda i: (-(exact[i] - floors[i]), i))
    for index in order[: max(leftover, 0)]:
        floors[index] += unit
    return floors


def totals(
    lines: Iterable[Line],
    *,
    currency: str,
    prices_include_tax: bool = False,
    discount_percent: Decimal = Decimal(0),
    discount_amount: Decimal = Decimal(0),
) -> Totals:
    """The figures of a priced document by the rule above. A document discount is either a
    percentage or an amount (not more than the lines' sum)."""
    minor_digits(currency)
    lines = list(lines)
    for value in (discount_percent, discount_amount):
        if not isinstance(value, Decimal):
            raise TypeError("a discount is a Decimal, never a float")
    if discount_percent and discount_amount:
        raise ValueError("A document discount is a percentage or an amount, not both.")
    if not Decimal(0) <= discount_percent <= HUNDRED or discount_amount < 0:
        raise ValueError("A discount is between 0 and 100 percent, or a positive amount.")

    amounts = []
    for line in lines:
        gross = money_round(line.quantity * line.unit_price, currency)
        amounts.append(gross - money_round(gross * line.discount_percent / HUNDRED, currency))
    subtotal = sum(amounts, Decimal(0))
    if discount_percent:
        discount = money_round(subtotal * discount_percent / HUNDRED, currency)
    else:
        discount = money_round(discount_amount, currency)
    if subtotal >= 0 and discount > subtotal:
        raise ValueError("The discount is more than the lines add up to.")
    shares = _shares(amounts, discount, currency)

    by_rate: dict[Decimal, Decimal] = {}
    for line, amount, share in zip(lines, amounts, shares, strict=True):
        rate = line.tax_rate.normalize()
        by_rate[rate] = by_rate.get(rate, Decimal(0)) + amount - share
    groups = []
    for rate, entered in sorted(by_rate.items()):
        if prices_include_tax:
            net = money_round(entered * HUNDRED / (HUNDRED + rate), currency)
            tax = entered - net
        else:
            net = entered
            tax = money_round(entered * rate / HUNDRED, currency)
        groups.append(TaxGroup(rate=rate, net=net, tax=tax))
    net = sum((g.net for g in groups), Decimal(0))
    tax = sum((g.tax for g in groups), Decimal(0))
    zero = money_round(Decimal(0), currency)
    return Totals(
        currency=currency.upper(),
        lines=tuple(amounts),
        subtotal=subtotal + zero,
        discount=discount,
        net=net + zero,
        taxes=tuple(groups),
        tax=tax + zero,
        total=net + tax + zero,
    )


def percentage_of(amount: Decimal, percent: Decimal, currency: str) -> Decimal:
    """``percent`` of ``amount`` by the same rule (a deposit, a minimum part payment)."""
    return money_round(amount * percent / HUNDRED, currency)


__all__ = [
    "MONEY_FIELD",
    "PERCENT_FIELD",
    "Line",
    "TaxGroup",
    "Totals",
    "from_minor",
    "minor_digits",
    "percentage_of",
    "to_minor",
    "totals",
]
