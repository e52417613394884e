"""Order actions: the PO number of an invoice, and recording a quote's payment."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from db.queries import account as accounts
from db.queries import order as queries
from db.queries import quote as quotes
from db.queries.filters import quote_status_is
from db.queries.numbers import next_number
from db.rows import OrderRow, QuoteRow
from gateway.actions import messages
from gateway.actions.order_issue import LicenseIssuer
from gateway.actions.unit import UnitOfWork
from gateway.auth import policy
from gateway.auth.principal import Principal
from gateway.domain import payment
from gateway.domain import quote as quote_rules
from gateway.domain.enums import PaymentMethod, QuoteStatus
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
    uow.audit("orderSetPoNumber", "Order", order_id, {"poNumber": (before.po_number, value)})
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
    paid_at = payment.check_paid_at(command.paid_at, now=uow.now, not_before=quote.created_at)
    payment.check_payment_amount(command.amount, quote.total, currency=quote.currency)
    paid = await queries.mark_quote_paid(
        uow.session, quote_id=pk, open_now=quote_status_is(QuoteStatus.OPEN, uow.today), now=uow.now
    )
    if paid is None:
        raise DomainError(
            ErrorCode.QUOTE_NOT_OPEN, "The quote was paid meanwhile", field=("quoteId",)
        )
    order = await _insert_order(uow, quote, command, paid_at=paid_at, reference=reference)
    lines = await queries.quote_lines(uow.session, pk)
    issuer = LicenseIssuer(uow, quote, paid_at.date())
    await issuer.prepare(lines)
    for line in lines:
        await issuer.issue(line)
    await queries.link_licenses(uow.session, order_id=order.id, license_ids=issuer.license_ids)
    uow.audit(
        "quoteRecordPayment",
        "Quote",
        pk,
        {"status": (quote.status, paid.status), "version": (quote.version, paid.version)},
    )
    uow.audit(
        "quoteRecordPayment",
        "Order",
        order.id,
        {
            "number": (None, order.number),
            "invoiceNumber": (None, order.invoice_number),
            "quote": (None, quote.number),
            "total": (None, f"{order.total} {order.currency}"),
            "paymentMethod": (None, order.payment_method),
            "paidAt": (None, order.paid_at),
            "licenses": (None, issuer.sens),
        },
    )
    message = messages.payment_received(
        order_id=order.id,
        order_number=order.number,
        invoice_number=order.invoice_number,
        quote_number=quote.number,
        total=order.total,
        currency=order.currency,
        sens=issuer.sens,
        web_url=uow.web_url,
    )
    for email in dict.fromkeys((order.billing_email, order.technical_email)):
        uow.send(email, message)
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


async def _insert_order(
    uow: UnitOfWork,
    quote: QuoteRow,
    command: RecordPayment,
    *,
    paid_at: dt.datetime,
    reference: str | None,
) -> OrderRow:
    people = await accounts.accounts_by_id(
        uow.session, (quote.billing_account_id, quote.technical_account_id)
    )
    billing, technical = people[quote.billing_account_id], people[quote.technical_account_id]
    return await queries.insert_order(
        uow.session,
        dict(
            number=await next_number(uow.session, "order"),
            invoice_number=await next_number(uow.session, "invoice"),
            quote_id=quote.id,
            organization_id=quote.organization_id,
            partner_id=quote.partner_id,
            paid_at=paid_at,
            payment_method=command.method,
            payment_reference=reference,
            po_number=quote.po_number,
            currency=quote.currency,
            total=quote.total,
            billing_account_id=billing.id,
            technical_account_id=technical.id,
            # R-ACC-4: the invoice keeps the contacts as printed.
            billing_name=billing.name,
            billing_email=billing.email,
            technical_name=technical.name,
            technical_email=technical.email,
        ),
    )
