"""Online payments: every order paid by card or PayPal was paid online (R-PAY-1), so each
gets its SUCCEEDED payment; Alice's latest card order was declined once before (R-PAY-2).

Derived from the orders, without the builder's random stream (adding payments leaves every
other row of a seed as it was): the card of a payment follows its order's reference.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from gateway.demo_data.dataset import DemoDataset, DemoOrder
from gateway.demo_data.rows import Ids
from gateway.demo_data.scripted import ALICE_EMAIL
from gateway.domain.enums import PaymentMethod, PaymentStatus, PrincipalKind

CARDS = (("visa", "4242"), ("mastercard", "4444"), ("amex", "8431"))
DECLINED = "Your card was declined."
ONLINE = (PaymentMethod.CARD, PaymentMethod.PAYPAL)


def _card(order: DemoOrder) -> tuple[str, str | None]:
    if order.payment_method is PaymentMethod.PAYPAL:
        return "paypal", None
    digest = hashlib.sha256((order.payment_reference or order.number).encode()).digest()
    return CARDS[digest[0] % len(CARDS)]


def payments(data: DemoDataset, ids: Ids) -> list[dict[str, Any]]:
    online = [o for o in data.orders if o.payment_method in ONLINE]
    alices = [
        o
        for o in online
        if o.quote.billing.email == ALICE_EMAIL and o.payment_method is PaymentMethod.CARD
    ]
    declined_first = max(alices, key=lambda o: o.paid_at) if alices else None
    rows: list[dict[str, Any]] = []
    for order in sorted(online, key=lambda o: o.paid_at):
        base = _row(order, ids)
        if order is declined_first:
            tried = order.paid_at - dt.timedelta(minutes=4)
            rows.append(
                base
                | dict(
                    status=PaymentStatus.FAILED,
                    processor_payment_id=f"pi_demo_declined_{order.number.lower()}",
                    card_brand="visa",
                    card_last4="0002",
                    failure_message=DECLINED,
                    order_id=None,
                    created_at=tried,
                    updated_at=tried,
                )
            )
        rows.append(base)
    return rows


def _row(order: DemoOrder, ids: Ids) -> dict[str, Any]:
    brand, last4 = _card(order)
    quote = order.quote
    return dict(
        quote_id=ids.quote(quote),
        status=PaymentStatus.SUCCEEDED,
        method=order.payment_method,
        amount=quote.total,
        currency=quote.currency,
        processor="dev",
        processor_payment_id=f"pi_demo_{order.number.lower()}",
        client_secret=None,
        card_brand=brand,
        card_last4=last4,
        failure_message=None,
        order_id=ids.order(order),
        payer_kind=PrincipalKind.CUSTOMER,
        payer_account_id=ids.account(quote.billing),
        payer_token_id=None,
        created_at=order.paid_at,
        updated_at=order.paid_at,
    )
