"""Recording a payment: Net 0, the exact total, a real past instant (R-PRICE-5, R-QUOTE-2)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from gateway.domain.errors import DomainError, ErrorCode
from gateway.domain.money import round_money

REFERENCE_MAX = 200


def check_payment_amount(amount: Decimal, total: Decimal, *, currency: str) -> None:
    """R-PRICE-5: Net 0 — the payment is the quote's total to the cent; no partial payment."""
    if not amount.is_finite():
        raise DomainError(ErrorCode.INVALID, "The amount is not a number", field=("amount",))
    if amount != total:
        raise DomainError(
            ErrorCode.PAYMENT_MISMATCH,
            f"The payment must be the quote's total, {total} {currency}; "
            f"{amount} {currency} was given (no partial payments)",
            field=("amount",),
        )


def check_paid_at(
    paid_at: dt.datetime | None, *, now: dt.datetime, not_before: dt.datetime
) -> dt.datetime:
    """When the payment was confirmed: default now; aware, not in the future, not before the
    quote existed. Returned in UTC."""
    if paid_at is None:
        return now
    if paid_at.tzinfo is None or paid_at.utcoffset() is None:
        raise DomainError(
            ErrorCode.INVALID,
            "Give the payment time with its UTC offset, e.g. 2026-11-26T10:00:00Z",
            field=("paidAt",),
        )
    try:
        paid_at = paid_at.astimezone(dt.UTC)
    except OverflowError:  # 0001-01-01 east of UTC, 9999-12-31 west of it
        raise DomainError(
            ErrorCode.INVALID, "That payment time is out of range.", field=("paidAt",)
        ) from None
    if paid_at > now:
        raise DomainError(
            ErrorCode.INVALID, "A payment cannot be recorded in the future", field=("paidAt",)
        )
    if paid_at < not_before:
        raise DomainError(
            ErrorCode.INVALID, "The payment cannot precede the quote", field=("paidAt",)
        )
    return paid_at


def check_payment_reference(value: str | None) -> str | None:
    """The bank or processor reference: stripped, at most 200 printable characters."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if len(value) > REFERENCE_MAX:
        raise DomainError(
            ErrorCode.TOO_LONG,
            f"A payment reference has at most {REFERENCE_MAX} characters",
            field=("reference",),
        )
    if not value.isprintable():
        raise DomainError(
            ErrorCode.INVALID,
            "A payment reference holds printable characters only",
            field=("reference",),
        )
    return value


def unit_purchase_amount(line_total: Decimal, quantity: int) -> Decimal:
    """What one license of a line cost (R-UPG-3 credits it later), half-up to cents."""
    return round_money(line_total / quantity)
