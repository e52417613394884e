"""Exactly once, under real concurrency on PostgreSQL (R-PAY-2, R-PAY-4).

Concurrent quotePay calls, a retried call with the same Idempotency-Key, and the webhook
racing the synchronous answer: one order, one set of licenses, one mail per contact. Runs
only with ``CONEX_TEST_DATABASE_URL``: SQLite has one writer and no row locks, so racing it
shows nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest

from db.engine import create_engine
from db.models import AuditEvent, License, Order, OutgoingMail, Payment, Quote
from gateway.app import create_app
from gateway.domain.enums import PaymentStatus, QuoteStatus
from gateway.integrations.payment_webhooks import intent_object, signed_event
from gateway.integrations.payments import (
    CardInfo,
    PaymentRequest,
    PaymentResult,
    to_minor_units,
    webhook_secret,
)
from gateway.services import services_of
from gateway.settings import Settings
from tests.api.client import send
from tests.api.payment.support import FIELD, line, pay, quote_to_pay
from tests.api.world import World, build_world, gid, rows
from tests.conftest import POSTGRES_URL, TEST_SECRET_KEY, truncate_postgres

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(POSTGRES_URL is None, reason="needs CONEX_TEST_DATABASE_URL"),
]
CONCURRENT = 8
ROUNDS = 4


@pytest.fixture
async def pg(postgres_database: str, tmp_path: Path) -> AsyncIterator[tuple[Any, World, Any]]:
    """Its own engine, with a pool large enough that every request really runs at once."""
    await truncate_postgres(postgres_database)
    engine = create_engine(postgres_database, pool_size=4 * CONCURRENT + 5, pool_timeout=30)
    settings = Settings(
        env="dev",
        database_url=postgres_database,
        secret_key=TEST_SECRET_KEY,
        mail_dir=tmp_path / "mail",
        redis_url=None,
    )
    world = await build_world(engine, settings.signing_key())
    app = create_app(settings, engine=engine)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client, world, app
    await engine.dispose()


def outcome(body: Mapping[str, Any]) -> str:
    result = body["data"][FIELD]
    if result["userErrors"]:
        return str(result["userErrors"][0]["code"])
    return str(result["payment"]["status"])


async def exactly_one_order(world: World, quote: int, licenses: int) -> None:
    (order,) = await rows(world.engine, Order, Order.quote_id == quote)
    (paid,) = await rows(world.engine, Quote, Quote.id == quote)
    assert paid.status == QuoteStatus.PAID
    succeeded = [
        p
        for p in await rows(world.engine, Payment, Payment.quote_id == quote)
        if p.status == "SUCCEEDED"
    ]
    assert [p.order_id for p in succeeded] == [order.id]
    issued = await rows(world.engine, AuditEvent, AuditEvent.entity_type == "Order")
    assert [e.entity_id for e in issued if e.entity_id == order.id] == [order.id]
    assert (
        len(await rows(world.engine, License, License.organization_id == world.organization))
        >= licenses
    )
    mails = await rows(world.engine, OutgoingMail, OutgoingMail.template == "payment_received")
    assert sorted(m.to_address for m in mails if order.number in m.subject) == [
        "alice@example.com",
        "bob@example.com",
    ]


async def test_r_pay_2_concurrent_payments_of_one_quote_make_exactly_one_order(
    pg: tuple[Any, World, Any],
) -> None:
    client, world, _ = pg
    for attempt in range(ROUNDS):
        quote = await quote_to_pay(world, line(world, quantity=2, total="7680.00"))
        bodies = await asyncio.gather(
            *(pay(client, world.alice_token, quote, "pm_card_visa") for _ in range(CONCURRENT))
        )
        outcomes = [outcome(body) for body in bodies]
        assert outcomes.count("SUCCEEDED") == 1, (attempt, outcomes)
        assert set(outcomes) <= {"SUCCEEDED", "PAYMENT_IN_PROGRESS", "QUOTE_NOT_OPEN"}, outcomes
        await exactly_one_order(world, quote, licenses=2)
    assert len(await rows(world.engine, License)) == 2 * ROUNDS  # no license issued twice


async def test_r_pay_2_a_retry_with_the_same_idempotency_key_pays_once(
    pg: tuple[Any, World, Any],
) -> None:
    client, world, _ = pg
    quote = await quote_to_pay(world)
    headers = {"Idempotency-Key": "pay-once-7f1c"}
    first, second = await asyncio.gather(
        pay(client, world.alice_token, quote, headers=headers),
        pay(client, world.alice_token, quote, headers=headers),
    )
    statuses = sorted([first.status, second.status])
    assert statuses in ([200, 200], [200, 409]), (first, second)
    retry = await pay(client, world.alice_token, quote, headers=headers)
    assert retry.headers.get("idempotent-replayed") == "true"
    assert outcome(retry) == "SUCCEEDED"
    assert len(await rows(world.engine, Payment, Payment.quote_id == quote)) == 1
    await exactly_one_order(world, quote, licenses=1)


class RacingProcessor:
    """Succeeds, and has its webhook sent at the same moment as its synchronous answer."""

    name = "dev"

    def __init__(self, client: Any, secret: str) -> None:
        self.client = client
        self.secret = secret
        self.webhooks: list[asyncio.Task[httpx.Response]] = []

    async def describe(self, token: str) -> CardInfo:
        return CardInfo("visa", "4242")

    async def charge(self, token: str, amount: Any, currency: Any) -> None:
        return None

    async def retrieve(self, processor_payment_id: str) -> PaymentResult:
        return PaymentResult(PaymentStatus.SUCCEEDED, processor_payment_id)

    async def find(self, payment_id: int, quote_number: str) -> PaymentResult | None:
        return None

    async def cancel(self, processor_payment_id: str) -> PaymentResult:
        return await self.retrieve(processor_payment_id)

    async def refund(self, processor_payment_id: str, *, idempotency_key: str) -> str:
        return f"re_race_{processor_payment_id}"

    async def pay(self, request: PaymentRequest) -> PaymentResult:
        intent_id = f"pi_race_{request.payment_id}"
        body, header = signed_event(
            secret=self.secret,
            event_type="payment_intent.succeeded",
            intent=intent_object(
                intent_id=intent_id,
                status="succeeded",
                amount=to_minor_units(request.amount, request.currency),
                currency=request.currency,
                payment_id=request.payment_id,
                quote_number=request.quote_number,
            ),
        )
        self.webhooks.append(
            asyncio.ensure_future(
                self.client.post(
                    "/webhooks/payments", content=body, headers={"Stripe-Signature": header}
                )
            )
        )
        await asyncio.sleep(0)  # the webhook is under way before the answer comes back
        return PaymentResult(PaymentStatus.SUCCEEDED, intent_id, CardInfo("visa", "4242"))


async def test_r_pay_2_the_webhook_racing_the_answer_issues_one_order(
    pg: tuple[Any, World, Any],
) -> None:
    client, world, app = pg
    services = services_of(app)
    racing = RacingProcessor(client, webhook_secret(services.settings) or "")
    services.payments = racing
    for attempt in range(ROUNDS):
        quote = await quote_to_pay(world)
        body = await pay(client, world.alice_token, quote)
        answers = await asyncio.gather(*racing.webhooks)
        racing.webhooks.clear()
        assert outcome(body) == "SUCCEEDED", (attempt, body)
        assert body["data"][FIELD]["order"] is not None
        assert [a.status_code for a in answers] == [200]
        assert answers[0].json()["outcome"] in ("settled", "unchanged")
        await exactly_one_order(world, quote, licenses=1)


async def test_r_pay_4_an_edit_racing_a_payment_never_both_succeed(
    pg: tuple[Any, World, Any],
) -> None:
    client, world, _ = pg
    for attempt in range(ROUNDS):
        quote = await quote_to_pay(world)
        paying, editing = await asyncio.gather(
            pay(client, world.alice_token, quote, "pm_card_authenticationRequired"),
            send(
                client,
                "SetQuotePoNumber",
                {"id": gid("Quote", quote), "poNumber": f"PO-{attempt}", "expectedVersion": 1},
                world.alice_token,
            ),
        )
        edit_errors = [e["code"] for e in editing["data"]["quoteSetPoNumber"]["userErrors"]]
        paid = outcome(paying)
        assert (paid, edit_errors) in (
            ("REQUIRES_ACTION", ["PAYMENT_IN_PROGRESS"]),
            ("STALE_VERSION", []),
        ), (attempt, paid, edit_errors)
