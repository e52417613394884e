"""The development payment processor: no network, Stripe's test tokens.

Quote payments (``pay``) take the PaymentMethod test tokens Stripe documents: a token names
the outcome, as it does in Stripe's test mode, so the web UI can be built against either.

=================================== =========================================
``pm_card_visa``                    succeeds (visa 4242)
``pm_card_mastercard``              succeeds (mastercard 4444)
``pm_card_amex``                    succeeds (amex 8431)
``pm_card_chargeDeclined``          declined: "Your card was declined."
``pm_card_chargeDeclinedInsufficientFunds``  declined: insufficient funds
``pm_card_authenticationRequired``  REQUIRES_ACTION (3-D Secure, visa 3155)
any ``pm_…`` with method PAYPAL     REQUIRES_ACTION (the payer approves at PayPal)
=================================== =========================================

An action is completed, or failed, with ``conex-gateway dev-payment complete|fail PAYMENT``:
it posts a webhook signed like Stripe's to the running gateway (``gateway/cli/payments.py``).
An abandoned one is canceled by ``conex-gateway payments reconcile`` (``retrieve`` answers
that an intent this process does not remember still waits for the payer; ``cancel`` and
``refund`` always succeed).

The Cloud card (``describe``/``charge``) keeps its older tokens ``tok_<brand>_<last4>``
(``tok_visa_4242``, ``tok_mastercard_4444``, ``tok_amex_0005``; a card ending 0002
declines charges) and takes the ``pm_card_…`` tokens above too.
"""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal

from gateway.domain.enums import Currency, PaymentMethod, PaymentStatus
from gateway.integrations.payments import CardInfo, PaymentDeclined, PaymentRequest, PaymentResult

DECLINED = "Your card was declined."
CANCELED = "The payment was canceled."

# token → (brand, last4, outcome, failure message)
TEST_TOKENS: dict[str, tuple[str, str, PaymentStatus, str | None]] = {
    "pm_card_visa": ("visa", "4242", PaymentStatus.SUCCEEDED, None),
    "pm_card_mastercard": ("mastercard", "4444", PaymentStatus.SUCCEEDED, None),
    "pm_card_amex": ("amex", "8431", PaymentStatus.SUCCEEDED, None),
    "pm_card_chargeDeclined": ("visa", "0002", PaymentStatus.FAILED, DECLINED),
    "pm_card_chargeDeclinedInsufficientFunds": (
        "visa",
        "9995",
        PaymentStatus.FAILED,
        "Your card has insufficient funds.",
    ),
    "pm_card_authenticationRequired": ("visa", "3155", PaymentStatus.REQUIRES_ACTION, None),
}

_DEV_TOKEN = re.compile(r"tok_(visa|mastercard|amex)_([0-9]{4})")
DEV_DECLINING_LAST4 = "0002"  # describes fine, declines every charge (like a PSP test card)


def dev_intent_id(idempotency_key: str) -> str:
    """The same attempt gets the same intent, as Stripe's idempotent requests do."""
    return "pi_dev_" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]


class DevProcessor:
    """Stateless but for what it answered in this process (``retrieve``, ``find``): an intent
    it does not remember waits for the payer, as one completed only by ``dev-payment``."""

    name = "dev"

    def __init__(self) -> None:
        self._intents: dict[str, PaymentResult] = {}
        self._by_payment: dict[int, str] = {}

    async def describe(self, token: str) -> CardInfo:
        known = TEST_TOKENS.get(token)
        if known is not None:
            return CardInfo(brand=known[0], last4=known[1])
        match = _DEV_TOKEN.fullmatch(token)
        if match is None:
            raise PaymentDeclined("The card was declined: the payment token is not valid")
        return CardInfo(brand=match.group(1), last4=match.group(2))

    async def charge(self, token: str, amount: Decimal, currency: Currency) -> None:
        card = await self.describe(token)
        known = TEST_TOKENS.get(token)
        if card.last4 == DEV_DECLINING_LAST4 or (known and known[2] is PaymentStatus.FAILED):
            raise PaymentDeclined(f"The card was declined for {amount} {currency.value}")

    async def pay(self, request: PaymentRequest) -> PaymentResult:
        result = self._answer(request)
        if result.processor_payment_id is not None:
            self._intents[result.processor_payment_id] = result
            self._by_payment[request.payment_id] = result.processor_payment_id
        return result

    async def retrieve(self, processor_payment_id: str) -> PaymentResult:
        known = self._intents.get(processor_payment_id)
        if known is not None:
            return known
        return PaymentResult(PaymentStatus.REQUIRES_ACTION, processor_payment_id)

    async def find(self, payment_id: int, quote_number: str) -> PaymentResult | None:
        intent = self._by_payment.get(payment_id)
        return await self.retrieve(intent) if intent is not None else None

    async def cancel(self, processor_payment_id: str) -> PaymentResult:
        known = await self.retrieve(processor_payment_id)
        if known.status in (PaymentStatus.SUCCEEDED, PaymentStatus.FAILED):
            return known
        canceled = PaymentResult(
            PaymentStatus.FAILED, processor_payment_id, known.card, failure_message=CANCELED
        )
        self._intents[processor_payment_id] = canceled
        return canceled

    async def refund(self, processor_payment_id: str, *, idempotency_key: str) -> str:
        return "re_dev_" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]

    def _answer(self, request: PaymentRequest) -> PaymentResult:
        intent = dev_intent_id(request.idempotency_key)
        secret = f"{intent}_secret_" + hashlib.sha256(intent.encode()).hexdigest()[:24]
        if request.method is PaymentMethod.PAYPAL:
            if not request.token.startswith("pm_"):
                return _invalid(intent)
            return PaymentResult(
                PaymentStatus.REQUIRES_ACTION, intent, CardInfo("paypal"), client_secret=secret
            )
        known = TEST_TOKENS.get(request.token)
        if known is None:
            return _invalid(intent)
        brand, last4, status, message = known
        card = CardInfo(brand, last4)
        if status is PaymentStatus.REQUIRES_ACTION:
            return PaymentResult(status, intent, card, client_secret=secret)
        return PaymentResult(status, intent, card, failure_message=message)


def _invalid(intent: str) -> PaymentResult:
    return PaymentResult(
        PaymentStatus.FAILED,
        intent,
        failure_message="The payment method was not accepted; enter it again.",
    )
