"""The money module: half-up rounding, cent-exact splitting with a fixed tie order."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.errors import ValidationError
from plugins.billing.money import (
    format_amount,
    format_german,
    parse_money,
    prorate_cents,
    round_money,
    split_cents,
    split_equally,
    vat_cents,
)


def test_round_money_rounds_half_up_to_cents():
    assert round_money(Decimal("1.005")) == Decimal("1.01")
    assert round_money(Decimal("1.004")) == Decimal("1.00")
    assert round_money(Decimal("-1.005")) == Decimal("-1.01")


def test_round_money_refuses_float():
    with pytest.raises(TypeError):
        round_money(1.005)


def test_parse_money_refuses_more_than_two_decimals():
    with pytest.raises(ValidationError) as caught:
        parse_money("750.001")
    assert str(caught.value) == "amount: '750.001' has more than two decimals"


def test_vat_on_engagementdirekt_fees():
    assert vat_cents(75000, 1900) == 14250
    assert vat_cents(458000, 1900) == 87020
    assert 458000 + vat_cents(458000, 1900) == 545020


def test_prorate_cents_by_day_rounds_half_up():
    assert prorate_cents(75000, 17, 31) == 41129


def test_split_equally_gives_remaining_cents_to_the_earlier_parts():
    assert split_equally(12_500_000, 3) == [4_166_667, 4_166_667, 4_166_666]


def test_split_by_partner_then_year_is_exact_for_ozg_funding():
    partners = split_equally(50_000_000, 4)
    assert partners == [12_500_000] * 4
    assert [split_equally(part, 3) for part in partners] == [[4_166_667, 4_166_667, 4_166_666]] * 4


def test_split_cents_gives_cents_by_largest_remainder():
    # exact shares 33.33.., 16.66.., 50 -> floors 33, 16, 50; the last cent goes to
    # the largest remainder (the second part's 0.66..).
    assert split_cents(100, [2, 1, 3]) == [33, 17, 50]


def test_split_cents_breaks_ties_by_position():
    assert split_cents(2, [1, 1, 1]) == [1, 1, 0]


def test_split_cents_parts_always_sum_to_the_total():
    weights = [4963, 13703, 6802, 6532, 11418, 9033, 4139]
    for total in (1, 99, 100_001, 21_695_55, 31_110_600):
        assert sum(split_cents(total, weights)) == total


def test_split_cents_of_a_credit_mirrors_the_charge():
    assert split_cents(-100, [2, 1, 3]) == [-33, -17, -50]


def test_split_cents_refuses_zero_weights():
    with pytest.raises(ValueError, match="sum to zero"):
        split_cents(100, [0, 0])


def test_format_amount_and_german_format():
    assert format_amount(545020) == "5450.20"
    assert format_german(2169555) == "21.695,55"
