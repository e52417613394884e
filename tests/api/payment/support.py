"""What the payment tests share: the self-service contract's payment operations (copied from
``../shared/contract/selfservice``, so that the suite stands alone), quotes to pay, and
signed webhooks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from db.models import Payment
from gateway.domain.enums import Currency
from gateway.integrations.payment_webhooks import intent_object, signed_event
from gateway.integrations.payments import to_minor_units
from gateway.settings import Settings
from tests.api.client import Answer, send
from tests.api.world import World, gid, rows, today

PAY_QUOTE = """
mutation PayQuote($input: QuotePayInput!) {
  quotePay(input: $input) {
    payment { id status amount { amount currency } clientSecret failureMessage }
    order {
      id
      number
      invoiceNumber
      licenses { id sen tier licenseKey maintenanceStartsOn maintenanceEndsOn }
    }
    quote { id status version }
    userErrors { field code message }
  }
}
"""

PAYMENT_STATUS = """
query PaymentStatus($id: ID!) {
  node(id: $id) {
    ... on Payment {
      id
      status
      method
      amount { amount currency }
      failureMessage
      quote { id number status }
      order { id number invoiceNumber }
    }
  }
}
"""

RECENT_PAYMENTS = """
query RecentPayments($after: String) {
  payments(first: 50, after: $after) {
    totalCount
    edges {
      node { id status method amount { amount currency } createdAt quote { number } failureMessage }
    }
  }
}
"""

FIELD = "quotePay"
TIMEOUT = dt.timedelta(minutes=30)  # CONEX_PAYMENT_ACTION_TIMEOUT_MINUTES' default


async def post(
    client: Any,
    query: str,
    variables: dict[str, Any],
    token: str | None,
    headers: dict[str, str] | None = None,
) -> Answer:
    """A document of the payment tests' own (``query``) through ``send``."""
    return await send(client, variables=variables, token=token, query=query, headers=headers)


async def pay(
    client: Any,
    token: str | None,
    quote: int,
    payment_token: str = "pm_card_visa",
    *,
    version: int = 1,
    method: str = "CARD",
    headers: dict[str, str] | None = None,
) -> Answer:
    variables = {
        "input": {
            "quoteId": gid("Quote", quote),
            "expectedVersion": version,
            "paymentToken": payment_token,
            "method": method,
        }
    }
    return await post(client, PAY_QUOTE, variables, token, headers)


def line(
    world: World, *, quantity: int = 1, total: str = "3840.00", **values: Any
) -> dict[str, Any]:
    amount = Decimal(total)
    return world.line(
        quantity=quantity,
        unit_price=amount,
        subtotal=amount,
        discount_total=Decimal("0.00"),
        total=amount,
        discounts=[],
        **values,
    )


async def quote_to_pay(
    world: World, *lines: dict[str, Any], currency: Currency = Currency.EUR, **values: Any
) -> int:
    """An open quote of Alice (billing) and Bob (technical), valid for 20 more days."""
    items = list(lines) or [line(world)]
    total = sum((item["total"] for item in items), Decimal("0.00"))
    values.setdefault("technical", world.bob)
    values.setdefault("valid_until", today() + dt.timedelta(days=20))
    if currency is Currency.DZD:
        values.setdefault("fx_rate", Decimal("150.000000"))
        values.setdefault("fx_margin", Decimal("0.0300"))
    return await world.quote(
        lines=items,
        currency=currency,
        subtotal=total,
        discount_total=Decimal("0.00"),
        total=total,
        **values,
    )


async def payments_of(world: World, quote: int) -> list[Any]:
    return await rows(world.engine, Payment, Payment.quote_id == quote)


def webhook(
    payment: Any,
    *,
    secret: str,
    status: str = "succeeded",
    event_type: str = "payment_intent.succeeded",
    failure: str | None = None,
    timestamp: int | None = None,
    quote_number: str = "Q",
) -> tuple[bytes, dict[str, str]]:
    """A webhook about ``payment`` (a ``payments`` row), signed with ``secret``."""
    intent = intent_object(
        intent_id=payment.processor_payment_id,
        status=status,
        amount=to_minor_units(payment.amount, Currency(payment.currency)),
        currency=Currency(payment.currency),
        payment_id=payment.id,
        quote_number=quote_number,
        failure_message=failure,
    )
    body, header = signed_event(
        secret=secret, event_type=event_type, intent=intent, timestamp=timestamp
    )
    return body, {"Stripe-Signature": header, "Content-Type": "application/json"}


async def send_webhook(client: Any, body: bytes, headers: dict[str, str]) -> httpx.Response:
    response: httpx.Response = await client.post(
        "/webhooks/payments", content=body, headers=headers
    )
    return response


async def age(engine: AsyncEngine, payment_id: int, by: dt.timedelta = TIMEOUT) -> None:
    """The payment has had no news for ``by`` (and a minute)."""
    then = dt.datetime.now(dt.UTC) - by - dt.timedelta(minutes=1)
    async with engine.begin() as conn:
        await conn.execute(update(Payment).where(Payment.id == payment_id).values(updated_at=then))


def cli_environment(monkeypatch: pytest.MonkeyPatch, settings: Settings, **extra: str) -> None:
    monkeypatch.setenv("CONEX_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CONEX_SECRET_KEY", settings.secret_key or "")
    for name, value in extra.items():
        monkeypatch.setenv(f"CONEX_{name.upper()}", value)
