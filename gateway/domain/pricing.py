"""Line and quote pricing: discounts in their fixed order, exact decimals (R-PRICE-*, R-CUR-4)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from gateway.domain.enums import Deployment, DiscountKind, QuoteLineKind
from gateway.domain.errors import DomainError, ErrorCode
from gateway.domain.money import round_money

PROMOTIONAL_PERCENT = Decimal(20)  # R-PRICE-1
ACADEMIC_SERVER_PERCENT = Decimal(7)  # R-PRICE-2, Server and Data Center
ACADEMIC_CLOUD_PERCENT = Decimal(5)  # R-PRICE-2
MIN_QUANTITY = 1
MAX_QUANTITY = 1000
_ZERO = Decimal("0.00")
_HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class AppliedDiscount:
    kind: DiscountKind
    percent: Decimal | None  # None for a fixed amount (UPGRADE_CREDIT)
    amount: Decimal


@dataclass(frozen=True, slots=True)
class PricedLine:
    unit_price: Decimal
    quantity: int
    subtotal: Decimal
    discounts: tuple[AppliedDiscount, ...]  # in application order
    discount_total: Decimal
    total: Decimal


@dataclass(frozen=True, slots=True)
class QuoteTotals:
    subtotal: Decimal
    discount_total: Decimal
    tax: Decimal
    total: Decimal


def check_quantity(quantity: int) -> None:
    if not MIN_QUANTITY <= quantity <= MAX_QUANTITY:
        raise DomainError(
            ErrorCode.INVALID,
            f"Quantity must be between {MIN_QUANTITY} and {MAX_QUANTITY}",
            field=("quantity",),
        )


def promotional_applies(*, deployment: Deployment, kind: QuoteLineKind) -> bool:
    """R-PRICE-1: 20% on all plans, but Cloud renewals are at normal price (first term only)."""
    return not (deployment == Deployment.CLOUD and kind == QuoteLineKind.RENEWAL)


def academic_percent(deployment: Deployment) -> Decimal:
    """R-PRICE-2: 7% on Server and Data Center, 5% on Cloud."""
    return ACADEMIC_CLOUD_PERCENT if deployment == Deployment.CLOUD else ACADEMIC_SERVER_PERCENT


def price_line(
    *,
    unit_price: Decimal,
    quantity: int,
    deployment: Deployment,
    kind: QuoteLineKind,
    academic: bool,
    partner_percent: Decimal = Decimal(0),
    credit: Decimal = Decimal(0),
) -> PricedLine:
    """Price one quote line.

    Discounts apply in sequence, each on the amount left by the previous one and each rounded
    half-up to cents (R-CUR-4): upgrade credit (R-UPG-3, a fixed amount for the whole line),
    promotional (R-PRICE-1), academic (R-PRICE-2, ``academic`` only for an academic license of a
    qualified institution), partner (R-PRICE-3). Zero discounts are left out.
    """
    check_quantity(quantity)
    if unit_price < 0:
        raise DomainError(ErrorCode.INVALID, "Unit price cannot be negative", field=("unitPrice",))
    if credit < 0:
        raise DomainError(ErrorCode.INVALID, "Upgrade credit cannot be negative")
    if not 0 <= partner_percent <= _HUNDRED:
        raise DomainError(ErrorCode.INVALID, "Partner discount must be between 0 and 100%")

    unit_price = round_money(unit_price)
    subtotal = round_money(unit_price * quantity)
    remaining = subtotal
    discounts: list[AppliedDiscount] = []

    def take(kind: DiscountKind, percent: Decimal | None, amount: Decimal) -> None:
        nonlocal remaining
        amount = min(round_money(amount), remaining)  # never below zero
        if amount > 0:
            discounts.append(AppliedDiscount(kind=kind, percent=percent, amount=amount))
            remaining -= amount

    def take_percent(discount: DiscountKind, percent: Decimal) -> None:
        take(discount, percent, remaining * percent / _HUNDRED)

    take(DiscountKind.UPGRADE_CREDIT, None, credit)  # R-UPG-3
    if promotional_applies(deployment=deployment, kind=kind):
        take_percent(DiscountKind.PROMOTIONAL, PROMOTIONAL_PERCENT)  # R-PRICE-1
    if academic:
        take_percent(DiscountKind.ACADEMIC, academic_percent(deployment))  # R-PRICE-2
    if partner_percent > 0:
        take_percent(DiscountKind.PARTNER, partner_percent)  # R-PRICE-3

    discount_total = round_money(sum((d.amount for d in discounts), _ZERO))
    return PricedLine(
        unit_price=unit_price,
        quantity=quantity,
        subtotal=subtotal,
        discounts=tuple(discounts),
        discount_total=discount_total,
        total=subtotal - discount_total,
    )


def quote_totals(lines: Sequence[PricedLine]) -> QuoteTotals:
    """Sum of the lines; R-PRICE-4: no VAT or GST, tax is always 0."""
    subtotal = round_money(sum((line.subtotal for line in lines), _ZERO))
    discount_total = round_money(sum((line.discount_total for line in lines), _ZERO))
    total = round_money(sum((line.total for line in lines), _ZERO))
    return QuoteTotals(subtotal=subtotal, discount_total=discount_total, tax=_ZERO, total=total)
