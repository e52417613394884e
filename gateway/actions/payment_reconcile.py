"""Abandoned payments and late confirmations, reconciled with the processor (R-PAY-2, R-PAY-4).

**Abandoned.** A payment left REQUIRES_ACTION (the payer never finished 3-D Secure or
PayPal's approval) or PROCESSING (a crash between recording the attempt and the processor's
answer) would keep R-PAY-4's block until a webhook that may never come. Past
``CONEX_PAYMENT_ACTION_TIMEOUT_MINUTES`` without news it is reconciled the way Stripe's users
do: the processor is asked where the payment stands (``retrieve``, or ``find`` by our
metadata when its answer was never recorded). Succeeded: settled as its webhook would
(``payment_settle.settle``: the order, once). Otherwise it is canceled at the processor and
recorded FAILED with a message saying so, and the quote is open again. A payment the
processor is still processing (a bank debit) is left as it is. It runs

- in ``quotePay``, when the quote's payment in progress is past the timeout (the payer is
  there, paying again: ``payment.pay_quote``), and
- in ``conex-gateway payments reconcile`` (every stale payment; run it from cron or a
  timer), which frees the quote for edits too. Edits do not call the processor themselves:
  they run in one transaction with the quote locked, and no lock is held across the network.

Every step runs in its own unit of work, none across the processor's call; the settlement
locks the payment row, so a webhook arriving meanwhile settles it once (R-PAY-2).

**Late confirmation.** A "succeeded" webhook for a payment recorded FAILED (canceled here,
but the payer finished at the last second) means the money was taken: ``settle_event`` pays
the quote with it if it is still payable, else answers ``refund`` and ``refund_payment``
refunds it whole through the processor, audited (``paymentRefund``) and shown as the
payment's ``refundedAt``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from db.queries import payment as payments
from gateway.actions.payment_settle import settle
from gateway.actions.unit import UnitOfWork
from gateway.domain.enums import PaymentStatus
from gateway.integrations.payments import PaymentProcessor, PaymentResult, ProcessorUnavailable

log = logging.getLogger("gateway.actions.payment")

Units = Callable[[], AbstractAsyncContextManager[UnitOfWork]]

ACTION = "paymentReconcile"
ABANDONED = (
    "The payment was not completed in time and was canceled; nothing was charged. Pay again."
)
NEVER_REACHED = "The payment did not reach the payment service; nothing was charged. Pay again."


@dataclass(frozen=True, slots=True)
class Reconciled:
    payment_id: int
    outcome: str  # succeeded, failed, waiting (the processor is at it), unchanged, skipped


async def reconcile_payment(
    *, units: Units, processor: PaymentProcessor, payment_id: int
) -> Reconciled:
    """R-PAY-4: one payment in progress, asked of the processor and moved on (see above)."""
    async with units() as uow:
        payment = await payments.payment_by_id(uow.session, payment_id)
        number = await payments.quote_number_of(uow.session, payment.quote_id) if payment else None
    if payment is None or number is None or not payment.in_progress:
        return Reconciled(payment_id, "unchanged")
    if payment.processor != processor.name:  # made with another processor: not ours to ask
        return Reconciled(payment_id, "skipped")
    reference = payment.processor_payment_id
    found = await (
        processor.retrieve(reference) if reference else processor.find(payment.id, number)
    )
    if found is None:
        result = PaymentResult(PaymentStatus.FAILED, None, failure_message=NEVER_REACHED)
    elif found.status is PaymentStatus.SUCCEEDED:
        result = found
    else:
        assert found.processor_payment_id is not None
        result = await processor.cancel(found.processor_payment_id)
        if result.status is PaymentStatus.FAILED:
            result = PaymentResult(
                PaymentStatus.FAILED,
                result.processor_payment_id,
                result.card,
                failure_message=ABANDONED,
            )
    if result.status not in (PaymentStatus.SUCCEEDED, PaymentStatus.FAILED):
        log.info("payment %s: the processor is still at it (%s)", payment.id, result.status)
        return Reconciled(payment_id, "waiting")
    async with units() as uow:
        settled = await settle(uow, payment.id, result, action=ACTION)
    if settled is None or not settled.changed:
        return Reconciled(payment_id, "unchanged")  # its webhook came first
    log.info("payment %s reconciled: %s", payment.id, settled.payment.status)
    if settled.refund_reason is not None:  # R-EVAL-5: charged, but not issuable any more
        await refund_quietly(units, processor, payment.id, settled.refund_reason)
        return Reconciled(payment_id, "refunded")
    return Reconciled(payment_id, settled.payment.status.value.lower())


async def reconcile_stale(
    *, units: Units, processor: PaymentProcessor, now: dt.datetime, stale_after: dt.timedelta
) -> list[Reconciled]:
    """Every payment in progress with no news for ``stale_after`` (the CLI). A processor that does
    not answer leaves the rest for the next run."""
    async with units() as uow:
        stale = await payments.stale_payments(uow.session, before=now - stale_after)
    done = []
    for payment_id in stale:
        try:
            done.append(
                await reconcile_payment(units=units, processor=processor, payment_id=payment_id)
            )
        except ProcessorUnavailable:
            done.append(Reconciled(payment_id, "unavailable"))
            break
    return done


def refund_key(processor_payment_id: str) -> str:
    """One refund per processor payment, however many times it is asked for."""
    return f"conex-refund-{processor_payment_id}"


async def refund_payment(
    *, units: Units, processor: PaymentProcessor, payment_id: int, reason: str
) -> str:
    """R-PRICE-5, R-PAY-2: a payment confirmed after it failed, on a quote it can no longer
    pay, is refunded whole, once; audited for staff. ``ProcessorUnavailable`` when the
    processor does not answer (the webhook is answered 503 and sent again)."""
    async with units() as uow:
        payment = await payments.payment_by_id(uow.session, payment_id)
    if payment is None or payment.refund_id is not None or payment.processor_payment_id is None:
        return "unchanged"
    reference = payment.processor_payment_id
    refund_id = await processor.refund(reference, idempotency_key=refund_key(reference))
    async with units() as uow:
        refunded = await payments.record_refund(
            uow.session, payment.id, refund_id=refund_id, now=uow.now
        )
        if refunded is None:  # a copy of the webhook recorded it first
            return "unchanged"
        uow.audit(
            "paymentRefund",
            "Payment",
            payment.id,
            {
                "refundId": (None, refund_id),
                "amount": (None, f"{payment.amount} {payment.currency}"),
                "processorPaymentId": (None, reference),
                "reason": (None, f"succeeded after it had failed; {reason}"),
            },
        )
    log.warning("payment %s refunded (%s): %s", payment.id, refund_id, reason)
    return "refunded"


async def refund_quietly(
    units: Units, processor: PaymentProcessor, payment_id: int, reason: str
) -> None:
    """``refund_payment`` where its caller answers anyway: a processor that does not answer
    leaves the payment FAILED and unrefunded, and the processor's own "succeeded" webhook
    refunds it when it comes (``settle_event``: a success after FAILED)."""
    try:
        await refund_payment(units=units, processor=processor, payment_id=payment_id, reason=reason)
    except ProcessorUnavailable:
        log.warning("payment %s: the refund did not go through; its webhook retries it", payment_id)
