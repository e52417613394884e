"""The payment-processor port (R-ACC-6): card tokens in, brand and last 4 digits out.

The gateway never sees a card number: the client hands the card to the processor, gets a
token back and sends only that token. The gateway keeps the token (a processor reference),
the brand and the last 4 digits, and never logs or audits the token.

Only the development processor exists; ``processor_for`` is the one place that picks one.
A production processor (a real PSP's API) is out of scope: in production no processor is
configured and card mutations fail loudly rather than accept fake tokens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from gateway.domain.enums import Currency
from gateway.settings import Settings


@dataclass(frozen=True, slots=True)
class CardInfo:
    brand: str
    last4: str


class PaymentDeclined(Exception):
    """The processor refused the token or the charge; the message is safe to show."""


class ProcessorUnavailable(Exception):
    """No payment processor is configured for this environment."""


class PaymentProcessor(Protocol):
    async def describe(self, token: str) -> CardInfo:
        """The card behind a token, or ``PaymentDeclined``."""
        ...

    async def charge(self, token: str, amount: Decimal, currency: Currency) -> None:
        """Charge the card now, or ``PaymentDeclined``."""
        ...


_DEV_TOKEN = re.compile(r"tok_(visa|mastercard|amex)_([0-9]{4})")
DEV_DECLINING_LAST4 = "0002"  # describes fine, declines every charge (like a PSP test card)


class DevProcessor:
    """Development and tests: accepts ``tok_<brand>_<last4>`` (``tok_visa_4242``,
    ``tok_mastercard_4444``, ``tok_amex_0005``); a card ending 0002 declines charges."""

    async def describe(self, token: str) -> CardInfo:
        match = _DEV_TOKEN.fullmatch(token)
        if match is None:
            raise PaymentDeclined("The card was declined: the payment token is not valid")
        return CardInfo(brand=match.group(1), last4=match.group(2))

    async def charge(self, token: str, amount: Decimal, currency: Currency) -> None:
        card = await self.describe(token)
        if card.last4 == DEV_DECLINING_LAST4:
            raise PaymentDeclined(f"The card was declined for {amount} {currency.value}")


def processor_for(settings: Settings) -> PaymentProcessor:
    """The processor of this environment: the development one outside production."""
    if settings.env == "prod":
        raise ProcessorUnavailable("no payment processor is configured for production")
    return DevProcessor()
