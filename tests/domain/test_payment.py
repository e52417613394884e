from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gateway.domain.errors import DomainError, ErrorCode
from gateway.domain.payment import (
    REFERENCE_MAX,
    check_paid_at,
    check_payment_amount,
    check_payment_reference,
    unit_purchase_amount,
)

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)
CREATED = NOW - dt.timedelta(days=10)


def test_r_price_5_exact_total_is_accepted() -> None:
    check_payment_amount(Decimal("3840.00"), Decimal("3840.00"), currency="EUR")
    check_payment_amount(Decimal("3840"), Decimal("3840.00"), currency="EUR")


@pytest.mark.parametrize("amount", ["3839.99", "3840.01", "0", "-3840.00", "1920.00", "7680.00"])
def test_r_price_5_net_0_no_partial_or_over_payment(amount: str) -> None:
    with pytest.raises(DomainError) as caught:
        check_payment_amount(Decimal(amount), Decimal("3840.00"), currency="EUR")
    assert caught.value.code is ErrorCode.PAYMENT_MISMATCH
    assert caught.value.field == ("amount",)


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity", "sNaN"])
def test_r_price_5_amount_must_be_a_number(amount: str) -> None:
    with pytest.raises(DomainError) as caught:
        check_payment_amount(Decimal(amount), Decimal("3840.00"), currency="EUR")
    assert caught.value.code is ErrorCode.INVALID


def test_paid_at_defaults_to_now_and_is_returned_in_utc() -> None:
    assert check_paid_at(None, now=NOW, not_before=CREATED) == NOW
    paris = dt.timezone(dt.timedelta(hours=1))
    given = dt.datetime(2026, 11, 25, 13, 0, tzinfo=paris)
    assert check_paid_at(given, now=NOW, not_before=CREATED) == dt.datetime(
        2026, 11, 25, 12, 0, tzinfo=dt.UTC
    )


@pytest.mark.parametrize(
    "paid_at",
    [
        NOW + dt.timedelta(seconds=1),
        NOW + dt.timedelta(days=365),
        CREATED - dt.timedelta(seconds=1),
        dt.datetime(2026, 11, 25, 12, 0),  # naive
    ],
)
def test_paid_at_is_a_real_past_instant_after_the_quote(paid_at: dt.datetime) -> None:
    with pytest.raises(DomainError) as caught:
        check_paid_at(paid_at, now=NOW, not_before=CREATED)
    assert caught.value.code is ErrorCode.INVALID
    assert caught.value.field == ("paidAt",)


def test_payment_reference_is_optional_stripped_and_bounded() -> None:
    assert check_payment_reference(None) is None
    assert check_payment_reference("   ") is None
    assert check_payment_reference(" BT-2026-11 ") == "BT-2026-11"
    for bad, code in (
        ("x" * (REFERENCE_MAX + 1), ErrorCode.TOO_LONG),
        ("a\x00b", ErrorCode.INVALID),
    ):
        with pytest.raises(DomainError) as caught:
            check_payment_reference(bad)
        assert caught.value.code is code
        assert caught.value.field == ("reference",)


def test_r_cur_4_unit_purchase_amount_is_rounded_half_up() -> None:
    assert unit_purchase_amount(Decimal("3840.00"), 1) == Decimal("3840.00")
    assert unit_purchase_amount(Decimal("100.00"), 3) == Decimal("33.33")
    assert unit_purchase_amount(Decimal("0.05"), 2) == Decimal("0.03")
