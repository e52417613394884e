"""The partner discount staff may set (R-PRICE-6), pure."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gateway.domain.enums import Deployment, DiscountKind, QuoteLineKind
from gateway.domain.errors import DomainError, ErrorCode
from gateway.domain.partner import MAX_PARTNER_DISCOUNT, check_partner_discount
from gateway.domain.pricing import price_line


@pytest.mark.parametrize("value", ["0", "12.5", "50", "49.99"])
def test_r_price_6_zero_to_fifty_percent(value: str) -> None:
    assert check_partner_discount(Decimal(value)) == Decimal(value).quantize(Decimal("0.01"))


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (None, ErrorCode.REQUIRED),
        (Decimal("-0.01"), ErrorCode.INVALID),
        (Decimal("50.01"), ErrorCode.INVALID),
        (Decimal("1.005"), ErrorCode.INVALID),
        (Decimal("NaN"), ErrorCode.INVALID),
        (Decimal("Infinity"), ErrorCode.INVALID),
    ],
)
def test_r_price_6_anything_else_is_refused(value: Decimal | None, code: ErrorCode) -> None:
    with pytest.raises(DomainError) as caught:
        check_partner_discount(value)
    assert caught.value.code is code
    assert MAX_PARTNER_DISCOUNT == 50


def test_r_price_6_its_own_line_after_promotion_and_academic() -> None:
    priced = price_line(
        unit_price=Decimal("4800"),
        quantity=1,
        deployment=Deployment.SERVER,
        kind=QuoteLineKind.NEW,
        academic=True,
        partner_percent=Decimal("10"),
    )
    assert [(d.kind, d.amount) for d in priced.discounts] == [
        (DiscountKind.PROMOTIONAL, Decimal("960.00")),
        (DiscountKind.ACADEMIC, Decimal("268.80")),
        (DiscountKind.PARTNER, Decimal("357.12")),
    ]
