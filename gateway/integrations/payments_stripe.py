"""The Stripe adapter of the payment-processor port, on the official ``stripe`` library.

A quote is paid with one PaymentIntent, created and confirmed server-side with the payer's
PaymentMethod token (``pm_…``) for the quote's total in its currency (Stripe counts DZD,
EUR and USD in cents: ``payments.to_minor_units``), ``payment_method_types`` ``card`` or
``paypal``, our payment id in its metadata (the webhook names it) and our idempotency key
(a retry of one attempt is charged once). ``requires_action`` (3-D Secure, PayPal's
approval) hands the intent's client secret to the payer's client; the webhook
(``payment_webhooks``) tells how it ended.

Errors: a card error is a decline, with Stripe's message (Stripe's card-error messages may
be shown to the payer); a refused PaymentMethod is a failed attempt; anything that says
Stripe did not do its part (no connection, 5xx, bad key, rate limit) is
``ProcessorUnavailable``. An abandoned payment is retrieved (or found by its metadata), then
canceled (``cancellation_reason: abandoned``); one that succeeded after it had failed is
refunded (a Refund of its intent, under an idempotency key of that intent). Log lines name
the error's class, code and request id, never the token or Stripe's message (it may quote
the token).
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

import stripe

from gateway.domain.enums import Currency, PaymentMethod, PaymentStatus
from gateway.integrations.payment_webhooks import card_of, result_of
from gateway.integrations.payments import (
    CardInfo,
    PaymentDeclined,
    PaymentRequest,
    PaymentResult,
    ProcessorUnavailable,
    to_minor_units,
)
from gateway.settings import Settings

log = logging.getLogger("gateway.integrations.payments")

TIMEOUT_SECONDS = 8.0  # below the request timeout: a payment answers, or says why not
NETWORK_RETRIES = 1  # the library retries a lost connection with the same idempotency key
DECLINED = "Your card was declined."
NOT_ACCEPTED = "The payment method was not accepted; enter it again."
UNAVAILABLE = (
    stripe.APIConnectionError,
    stripe.APIError,
    stripe.AuthenticationError,
    stripe.PermissionError,
    stripe.RateLimitError,
    stripe.IdempotencyError,
)


class StripeProcessor:
    name = "stripe"

    def __init__(self, settings: Settings) -> None:
        assert settings.stripe_secret_key is not None
        addresses: dict[str, str] = {}
        if settings.stripe_api_base:
            addresses["api"] = settings.stripe_api_base
        self._client = stripe.StripeClient(
            settings.stripe_secret_key,
            base_addresses=addresses,  # type: ignore[arg-type]
            max_network_retries=NETWORK_RETRIES,
            http_client=stripe.HTTPXClient(timeout=TIMEOUT_SECONDS),
        )

    async def pay(self, request: PaymentRequest) -> PaymentResult:
        params: dict[str, Any] = {
            "amount": to_minor_units(request.amount, request.currency),
            "currency": request.currency.value.lower(),
            "payment_method": request.token,
            "payment_method_types": [
                "paypal" if request.method is PaymentMethod.PAYPAL else "card"
            ],
            "confirm": True,
            "description": f"Conex quote {request.quote_number}",
            "metadata": {
                "conex_payment_id": str(request.payment_id),
                "conex_quote": request.quote_number,
            },
            "expand": ["payment_method"],
        }
        if request.method is PaymentMethod.PAYPAL:
            params["return_url"] = request.return_url
        try:
            intent = await self._client.v1.payment_intents.create_async(
                params,  # type: ignore[arg-type]
                {"idempotency_key": request.idempotency_key},
            )
        except stripe.CardError as exc:
            return _declined(exc)
        except stripe.InvalidRequestError as exc:
            return _invalid_request(exc)
        except UNAVAILABLE as exc:
            raise _unavailable(exc) from None
        return result_of(intent)

    async def retrieve(self, processor_payment_id: str) -> PaymentResult:
        try:
            intent = await self._client.v1.payment_intents.retrieve_async(
                processor_payment_id, {"expand": ["payment_method"]}
            )
        except (*UNAVAILABLE, stripe.InvalidRequestError) as exc:
            raise _unavailable(exc) from None
        return result_of(intent)

    async def find(self, payment_id: int, quote_number: str) -> PaymentResult | None:
        """Stripe's search by our metadata (searchable within about a minute: far below the
        action timeout). Only an intent of this payment and quote counts."""
        query = f"metadata['conex_payment_id']:'{payment_id}'"
        try:
            found = await self._client.v1.payment_intents.search_async(
                {"query": query, "expand": ["data.payment_method"]}
            )
        except (*UNAVAILABLE, stripe.InvalidRequestError) as exc:
            raise _unavailable(exc) from None
        for intent in found.data:
            metadata: dict[str, str] = intent.to_dict().get("metadata") or {}
            if metadata.get("conex_quote") == quote_number:
                return result_of(intent)
        return None

    async def cancel(self, processor_payment_id: str) -> PaymentResult:
        """``cancellation_reason: abandoned``; an intent that can no longer be canceled (it
        succeeded, or was canceled already) answers where it stands."""
        try:
            intent = await self._client.v1.payment_intents.cancel_async(
                processor_payment_id,
                {"cancellation_reason": "abandoned", "expand": ["payment_method"]},
            )
        except stripe.InvalidRequestError:
            return await self.retrieve(processor_payment_id)
        except UNAVAILABLE as exc:
            raise _unavailable(exc) from None
        return result_of(intent)

    async def refund(self, processor_payment_id: str, *, idempotency_key: str) -> str:
        try:
            refund = await self._client.v1.refunds.create_async(
                {"payment_intent": processor_payment_id},
                {"idempotency_key": idempotency_key},
            )
        except (*UNAVAILABLE, stripe.InvalidRequestError) as exc:
            raise _unavailable(exc) from None
        return str(refund.id)

    async def describe(self, token: str) -> CardInfo:
        try:
            method = await self._client.v1.payment_methods.retrieve_async(token)
        except (stripe.CardError, stripe.InvalidRequestError):
            raise PaymentDeclined("The card was declined: the payment token is not valid") from None
        except UNAVAILABLE as exc:
            raise _unavailable(exc) from None
        card = card_of(method)
        if card is None or card.last4 is None:
            raise PaymentDeclined("This payment method is not a card")
        return card

    async def charge(self, token: str, amount: Decimal, currency: Currency) -> None:
        params: dict[str, Any] = {
            "amount": to_minor_units(amount, currency),
            "currency": currency.value.lower(),
            "payment_method": token,
            "payment_method_types": ["card"],
            "confirm": True,
        }
        try:
            intent = await self._client.v1.payment_intents.create_async(params)  # type: ignore[arg-type]
        except stripe.CardError as exc:
            raise PaymentDeclined(exc.user_message or DECLINED) from None
        except stripe.InvalidRequestError:
            raise PaymentDeclined(NOT_ACCEPTED) from None
        except UNAVAILABLE as exc:
            raise _unavailable(exc) from None
        if intent.status != "succeeded":
            raise PaymentDeclined(f"The card was declined for {amount} {currency.value}")


def _declined(exc: stripe.CardError) -> PaymentResult:
    error = exc.error
    intent = error.payment_intent if error is not None else None
    method = error.payment_method if error is not None else None
    return PaymentResult(
        status=PaymentStatus.FAILED,
        processor_payment_id=str(intent.id) if intent is not None else None,
        card=card_of(method),
        failure_message=exc.user_message or DECLINED,
    )


def _invalid_request(exc: stripe.InvalidRequestError) -> PaymentResult:
    """A token Stripe does not know, or of another kind: a failed attempt. Anything else is
    our request's fault: logged, and the payer is told to try later."""
    param = exc.param or ""
    if param.startswith("payment_method") or exc.code == "resource_missing":
        return PaymentResult(PaymentStatus.FAILED, None, failure_message=NOT_ACCEPTED)
    raise _unavailable(exc)


def _unavailable(exc: stripe.StripeError) -> ProcessorUnavailable:
    log.error(
        "payment processor: %s (code %s, status %s, request %s)",
        type(exc).__name__,
        exc.code,
        exc.http_status,
        exc.request_id,
    )
    return ProcessorUnavailable("The payment service does not answer")
