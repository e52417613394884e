"""Settling an online payment: the processor's answer or its webhook moves it on, and the
move to SUCCEEDED issues the order — exactly once (R-PAY-2, R-PAY-3).

The payment row is locked first, so the synchronous answer and a webhook (or two copies of
one) settle it one after the other; the later finds it settled and changes nothing. The
guarded UPDATE (only from PROCESSING or REQUIRES_ACTION) backs the lock up where there is
none (SQLite), and orders.quote_id is unique. The order, its licenses and the mail are
written in the same transaction as SUCCEEDED (``order_issue.issue_order``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

from db.queries import order as orders
from db.queries import payment as payments
from db.queries import quote as quotes
from db.rows import PaymentRow
from gateway.actions.conversion import conversion_refusal
from gateway.actions.order_issue import issue_order
from gateway.actions.unit import UnitOfWork
from gateway.auth import policy
from gateway.auth.principal import Principal
from gateway.domain import payment as rules
from gateway.domain.enums import ChangeKind, Currency, PaymentStatus, PrincipalKind
from gateway.domain.payment import IN_PROGRESS
from gateway.domain.quote import effective_quote_status
from gateway.integrations.payment_webhooks import IntentEvent
from gateway.integrations.payments import PaymentResult

log = logging.getLogger("gateway.actions.payment")

PROCESSOR = Principal(PrincipalKind.SYSTEM, name="payment processor (webhook)")
DECLINED = "The payment was declined."
REFUSED = "{}: this quote cannot be paid as it is, and the payment is refunded in full."


@dataclass(frozen=True, slots=True)
class Settled:
    payment: PaymentRow
    order: Any | None = None
    changed: bool = False
    # The processor took the money but the order cannot be issued (R-EVAL-5: its evaluation
    # was converted by another payment meanwhile): FAILED, and the caller refunds it, why.
    refund_reason: str | None = None


async def settle(
    uow: UnitOfWork, payment_id: int, result: PaymentResult | None, *, action: str
) -> Settled | None:
    """Apply what the processor says of a payment (None: only read it). None when there is
    no such payment."""
    payment = await payments.payment_for_update(uow.session, payment_id)
    if payment is None:
        return None
    if result is None or not payment.in_progress or result.status is PaymentStatus.PROCESSING:
        if result is not None and payment.in_progress and payment.processor_payment_id is None:
            payment = await _note_reference(uow, payment, result)
        return Settled(payment, await _order_of(uow, payment))
    if result.status is payment.status:  # REQUIRES_ACTION again: a repeated event
        return Settled(payment)
    refusal = None
    if result.status is PaymentStatus.SUCCEEDED:  # R-EVAL-5: locks what it converts
        refusal = await conversion_refusal(uow, payment.quote_id)
        if refusal is not None:
            message = REFUSED.format(refusal.rstrip("."))
            result = replace(result, status=PaymentStatus.FAILED, failure_message=message)
    values: dict[str, Any] = {"status": result.status, "updated_at": uow.now}
    if payment.processor_payment_id is None and result.processor_payment_id:
        values["processor_payment_id"] = result.processor_payment_id
    if result.card is not None and payment.card_brand is None:
        values |= {"card_brand": result.card.brand, "card_last4": result.card.last4}
    # The client secret only while the payer must act; never audited or logged.
    values["client_secret"] = (
        result.client_secret if result.status is PaymentStatus.REQUIRES_ACTION else None
    )
    if result.status is PaymentStatus.FAILED:
        values["failure_message"] = (result.failure_message or DECLINED)[:500]
    updated = await payments.update_payment(
        uow.session, payment.id, values, from_statuses=IN_PROGRESS
    )
    if updated is None:  # settled under us (no row lock on SQLite): nothing more to do
        again = await payments.payment_for_update(uow.session, payment.id)
        assert again is not None
        return Settled(again, await _order_of(uow, again))
    order = None
    if updated.status is PaymentStatus.SUCCEEDED:
        order = await _issue(uow, updated, action)
        if order is not None:
            linked = await payments.update_payment(
                uow.session,
                updated.id,
                {"order_id": order.id},
                from_statuses=[PaymentStatus.SUCCEEDED],
            )
            updated = linked or updated
    _audit(uow, action, payment, updated)
    if refusal is not None:
        log.warning("payment %s succeeded but %s: refund", payment.id, refusal)
    return Settled(updated, order, changed=True, refund_reason=refusal)


async def _note_reference(
    uow: UnitOfWork, payment: PaymentRow, result: PaymentResult
) -> PaymentRow:
    """The processor is still at it (PROCESSING): keep its reference for the webhook."""
    values: dict[str, Any] = {"updated_at": uow.now}
    if result.processor_payment_id:
        values["processor_payment_id"] = result.processor_payment_id
    if result.card is not None:
        values |= {"card_brand": result.card.brand, "card_last4": result.card.last4}
    updated = await payments.update_payment(
        uow.session, payment.id, values, from_statuses=IN_PROGRESS
    )
    return updated or payment


async def _issue(uow: UnitOfWork, payment: PaymentRow, action: str) -> Any | None:
    """R-PAY-2: the quote becomes PAID and its order is issued, the one way orders are."""
    quote = await quotes.quote_for_update(session=uow.session, quote_id=payment.quote_id)
    assert quote is not None  # payments.quote_id is a foreign key
    paid = await payments.mark_quote_paid_online(uow.session, quote_id=quote.id, now=uow.now)
    if paid is None:
        # R-PAY-4 keeps a quote open while it is paid; this is a bug or a manual change.
        log.error(
            "payment %s succeeded but quote %s is %s: refund it",
            payment.id,
            quote.number,
            quote.status,
        )
        return None
    order = await issue_order(
        uow,
        quote,
        method=payment.method,
        paid_at=uow.now,
        reference=payment.processor_payment_id,
        action=action,
    )
    uow.audit_change(
        ChangeKind.PAID,
        action,
        "Quote",
        quote.id,
        {"status": (quote.status, paid.status), "version": (quote.version, paid.version)},
    )
    return order


async def _order_of(uow: UnitOfWork, payment: PaymentRow) -> Any | None:
    if payment.order_id is None:
        return None
    return await orders.visible_order(
        uow.session, payment.order_id, policy.order_visible(uow.principal)
    )


def card_text(payment: PaymentRow) -> str | None:
    if payment.card_brand is None:
        return None
    if payment.card_last4 is None:
        return payment.card_brand
    return f"{payment.card_brand} ending {payment.card_last4}"


def _audit(uow: UnitOfWork, action: str, before: PaymentRow, after: PaymentRow) -> None:
    """R-SEC-1; R-PAY-1: the processor's reference, brand and last 4 — never the token."""
    first = before.processor_payment_id is None and after.processor_payment_id is not None
    uow.audit(
        action,
        "Payment",
        after.id,
        {
            "status": (before.status, after.status),
            "amount": (None, f"{after.amount} {after.currency}") if first else (None, None),
            "method": (None, after.method) if first else (None, None),
            "quoteId": (None, after.quote_id) if first else (None, None),
            "processorPaymentId": (before.processor_payment_id, after.processor_payment_id),
            "card": (card_text(before), card_text(after)),
            "failureMessage": (before.failure_message, after.failure_message),
            "orderId": (before.order_id, after.order_id),
        },
    )


@dataclass(frozen=True, slots=True)
class EventOutcome:
    """What a webhook did, in a word for the response and the log: settled, unchanged,
    unknown, mismatch, or refund (the caller refunds ``payment_id``, ``reason`` why)."""

    word: str
    payment_id: int | None = None
    reason: str | None = None


async def settle_event(uow: UnitOfWork, event: IntentEvent) -> EventOutcome:
    """A verified webhook event (R-PAY-3) applied to its payment."""
    result = event.result
    payment_id = None
    if result.processor_payment_id:
        payment_id = await payments.payment_id_by_processor_id(
            uow.session, result.processor_payment_id
        )
    if payment_id is None:
        payment_id = event.payment_id
    if payment_id is None:
        return EventOutcome("unknown")
    payment = await payments.payment_for_update(uow.session, payment_id)
    if payment is None:
        return EventOutcome("unknown")
    known = payment.processor_payment_id
    if (known and result.processor_payment_id and known != result.processor_payment_id) or (
        event.amount is not None
        and (event.amount, event.currency) != (payment.amount, payment.currency)
    ):
        log.error("webhook %s does not match payment %s: ignored", event.event_id, payment.id)
        return EventOutcome("mismatch", payment.id)
    if result.status is PaymentStatus.SUCCEEDED and payment.status is PaymentStatus.FAILED:
        return await _late_success(uow, payment, result)
    settled = await settle(uow, payment.id, result, action="quotePay")
    if settled is not None and settled.refund_reason is not None:
        return EventOutcome("refund", payment.id, settled.refund_reason)
    return EventOutcome("settled" if settled is not None and settled.changed else "unchanged")


async def _late_success(
    uow: UnitOfWork, payment: PaymentRow, result: PaymentResult
) -> EventOutcome:
    """The processor took the money of a payment recorded FAILED (canceled as abandoned while
    the payer finished): it pays the quote if it still can (the one path, ``issue_order``),
    else the caller refunds it. Once: a refunded payment, or one that paid, is left alone."""
    if payment.refund_id is not None:
        return EventOutcome("unchanged", payment.id)
    quote = await quotes.quote_for_update(session=uow.session, quote_id=payment.quote_id)
    assert quote is not None  # payments.quote_id is a foreign key
    reason = rules.late_success_refund_reason(
        status=effective_quote_status(quote.status, quote.valid_until, uow.today),
        total=quote.total,
        currency=Currency(quote.currency),
        amount=payment.amount,
        paid_currency=payment.currency,
        other_in_progress=await payments.quote_payment_status(uow.session, quote.id) is not None,
        number=quote.number,
    ) or await conversion_refusal(uow, quote.id)
    values: dict[str, Any] = {"updated_at": uow.now}
    if payment.processor_payment_id is None and result.processor_payment_id:
        values["processor_payment_id"] = result.processor_payment_id
    if result.card is not None and payment.card_brand is None:
        values |= {"card_brand": result.card.brand, "card_last4": result.card.last4}
    if reason is not None:  # kept FAILED; its reference is what the refund names
        await payments.update_payment(
            uow.session, payment.id, values, from_statuses=[PaymentStatus.FAILED]
        )
        log.warning("payment %s succeeded after it had failed, %s: refund", payment.id, reason)
        return EventOutcome("refund", payment.id, reason)
    values |= {"status": PaymentStatus.SUCCEEDED, "failure_message": None}
    updated = await payments.update_payment(
        uow.session, payment.id, values, from_statuses=[PaymentStatus.FAILED]
    )
    if updated is None:
        return EventOutcome("unchanged", payment.id)
    order = await _issue(uow, updated, "quotePay")
    if order is not None:
        linked = await payments.update_payment(
            uow.session, updated.id, {"order_id": order.id}, from_statuses=[PaymentStatus.SUCCEEDED]
        )
        updated = linked or updated
    _audit(uow, "quotePay", payment, updated)
    return EventOutcome("settled", payment.id)
