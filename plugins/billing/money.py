"""Money: integer cents in the database, ``Decimal`` in the API, never float.

Rules (see ``docs/billing.md``):

* amounts are rounded half-up to whole cents (``round_money``);
* a total is split among parties in cents: every party gets the floor of its exact
  share, the cents left over go one each to the parties with the largest remainder;
  **ties** go to the party that comes first in the order the caller passes (callers
  pass members sorted by AGS, years in calendar order), so the result is the same on
  every run and the parts always sum to the total exactly;
* VAT is computed per category on the category total, not per line.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
#: The largest amount anybody may enter: far beyond any fee, and far from the limits
#: of Decimal's precision and of 64-bit cent columns.
MAX_AMOUNT = Decimal("999999999999.99")


def round_money(amount: Decimal | int | str) -> Decimal:
    """``amount`` rounded half-up to cents (``Decimal("1.005")`` -> ``1.01``)."""
    if isinstance(amount, float):
        raise TypeError("money is never a float; pass a Decimal or a string")
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def parse_money(text: str | Decimal | int, field: str = "amount") -> Decimal:
    """A user-supplied amount with at most two decimals; ``ValidationError`` otherwise."""
    from core import ValidationError

    if isinstance(text, float):
        raise ValidationError("must be given as a string or decimal, not a float", field=field)
    try:
        value = Decimal(str(text).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(
            "%(value)s is not an amount (e.g. 750.00)",
            field=field,
            code="money.invalid",
            value=repr(text),
        ) from None
    if value.is_finite() and abs(value) > MAX_AMOUNT:
        raise ValidationError(
            "%(value)s is too large (at most 999999999999.99)",
            field=field,
            code="amount.too_large",
            value=repr(text),
        )
    if not value.is_finite() or value != value.quantize(CENT):
        raise ValidationError(
            "%(value)s has more than two decimals",
            field=field,
            code="money.decimals",
            value=repr(text),
        )
    return value.quantize(CENT)


def to_cents(amount: Decimal | int | str) -> int:
    """Whole cents of an amount (rounded half-up first)."""
    return int(round_money(amount) * 100)


def from_cents(cents: int) -> Decimal:
    """The ``Decimal`` amount of a number of cents."""
    return (Decimal(cents) / 100).quantize(CENT)


def format_amount(cents: int) -> str:
    """Cents as the plain string used in JSON and CSV: ``75000`` -> ``"750.00"``."""
    return f"{from_cents(cents):.2f}"


def format_german(cents: int) -> str:
    """Cents as a German amount for people: ``458000`` -> ``"4.580,00"``."""
    text = f"{from_cents(cents):,.2f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def rate_from_basis_points(basis_points: int) -> Decimal:
    """A VAT rate in percent from hundredths of a percent: ``1900`` -> ``19.00``."""
    return (Decimal(basis_points) / 100).quantize(CENT)


def vat_cents(net_cents: int, rate_basis_points: int) -> int:
    """VAT on a category total, rounded half-up to cents."""
    exact = Decimal(net_cents) * Decimal(rate_basis_points) / Decimal(10000)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def prorate_cents(cents: int, numerator: int, denominator: int) -> int:
    """``cents * numerator / denominator`` rounded half-up (e.g. 17 of 31 days)."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    exact = Decimal(cents) * numerator / denominator
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def split_cents(total: int, weights: Sequence[Decimal | int]) -> list[int]:
    """Split ``total`` cents in proportion to ``weights`` by largest remainder.

    Every part is the floor of its exact share; the remaining cents go one each to
    the parts with the largest fractional remainder, ties to the earlier position.
    The parts always sum to ``total``. A negative total is split as its absolute
    value and negated, so a credit mirrors the charge.

    :raises ValueError: no weights, a negative weight, or all weights zero.
    """
    if not weights:
        raise ValueError("nothing to split among")
    weights = [Decimal(w) for w in weights]
    if any(w < 0 for w in weights):
        raise ValueError("weights must not be negative")
    weight_sum = sum(weights)
    if weight_sum == 0:
        raise ValueError("the weights sum to zero")
    if total < 0:
        return [-part for part in split_cents(-total, weights)]
    exact = [Decimal(total) * w / weight_sum for w in weights]
    parts = [int(e) for e in exact]  # floor: exact shares are never negative
    left = total - sum(parts)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))
    for index in order[:left]:
        parts[index] += 1
    return parts


def split_equally(total: int, count: int) -> list[int]:
    """Split ``total`` cents into ``count`` parts differing by at most one cent,
    the larger parts first (500,000.00 / 3 -> 166,666.67, 166,666.67, 166,666.66)."""
    return split_cents(total, [1] * count)
