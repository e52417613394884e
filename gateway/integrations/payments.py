"""The payment-processor port (R-ACC-6, R-PAY-1..3): tokens in, references and outcomes out.

The gateway never sees a card number: the client hands the card to the processor's own
library, gets a token (a PaymentMethod id, ``pm_…``) and sends only that. The gateway keeps
the processor's payment id, the brand and the last 4 digits, and never logs or audits the
token.

Two processors speak this port: the Stripe adapter (``payments_stripe``, when
``CONEX_STRIPE_SECRET_KEY`` is set) and the development processor (``payments_dev``, no
network, Stripe's test tokens). ``processor_for`` is the one place that picks one: in
production without the Stripe settings there is none, and payments are refused
(``ProcessorUnavailable``) rather than accept fake tokens.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from gateway.domain.enums import Currency, PaymentMethod, PaymentStatus
from gateway.settings import Settings


@dataclass(frozen=True, slots=True)
class CardInfo:
    brand: str
    last4: str | None = None  # PayPal has none


class PaymentDeclined(Exception):
    """The processor refused the token or the charge; the message is safe to show."""


class ProcessorUnavailable(Exception):
    """No payment processor is configured here, or it does not answer: nothing was charged
    that the gateway knows of, and nothing is written."""


@dataclass(frozen=True, slots=True)
class PaymentRequest:
    """One online payment of a quote (R-PAY-1): exactly its total in its currency."""

    payment_id: int  # ours, in the processor's metadata: the webhook names it (R-PAY-2)
    quote_number: str
    amount: Decimal
    currency: Currency
    method: PaymentMethod
    token: str = field(repr=False)  # never in a log line, not even a repr
    # The processor's own idempotency key: a retry of the same attempt is charged once.
    idempotency_key: str
    return_url: str  # where a redirecting method (PayPal) sends the payer back


@dataclass(frozen=True, slots=True)
class PaymentResult:
    """What the processor answered: SUCCEEDED, REQUIRES_ACTION (with the client secret for
    the payer's client), FAILED (with a message the processor allows to show) or
    PROCESSING (it will tell by webhook)."""

    status: PaymentStatus
    processor_payment_id: str | None
    card: CardInfo | None = None
    client_secret: str | None = field(default=None, repr=False)
    failure_message: str | None = None


class PaymentProcessor(Protocol):
    name: str

    async def describe(self, token: str) -> CardInfo:
        """The card behind a token, or ``PaymentDeclined`` (a Cloud subscription's card)."""
        ...

    async def charge(self, token: str, amount: Decimal, currency: Currency) -> None:
        """Charge a stored card now, or ``PaymentDeclined``."""
        ...

    async def pay(self, request: PaymentRequest) -> PaymentResult:
        """Create and confirm the payment, or ``ProcessorUnavailable``."""
        ...

    async def retrieve(self, processor_payment_id: str) -> PaymentResult:
        """Where the processor's payment stands now, or ``ProcessorUnavailable``."""
        ...

    async def find(self, payment_id: int, quote_number: str) -> PaymentResult | None:
        """The processor's payment made for our ``payment_id`` (its metadata), when the
        answer to ``pay`` was never recorded; None if it has none. ``ProcessorUnavailable``."""
        ...

    async def cancel(self, processor_payment_id: str) -> PaymentResult:
        """Cancel a payment the payer abandoned; where it stands after (SUCCEEDED if it
        succeeded first, FAILED once canceled). ``ProcessorUnavailable``."""
        ...

    async def refund(self, processor_payment_id: str, *, idempotency_key: str) -> str:
        """Refund a succeeded payment whole; the processor's refund id. The key makes a
        repeated call refund once. ``ProcessorUnavailable``."""
        ...


# Digits after the decimal point of each currency in the processor's integer amounts.
# Stripe counts DZD in 2 decimals (like EUR and USD), unlike its zero-decimal currencies.
MINOR_UNIT_DIGITS = {Currency.EUR: 2, Currency.USD: 2, Currency.DZD: 2}


def to_minor_units(amount: Decimal, currency: Currency) -> int:
    """``12.34`` EUR → ``1234``; an amount finer than the currency's unit is refused."""
    scaled = amount.scaleb(MINOR_UNIT_DIGITS[currency])
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} {currency.value} is finer than the processor's unit")
    return int(scaled)


def from_minor_units(amount: int, currency: Currency) -> Decimal:
    return Decimal(amount).scaleb(-MINOR_UNIT_DIGITS[currency])


def webhook_secret(settings: Settings) -> str | None:
    """The secret the processor's webhooks are signed with (R-PAY-3): the configured one;
    in dev without one, a secret derived from the app's key, so that ``conex-gateway
    dev-payment`` and the gateway agree; in prod without one, none (webhooks refused)."""
    if settings.stripe_webhook_secret:
        return settings.stripe_webhook_secret
    if settings.env == "prod":
        return None
    derived = hmac.new(settings.signing_key().encode(), b"payments-webhook", hashlib.sha256)
    return "whsec_dev_" + derived.hexdigest()[:32]


def processor_for(settings: Settings) -> PaymentProcessor:
    """Stripe when its secret key is set; else the development processor outside
    production. Production needs both Stripe settings (its webhooks must be verifiable)."""
    if settings.stripe_secret_key:
        if settings.env == "prod" and not settings.stripe_webhook_secret:
            raise ProcessorUnavailable(
                "CONEX_STRIPE_WEBHOOK_SECRET is not set: online payment is off in production"
            )
        from gateway.integrations.payments_stripe import StripeProcessor

        return StripeProcessor(settings)
    if settings.env == "prod":
        raise ProcessorUnavailable("no payment processor is configured for production")
    from gateway.integrations.payments_dev import DevProcessor

    return DevProcessor()
