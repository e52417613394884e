"""Recording a payment: Net 0, the exact total, a real past instant (R-PRICE-5, R-QUOTE-2);
paying online: who, how, and never twice at once (R-PAY-1, R-PAY-4)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from gateway.domain.enums import Currency, PaymentMethod, PaymentStatus, QuoteStatus
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


# --- Paying online (R-PAY-1..4) -----------------------------------------------------------

ONLINE_METHODS = (PaymentMethod.CARD, PaymentMethod.PAYPAL)
# PayPal (through the card processor) takes these; a DZD quote is paid by card.
PAYPAL_CURRENCIES = (Currency.EUR, Currency.USD)
IN_PROGRESS = (PaymentStatus.PROCESSING, PaymentStatus.REQUIRES_ACTION)
TOKEN_MAX = 255
_TOKEN = re.compile(r"[A-Za-z0-9_\-]+")


def check_online_method(method: PaymentMethod, currency: Currency) -> None:
    """R-PAY-1: online by card or PayPal; bank transfers and checks are recorded by staff."""
    if method not in ONLINE_METHODS:
        raise DomainError(
            ErrorCode.INVALID,
            f"Pay online by CARD or PAYPAL; a {method.value.lower().replace('_', ' ')} "
            "is recorded by Conex when it arrives",
            field=("method",),
        )
    if method is PaymentMethod.PAYPAL and currency not in PAYPAL_CURRENCIES:
        raise DomainError(
            ErrorCode.CURRENCY_NOT_ALLOWED,
            f"PayPal takes EUR and USD; pay this {currency.value} quote by card",
            field=("method",),
        )


def check_payment_token(token: str) -> str:
    """R-PAY-1: the processor's token (``pm_…``), never a card number. The message never
    repeats what was given: it may be a card number typed in the wrong place."""
    value = token.strip()
    if not value:
        raise DomainError(ErrorCode.REQUIRED, "Give the payment token", field=("paymentToken",))
    if len(value) > TOKEN_MAX or not _TOKEN.fullmatch(value) or value.isdigit():
        raise DomainError(
            ErrorCode.INVALID,
            "This is not a payment token: hand the card to the payment form, send its token",
            field=("paymentToken",),
        )
    return value


def check_payable_online(status: QuoteStatus, total: Decimal, *, number: str) -> None:
    """R-PAY-1: an open, unexpired quote (``status`` is the effective one), with something to
    pay (a quote of 0 is recorded by staff)."""
    if status is not QuoteStatus.OPEN:
        raise DomainError(
            ErrorCode.QUOTE_NOT_OPEN,
            f"Quote {number} is {status.value.lower()}; it cannot be paid",
            field=("quoteId",),
        )
    if total <= 0:
        raise DomainError(
            ErrorCode.INVALID,
            f"Quote {number} has nothing to pay; Conex records it for you",
            field=("quoteId",),
        )


def check_not_paying(status: PaymentStatus | None, *, field: tuple[str, ...]) -> None:
    """R-PAY-4: while a payment is in progress the quote is neither edited nor paid again."""
    if status in IN_PROGRESS:
        raise DomainError(
            ErrorCode.PAYMENT_IN_PROGRESS,
            "A payment of this quote is in progress; wait until it succeeds or fails",
            field=field,
        )


def late_success_refund_reason(
    *,
    status: QuoteStatus,
    total: Decimal,
    currency: Currency,
    amount: Decimal,
    paid_currency: Currency,
    other_in_progress: bool,
    number: str,
) -> str | None:
    """A payment the processor confirms after it was recorded FAILED (R-PAY-2, R-PRICE-5):
    the money is taken, so it pays the quote if the quote is still payable by it — open and
    unexpired (``status`` is the effective one), no other payment under way, the same total
    in the same currency — and is refunded otherwise. None: it pays; else why it is refunded."""
    if status is not QuoteStatus.OPEN:
        return f"quote {number} is {status.value.lower()}"
    if other_in_progress:
        return f"another payment of quote {number} is in progress"
    if (total, currency) != (amount, paid_currency):
        now, paid = f"{total} {currency.value}", f"{amount} {paid_currency.value}"
        return f"quote {number} now totals {now}, not {paid}"
    return None
