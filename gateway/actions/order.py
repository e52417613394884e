"""Order actions: the PO number of an invoice, and recording a quote's payment."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from db.queries import order as queries
from db.queries import payment as payments
from db.queries import quote as quotes
from db.queries.filters import quote_status_is
from db.rows import OrderRow, QuoteRow
from gateway.actions.order_issue import issue_order
from gateway.actions.unit import UnitOfWork
from gateway.auth import policy
from gateway.auth.principal import Principal
from gateway.domain import payment
from gateway.domain import quote as quote_rules
from gateway.domain.enums import ChangeKind, PaymentMethod, QuoteStatus
from gateway.domain.errors import DomainError, ErrorCode, not_found


async def set_order_po_number(
    *, uow: UnitOfWork, principal: Principal, order_id: int, po_number: str | None
) -> OrderRow:
    """R-QUOTE-4: on an invoice too, at any time; a reference only, never a payment."""
    value = quote_rules.check_po_number(po_number)
    before = await queries.visible_order(
        uow.session, order_id, policy.order_writable(principal), for_update=True
    )
    if before is None:
        raise not_found("id", "order")
    row = await queries.update_order(uow.session, order_id=order_id, values={"po_number": value})
    uow.audit_change(
        ChangeKind.UPDATED,
        "orderSetPoNumber",
        "Order",
        order_id,
        {"poNumber": (before.po_number, value)},
    )
    return row


@dataclass(frozen=True, slots=True)
class RecordPayment:
    quote_id: int
    method: PaymentMethod
    amount: Decimal
    reference: str | None = None
    paid_at: dt.datetime | None = None


async def record_payment(
    *, uow: UnitOfWork, principal: Principal, command: RecordPayment
) -> OrderRow:
    """R-PRICE-5 (Net 0: the exact total, keys only now), R-QUOTE-2 (OPEN → PAID, once),
    R-MAINT-2..5 (the licenses' maintenance). Returns the order."""
    pk = command.quote_id
    reference = payment.check_payment_reference(command.reference)
    # The row lock queues a concurrent payment of the same quote behind this one; it then
    # finds the quote PAID (PostgreSQL). SQLite has no row locks: the guarded UPDATE
    # below and the unique orders.quote_id let only one through.
    quote = await quotes.quote_for_update(session=uow.session, quote_id=pk)
    if quote is None:
        raise not_found("quoteId", "quote")
    _check_payable(quote, uow.today)
    # R-PAY-4: not while the quote is being paid online (the lock above orders the two).
    payment.check_not_paying(
        await payments.quote_payment_status(uow.session, pk), field=("quoteId",)
    )
    paid_at = payment.check_paid_at(command.paid_at, now=uow.now, not_before=quote.created_at)
    payment.check_payment_amount(command.amount, quote.total, currency=quote.currency)
    paid = await queries.mark_quote_paid(
        uow.session, quote_id=pk, open_now=quote_status_is(QuoteStatus.OPEN, uow.today), now=uow.now
    )
    if paid is None:
        raise DomainError(
            ErrorCode.QUOTE_NOT_OPEN, "The quote was paid meanwhile", field=("quoteId",)
        )
    order = await issue_order(
        uow,
        quote,
        method=command.method,
        paid_at=paid_at,
        reference=reference,
        action="quoteRecordPayment",
    )
    uow.audit_change(
        ChangeKind.PAID,
        "quoteRecordPayment",
        "Quote",
        pk,
        {"status": (quote.status, paid.status), "version": (quote.version, paid.version)},
    )
    return order


def _check_payable(quote: QuoteRow, today: dt.date) -> None:
    """R-QUOTE-1/2 on the locked row: only an open quote becomes PAID (the guarded UPDATE
    that follows settles a race)."""
    status = quote_rules.effective_quote_status(quote.status, quote.valid_until, today)
    try:
        quote_rules.check_transition(status, QuoteStatus.PAID)
    except DomainError as refused:
        raise DomainError(
            refused.code,
            f"Quote {quote.number} is {status.value.lower()}; it cannot be paid",
            field=("quoteId",),
        ) from None
