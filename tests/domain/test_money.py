from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.domain.enums import Currency
from gateway.domain.money import Money, round_money

AMOUNTS = st.decimals(
    min_value=Decimal("-1000000000"),
    max_value=Decimal("1000000000"),
    allow_nan=False,
    allow_infinity=False,
)


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("0.005", "0.01"),  # half-up, not banker's rounding
        ("0.015", "0.02"),
        ("0.025", "0.03"),  # banker's rounding would give 0.02
        ("2.675", "2.68"),
        ("0.0049999", "0.00"),
        ("-0.005", "-0.01"),  # half away from zero
        ("10", "10.00"),
    ],
)
def test_r_cur_4_round_money_half_up_to_cents(amount: str, expected: str) -> None:
    rounded = round_money(Decimal(amount))
    assert rounded == Decimal(expected)
    assert rounded.as_tuple().exponent == -2


def test_r_cur_4_money_is_never_a_float() -> None:
    with pytest.raises(TypeError):
        Money(1.5, Currency.EUR)  # type: ignore[arg-type]
    assert Money.of("12.345", Currency.EUR) == Money(Decimal("12.35"), Currency.EUR)


@given(AMOUNTS)
def test_r_cur_4_round_money_is_idempotent(amount: Decimal) -> None:
    once = round_money(amount)
    assert round_money(once) == once
    assert once.as_tuple().exponent == -2


@given(AMOUNTS)
def test_r_cur_4_round_money_is_within_half_a_cent(amount: Decimal) -> None:
    assert abs(round_money(amount) - amount) <= Decimal("0.005")
