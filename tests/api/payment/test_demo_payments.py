"""The demo dataset's online payments (R-PAY-1, R-PAY-2): every order paid by card or
PayPal has its succeeded payment; Alice's latest card order was declined once first."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncEngine

from db.models import Account, Order, Payment
from gateway.demo_data import load_demo_data
from gateway.domain.enums import PaymentMethod, PaymentStatus
from tests.api.world import rows


async def test_r_pay_2_demo_orders_paid_online_have_their_payment(engine: AsyncEngine) -> None:
    await load_demo_data(engine, accounts=12, seed=3, today=dt.date(2026, 11, 26))
    payments = await rows(engine, Payment)
    orders = {o.id: o for o in await rows(engine, Order)}
    online = {o.id for o in orders.values() if o.payment_method in ("CARD", "PAYPAL")}
    succeeded = [p for p in payments if p.status == PaymentStatus.SUCCEEDED]
    assert online and {p.order_id for p in succeeded} == online
    for payment in succeeded:
        order = orders[payment.order_id]
        assert (payment.amount, payment.currency) == (order.total, order.currency)
        assert payment.quote_id == order.quote_id and payment.method == order.payment_method
        if payment.method == PaymentMethod.CARD:
            assert payment.card_brand and payment.card_last4
    (alice,) = await rows(engine, Account, Account.email == "alice@example.com")
    (declined,) = [p for p in payments if p.status == PaymentStatus.FAILED]
    assert declined.payer_account_id == alice.id and declined.order_id is None
    assert declined.failure_message == "Your card was declined."
    after = [p for p in succeeded if p.quote_id == declined.quote_id]
    assert len(after) == 1 and after[0].created_at > declined.created_at
