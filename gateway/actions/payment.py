"""quotePay: a quote paid online through the payment processor (R-PAY-1..4).

Three steps, each in its own transaction, so that no lock is held across the network:

1. **start** — the quote is locked (which orders this payment with edits and other payments
   of it, R-PAY-4), R-PAY-1 and the version are checked, and the attempt is recorded
   PROCESSING. Committed before the processor is called, so that its webhook finds it.
   The partial unique index ``uq_payments_quote_active`` backs the check up: one payment in
   progress or succeeded per quote, however many race.
2. **the processor** creates and confirms the payment with the payer's token, under an
   idempotency key of this attempt (a retry of it is charged once).
3. **settle** (``payment_settle``) — the processor's answer, or its webhook, whichever comes
   first, moves the payment on; only the move to SUCCEEDED issues the order.

An abandoned payment in progress (past ``CONEX_PAYMENT_ACTION_TIMEOUT_MINUTES``) is reconciled
with the processor before a new one starts (``payment_reconcile``).

A processor that does not answer leaves nothing: the attempt is deleted (unless its webhook
settled it meanwhile) and the payer told PAYMENT_UNAVAILABLE. A declined payment is kept as
a FAILED attempt and the quote is open again (R-PAY-2, R-PAY-4).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any

from db.queries import order as orders
from db.queries import payment as payments
from db.queries import quote as quotes
from db.rows import PaymentRow
from db.sessions import IntegrityConflict
from gateway.actions.payment_reconcile import reconcile_payment, refund_quietly
from gateway.actions.payment_settle import settle
from gateway.actions.unit import UnitOfWork
from gateway.auth import policy
from gateway.auth.principal import Principal
from gateway.domain import payment as rules
from gateway.domain import quote as quote_rules
from gateway.domain.enums import Currency, PaymentMethod, PaymentStatus
from gateway.domain.errors import DomainError, ErrorCode, not_found
from gateway.integrations.payments import PaymentProcessor, PaymentRequest, ProcessorUnavailable

Units = Callable[[], AbstractAsyncContextManager[UnitOfWork]]

UNAVAILABLE = "Online payment is not available right now; nothing was charged. Try again later"
NOT_CONFIGURED = "Online payment is not available here; pay by bank transfer (contact sales)"


@dataclass(frozen=True, slots=True)
class PayQuote:
    quote_id: int
    expected_version: int
    token: str = field(repr=False)
    method: PaymentMethod = PaymentMethod.CARD


@dataclass(frozen=True, slots=True)
class PayResult:
    payment: PaymentRow
    order: Any | None = None
    quote: Any | None = None
    refusal: DomainError | None = None  # a decline: the FAILED attempt is kept (R-PAY-2)


async def pay_quote(
    *,
    units: Units,
    principal: Principal,
    command: PayQuote,
    processor: PaymentProcessor | None,
    return_url: str,
    stale_after: dt.timedelta | None = None,
) -> PayResult:
    """R-PAY-1..4. ``units`` opens a unit of work for each step; refusals before the
    processor answers are raised (nothing written). A payment of the quote in progress with
    no news for ``stale_after`` is reconciled with the processor first (payment_reconcile)."""
    token = rules.check_payment_token(command.token)
    if processor is None:  # production without the processor's settings
        raise DomainError(ErrorCode.PAYMENT_UNAVAILABLE, NOT_CONFIGURED, field=("method",))
    try:
        async with units() as uow:
            started, request = await _start(
                uow, principal, command, token, processor, return_url, stale_after
            )
    except _Stale as stale:  # R-PAY-4: an abandoned payment is reconciled first
        try:
            await reconcile_payment(units=units, processor=processor, payment_id=stale.payment_id)
        except ProcessorUnavailable:
            raise DomainError(
                ErrorCode.PAYMENT_UNAVAILABLE, UNAVAILABLE, field=("paymentToken",)
            ) from None
        async with units() as uow:
            started, request = await _start(
                uow, principal, command, token, processor, return_url, None
            )
    try:
        result = await processor.pay(request)
    except ProcessorUnavailable:
        async with units() as uow:
            deleted = await payments.delete_unsettled(uow.session, started.id)
        if deleted:
            raise DomainError(
                ErrorCode.PAYMENT_UNAVAILABLE, UNAVAILABLE, field=("paymentToken",)
            ) from None
        async with units() as uow:  # its webhook came before the failing answer
            settled = await settle(uow, started.id, None, action="quotePay")
    else:
        async with units() as uow:
            settled = await settle(uow, started.id, result, action="quotePay")
    assert settled is not None  # started above, deleted nowhere else
    if settled.refund_reason is not None:  # R-EVAL-5: charged, but not issuable any more
        await refund_quietly(units, processor, settled.payment.id, settled.refund_reason)
    async with units() as uow:  # the payload shows what the payer may see (R-QUOTE-6)
        quote = await quotes.visible_quote(
            uow.session, started.quote_id, policy.quote_visible(principal)
        )
        order = None
        if settled.payment.order_id is not None:
            order = await orders.visible_order(
                uow.session, settled.payment.order_id, policy.order_visible(principal)
            )
    refusal = None
    if settled.payment.status is PaymentStatus.FAILED:
        message = settled.payment.failure_message or "The payment was declined."
        code = ErrorCode.NOT_CONVERTIBLE if settled.refund_reason else ErrorCode.PAYMENT_DECLINED
        refusal = DomainError(
            code, message, field=("quoteId",) if settled.refund_reason else ("paymentToken",)
        )
    return PayResult(settled.payment, order, quote, refusal)


async def _start(
    uow: UnitOfWork,
    principal: Principal,
    command: PayQuote,
    token: str,
    processor: PaymentProcessor,
    return_url: str,
    stale_after: dt.timedelta | None,
) -> tuple[PaymentRow, PaymentRequest]:
    writable = policy.quote_payable(principal)
    quote = await quotes.visible_quote(uow.session, command.quote_id, writable, for_update=True)
    if quote is None:
        raise not_found("quoteId", "quote")
    status = quote_rules.effective_quote_status(quote.status, quote.valid_until, uow.today)
    rules.check_payable_online(status, quote.total, number=quote.number)
    current = await payments.quote_payment_in_progress(uow.session, quote.id)
    if current and stale_after is not None and current.updated_at < uow.now - stale_after:
        raise _Stale(current.id)  # rolls this unit back: nothing written
    rules.check_not_paying(current.status if current else None, field=("quoteId",))
    quote_rules.check_expected_version(current=quote.version, expected=command.expected_version)
    currency = Currency(quote.currency)
    rules.check_online_method(command.method, currency)
    attempt = await payments.failed_attempts(uow.session, quote.id) + 1
    try:
        row = await payments.insert_payment(
            uow.session,
            dict(
                quote_id=quote.id,
                status=PaymentStatus.PROCESSING,
                method=command.method,
                amount=quote.total,  # R-PAY-1: exactly its total, in its currency
                currency=currency,
                processor=processor.name,
                payer_kind=principal.kind,
                payer_account_id=principal.account_id if principal.is_customer else None,
                payer_token_id=principal.token_id if principal.is_partner else None,
                created_at=uow.now,
                updated_at=uow.now,
            ),
        )
    except IntegrityConflict:  # R-PAY-4: a concurrent start won (uq_payments_quote_active)
        rules.check_not_paying(PaymentStatus.PROCESSING, field=("quoteId",))
        raise
    request = PaymentRequest(
        payment_id=row.id,
        quote_number=quote.number,
        amount=quote.total,
        currency=currency,
        method=command.method,
        token=token,
        idempotency_key=attempt_key(quote, attempt, token),
        return_url=return_url,
    )
    return row, request


class _Stale(Exception):
    """The quote's payment in progress is past the action timeout (R-PAY-4)."""

    def __init__(self, payment_id: int) -> None:
        super().__init__(payment_id)
        self.payment_id = payment_id


def attempt_key(quote: Any, attempt: int, token: str) -> str:
    """The processor's idempotency key of one attempt: the quote (its number and creation,
    unique even across a reset database), the attempt's rank and the token's digest (a
    processor-side key, never the token). A retry after the processor failed to answer
    reuses it, so what it may have charged is found again rather than charged twice."""
    digest = hashlib.sha256(token.encode()).hexdigest()[:16]
    created = int(quote.created_at.timestamp())
    return f"conex-{quote.number}-{created}-attempt-{attempt}-{digest}"
