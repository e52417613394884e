"""The processor's webhooks (R-PAY-2, R-PAY-3): verified, then read as payment events.

``verify`` checks the ``Stripe-Signature`` header with the library's own check
(``stripe.Webhook.construct_event``): an HMAC-SHA256 of the timestamp and the raw body
under the endpoint's secret, and a timestamp at most 5 minutes old. Anything else is
``WebhookRefused``. The development processor's events (``conex-gateway dev-payment``) are
signed the same way (``signed_event``), so one endpoint and one check serve both.

Only PaymentIntent events move a payment: ``payment_intent.succeeded``,
``payment_intent.payment_failed``, ``payment_intent.canceled`` (and
``payment_intent.processing`` / ``payment_intent.requires_action``, which change nothing
that matters); any other event is acknowledged and ignored.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from gateway.domain.enums import Currency, PaymentStatus
from gateway.integrations.payments import CardInfo, PaymentResult, from_minor_units

TOLERANCE_SECONDS = 300  # R-PAY-3
DECLINED = "Your card was declined."
_STATUSES = {
    "succeeded": PaymentStatus.SUCCEEDED,
    "requires_action": PaymentStatus.REQUIRES_ACTION,
    "processing": PaymentStatus.PROCESSING,
    "requires_capture": PaymentStatus.PROCESSING,
    "requires_payment_method": PaymentStatus.FAILED,
    "requires_confirmation": PaymentStatus.FAILED,
    "canceled": PaymentStatus.FAILED,
}
INTENT_EVENTS = frozenset(
    {
        "payment_intent.succeeded",
        "payment_intent.payment_failed",
        "payment_intent.canceled",
        "payment_intent.processing",
        "payment_intent.requires_action",
    }
)


class WebhookRefused(Exception):
    """Not signed with our secret, too old, or not an event: refused, nothing changes."""


@dataclass(frozen=True, slots=True)
class IntentEvent:
    """What a PaymentIntent event says about one of our payments."""

    event_id: str
    event_type: str
    result: PaymentResult
    payment_id: int | None  # from the intent's metadata (ours)
    amount: Decimal | None  # in the intent's currency
    currency: Currency | None


def verify(payload: bytes, signature: str | None, secret: str) -> IntentEvent | None:
    """The PaymentIntent event in a verified body; None for another (verified) event."""
    import stripe  # here, not at import: the library is large and most requests never verify

    if not signature:
        raise WebhookRefused("no Stripe-Signature header")
    try:
        event = stripe.Webhook.construct_event(payload, signature, secret, TOLERANCE_SECONDS)
    except stripe.SignatureVerificationError as exc:
        raise WebhookRefused(str(exc).split(".")[0]) from None
    except ValueError:  # not JSON, or not an event
        raise WebhookRefused("the body is not an event") from None
    if event.type not in INTENT_EVENTS:
        return None
    intent = event.data.object
    raw: dict[str, Any] = intent.to_dict()
    reference = str((raw.get("metadata") or {}).get("conex_payment_id", ""))
    currency = _currency(raw.get("currency"))
    amount = raw.get("amount")
    return IntentEvent(
        event_id=str(event.id),
        event_type=str(event.type),
        result=result_of(intent),
        payment_id=int(reference) if reference.isdigit() else None,
        amount=from_minor_units(int(amount), currency) if currency and amount is not None else None,
        currency=currency,
    )


def intent_status(status: str) -> PaymentStatus:
    return _STATUSES.get(status, PaymentStatus.PROCESSING)


def result_of(intent: Any) -> PaymentResult:
    """A PaymentIntent (the library's object or the webhook's) as the port's result."""
    status = intent_status(str(intent.status))
    failure = None
    if status is PaymentStatus.FAILED:
        error = getattr(intent, "last_payment_error", None)
        failure = (getattr(error, "message", None) if error else None) or DECLINED
    return PaymentResult(
        status=status,
        processor_payment_id=str(intent.id),
        card=card_of(getattr(intent, "payment_method", None)),
        client_secret=intent.client_secret if status is PaymentStatus.REQUIRES_ACTION else None,
        failure_message=failure,
    )


def card_of(method: Any) -> CardInfo | None:
    """Brand and last 4 of an expanded PaymentMethod (None for a bare id)."""
    if method is None or isinstance(method, str):
        return None
    if method.type == "card" and method.card is not None:
        return CardInfo(brand=str(method.card.brand), last4=str(method.card.last4))
    if method.type == "paypal":
        return CardInfo(brand="paypal")
    return None


def _currency(code: Any) -> Currency | None:
    try:
        return Currency(str(code).upper())
    except ValueError:
        return None


def signed_event(
    *,
    secret: str,
    event_type: str,
    intent: dict[str, Any],
    timestamp: int | None = None,
) -> tuple[bytes, str]:
    """An event as Stripe sends it, and its ``Stripe-Signature`` header (the development
    processor's webhooks, and the tests)."""
    import stripe

    now = int(time.time()) if timestamp is None else timestamp
    body = json.dumps(
        {
            "id": f"evt_dev_{intent['id']}_{now}",
            "object": "event",
            "api_version": "2025-01-01",
            "created": now,
            "livemode": False,
            "type": event_type,
            "data": {"object": intent},
        }
    )
    header = stripe.WebhookSignature.generate_signature_header(body, secret, timestamp=now)
    return body.encode(), header


def intent_object(
    *,
    intent_id: str,
    status: str,
    amount: int,
    currency: Currency,
    payment_id: int,
    quote_number: str,
    failure_message: str | None = None,
) -> dict[str, Any]:
    """A PaymentIntent as the webhook carries it (``payment_method`` unexpanded)."""
    return {
        "id": intent_id,
        "object": "payment_intent",
        "amount": amount,
        "currency": currency.value.lower(),
        "status": status,
        "client_secret": None,
        "payment_method": None,
        "metadata": {"conex_payment_id": str(payment_id), "conex_quote": quote_number},
        "last_payment_error": (
            {"type": "card_error", "message": failure_message} if failure_message else None
        ),
    }


def status_of(event: IntentEvent) -> PaymentStatus:
    return event.result.status
