"""Official partners' terms: the partner discount (R-PRICE-3, R-PRICE-6)."""

from __future__ import annotations

from decimal import Decimal

from gateway.domain.errors import DomainError, ErrorCode

MAX_PARTNER_DISCOUNT = Decimal(50)  # R-PRICE-6
_CENT = Decimal("0.01")


def check_partner_discount(value: Decimal | None) -> Decimal:
    """R-PRICE-6: 0 to 50 %, to the hundredth of a percent (what the price book stores)."""
    field = ("discountPercent",)
    if value is None:
        raise DomainError(ErrorCode.REQUIRED, "Give the partner's discount in %", field=field)
    if not value.is_finite() or not Decimal(0) <= value <= MAX_PARTNER_DISCOUNT:
        raise DomainError(
            ErrorCode.INVALID,
            f"A partner discount is between 0 and {MAX_PARTNER_DISCOUNT} %",
            field=field,
        )
    if value != value.quantize(_CENT):
        raise DomainError(
            ErrorCode.INVALID, "A partner discount has at most 2 decimal places", field=field
        )
    return value.quantize(_CENT)
