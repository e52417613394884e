"""``POST /webhooks/payments``: the payment processor's webhook (R-PAY-2, R-PAY-3).

The body is read whole (at most ``CONEX_MAX_BODY_BYTES``), verified against
``Stripe-Signature`` (``gateway.integrations.payment_webhooks.verify``: the signature over
the raw body and a timestamp at most 5 minutes old) and only then parsed. A refused
webhook answers 400 and changes nothing; a verified one is applied in one unit of work,
as the processor (audit principal SYSTEM), and answers 200 — also when it changed nothing
(a duplicate, an event we do not use), so that the processor stops resending it. A
database failure answers 503: the processor sends it again later.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from db.sessions import DATABASE_UNAVAILABLE
from gateway.actions.payment_reconcile import refund_payment
from gateway.actions.payment_settle import PROCESSOR, EventOutcome, settle_event
from gateway.actions.unit import UnitOfWork, unit_of_work
from gateway.integrations.payment_webhooks import WebhookRefused, verify
from gateway.integrations.payments import PaymentProcessor, ProcessorUnavailable, webhook_secret
from gateway.services import services_of

log = logging.getLogger("gateway.http.webhooks")


def _refusal(status: int, code: str, message: str) -> Response:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status)


async def _body(request: Request, limit: int) -> bytes | None:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return body


async def payment_webhook(request: Request) -> Response:
    services = services_of(request)
    settings = services.settings
    secret = webhook_secret(settings)
    if secret is None:
        return _refusal(503, "SERVICE_UNAVAILABLE", "Payment webhooks are not configured.")
    body = await _body(request, settings.max_body_bytes)
    if body is None:
        return _refusal(413, "REQUEST_TOO_LARGE", "The webhook body is too large.")
    try:
        event = verify(body, request.headers.get("stripe-signature"), secret)
    except WebhookRefused as exc:
        log.warning("payment webhook refused: %s", exc)
        return _refusal(400, "WEBHOOK_SIGNATURE_INVALID", f"Webhook refused: {exc}.")
    if event is None:
        return JSONResponse({"received": True, "outcome": "ignored"})

    def units() -> AbstractAsyncContextManager[UnitOfWork]:
        return unit_of_work(
            session_factory=services.session_factory,
            principal=PROCESSOR,
            now=services.clock(),
            web_url=settings.web_base_url,
        )

    try:
        async with units() as unit:
            outcome = await settle_event(unit, event)
        word = outcome.word
        if word == "refund":
            word = await _refund(services.payments, units, outcome)
    except DATABASE_UNAVAILABLE:
        log.warning("payment webhook %s: database unavailable", event.event_id, exc_info=True)
        return _refusal(503, "SERVICE_UNAVAILABLE", "Busy; send it again later.")
    except ProcessorUnavailable:
        log.warning("payment webhook %s: the refund did not go through", event.event_id)
        return _refusal(503, "SERVICE_UNAVAILABLE", "Busy; send it again later.")
    log.info("payment webhook %s (%s): %s", event.event_id, event.event_type, word)
    return JSONResponse({"received": True, "outcome": word})


async def _refund(
    processor: PaymentProcessor | None,
    units: Callable[[], AbstractAsyncContextManager[UnitOfWork]],
    outcome: EventOutcome,
) -> str:
    """A payment confirmed after it failed, on a quote it can no longer pay: refunded through
    the processor (``payment_reconcile.refund_payment``); without one, sent again later."""
    assert outcome.payment_id is not None and outcome.reason is not None
    if processor is None:
        raise ProcessorUnavailable("no payment processor to refund with")
    return await refund_payment(
        units=units, processor=processor, payment_id=outcome.payment_id, reason=outcome.reason
    )
