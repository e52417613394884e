"""Delivering partner webhooks (issue #15, R-LIVE-2): ``webhook_deliveries`` rows, queued in the
transaction of the change they announce (``db.queries.webhook.enqueue_deliveries``), sent here.

Who delivers (``CONEX_WEBHOOK_DELIVERY``): ``inline``, the dev default, is a deliverer task in
each app's lifespan (:func:`inline_webhook_delivery`), woken by every commit of its process
that wrote changes (``db.queries.changes.on_changes_committed``) and looking every
``POLL_SECONDS`` for the rest; ``worker``, the prod default, leaves it to ``conex-gateway
webhooks --watch`` (:func:`run_webhook_sender`). The loop is the mail outbox's
(``gateway.integrations.mail.OutboxDeliverer``), with this module's batch.

A batch is claimed first (a conditional UPDATE, ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so
no two deliverers hold one delivery), sent with no transaction open, then recorded; a claim
whose deliverer died lapses after ``CLAIM_FOR`` and the delivery is sent again: at least
once, and the receiver deduplicates by ``webhook-id`` (``msg_<event>_<endpoint>``, the same on
every try).

Each try re-reads the object under the partner's principal, with the scopes the token that
created the endpoint has now (R-LIVE-1's rule; nothing once that token is revoked or
expired): what it may no longer read is not sent (``SKIPPED``);
no license key is ever in a payload. The body, ``{"type", "timestamp", "data"}``, is signed
the Standard Webhooks way with the maintained ``standardwebhooks`` library (``webhook-id``,
``webhook-timestamp``, ``webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">``)
and posted under the address rule of ``gateway.integrations.webhook_http``.

A 2xx is delivered. Anything else is retried with exponential back-off and jitter
(``gateway.domain.webhook.retry_delay``) for 24 hours from the event, then ``FAILED``. An
endpoint whose tries have all failed for 24 hours is disabled (``disabledAt``), its pending
deliveries failed, and its alert address mailed through the outbox, in one transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
from standardwebhooks.webhooks import Webhook

from db.queries import webhook as queries
from db.queries.changes import on_changes_committed
from db.rows import LicenseRow, OrderRow, QuoteRow, WebhookDeliveryRow, WebhookEndpointRow
from db.sessions import Connection, Engine
from gateway.actions.ids import global_id
from gateway.auth import principal as principals
from gateway.domain.enums import ChangeEntity, PartnerScope, WebhookDeliveryStatus
from gateway.domain.webhook import (
    endpoint_fails_too_long,
    gives_up,
    retry_delay,
    signing_secret,
)
from gateway.integrations.mail import OutboxDeliverer
from gateway.integrations.webhook_http import PostResult, Resolver, post_webhook, system_resolve
from gateway.loaders import Loaders
from gateway.settings import Settings

log = logging.getLogger(__name__)

BATCH_SIZE = 20  # the mail loop's: a full batch means "look again at once"
CONCURRENCY = 10  # posts of one batch in flight at once
# A claim outlasts the slowest batch (BATCH_SIZE / CONCURRENCY rounds of the 10 s timeout).
CLAIM_FOR = dt.timedelta(minutes=2)
POLL_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class Transport:
    """How posts leave: the resolver and, in tests, an httpx transport."""

    resolve: Resolver = system_resolve
    http: httpx.AsyncBaseTransport | None = None


def _money(amount: Decimal, currency: str) -> dict[str, str]:
    return {"amount": str(amount), "currency": currency}


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _quote(row: QuoteRow) -> dict[str, Any]:
    return {
        "id": global_id("Quote", row.id),
        "number": row.number,
        "status": row.status.value,
        "version": row.version,
        "isReseller": row.is_reseller,
        "poNumber": row.po_number,
        "validUntil": _iso(row.valid_until),
        "total": _money(row.total, row.currency.value),
        "updatedAt": _iso(row.updated_at),
    }


def _order(row: OrderRow) -> dict[str, Any]:
    return {
        "id": global_id("Order", row.id),
        "number": row.number,
        "invoiceNumber": row.invoice_number,
        "quoteId": global_id("Quote", row.quote_id),
        "paidAt": _iso(row.paid_at),
        "poNumber": row.po_number,
        "total": _money(row.total, row.currency.value),
    }


def _license(row: LicenseRow) -> dict[str, Any]:  # never the license key
    return {
        "id": global_id("License", row.id),
        "sen": row.sen,
        "tier": row.tier.value,
        "licenseType": row.license_type.value,
        "purchasedOn": _iso(row.purchased_on),
        "evaluationEndsOn": _iso(row.evaluation_ends_on),
        "maintenanceEndsOn": _iso(row.maintenance_ends_on),
    }


async def read_payload_data(
    engine: Engine, endpoint: WebhookEndpointRow, delivery: WebhookDeliveryRow, now: dt.datetime
) -> dict[str, Any] | None:
    """The object as the endpoint's partner may read it now (its loaders, its policy, the
    scopes its registering token has now), or None when it may not (any more). A revoked or
    expired token — a leaked one, say — ends what it registered: nothing more is sent."""
    async with engine.connect() as conn:
        held = await queries.live_token_scopes(conn=conn, token_id=endpoint.token_id, now=now)
    if held is None:
        return None
    scopes = frozenset(PartnerScope(s) for s in held if s in PartnerScope.__members__)
    scopes &= frozenset(
        PartnerScope(s) for s in endpoint.scopes if s in PartnerScope.__members__
    )  # never more than it had when it registered the endpoint
    reader = principals.partner(endpoint.partner_id, endpoint.token_id or 0, scopes, "webhooks")
    loaders = Loaders(engine=engine, principal=reader, today=now.date())
    entity = ChangeEntity(delivery.entity_type)
    if entity is ChangeEntity.QUOTE:
        quote = await loaders.quote.load(delivery.entity_id)
        return _quote(quote) if quote else None
    if entity is ChangeEntity.ORDER:
        order = await loaders.order.load(delivery.entity_id)
        return _order(order) if order else None
    license_ = await loaders.license.load(delivery.entity_id)
    return _license(license_) if license_ else None


def event_type(delivery: WebhookDeliveryRow) -> str:
    """``QUOTE_PAID`` → ``quote.paid`` (Standard Webhooks' dotted types)."""
    return delivery.event.value.lower().replace("_", ".", 1)


def signed_request(
    secret: str, delivery: WebhookDeliveryRow, data: dict[str, Any], now: dt.datetime
) -> tuple[bytes, dict[str, str]]:
    """The body and the Standard Webhooks headers that sign it."""
    body = json.dumps(
        {"type": event_type(delivery), "timestamp": _iso(now), "data": data},
        separators=(",", ":"),
    )
    at = now.replace(microsecond=0)
    headers = {
        "Content-Type": "application/json",
        "webhook-id": delivery.webhook_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(delivery.webhook_id, at, body),
    }
    return body.encode(), headers


async def _attempt(
    engine: Engine,
    settings: Settings,
    endpoint: WebhookEndpointRow | None,
    delivery: WebhookDeliveryRow,
    now: dt.datetime,
    transport: Transport,
) -> PostResult | None:
    """One try; None: nothing to send (the object is not readable, the endpoint gone)."""
    if endpoint is None or endpoint.disabled_at is not None:
        return None
    data = await read_payload_data(engine, endpoint, delivery, now)
    if data is None:
        return None
    secret = signing_secret(settings.signing_key(), endpoint.secret_salt)
    body, headers = signed_request(secret, delivery, data, now)
    return await post_webhook(
        endpoint.url,
        body,
        headers,
        prod=settings.env == "prod",
        resolve=transport.resolve,
        transport=transport.http,
    )


def _disabled_mail(endpoint: WebhookEndpointRow, now: dt.datetime) -> dict[str, Any] | None:
    if endpoint.alert_email is None:
        return None
    body = (
        "Hello,\n\n"
        f"Every delivery to your Conex webhook endpoint {endpoint.url} has failed for 24 hours, "
        f"so it was disabled at {now:%Y-%m-%d %H:%M} UTC and nothing more is sent to it.\n\n"
        "Its delivery log (webhookEndpoints { deliveries }) says what the receiver answered. "
        "Once the receiver works again, create a new endpoint (webhookEndpointCreate) and "
        "delete this one (webhookEndpointDelete).\n\n— Conex\n"
    )
    return dict(
        to_address=endpoint.alert_email,
        subject="Your Conex webhook endpoint was disabled",
        body=body,
        template="webhook_endpoint_disabled",
        created_at=now,
    )


async def _record(
    conn: Connection,
    delivery: WebhookDeliveryRow,
    endpoint: WebhookEndpointRow | None,
    result: PostResult | None,
    now: dt.datetime,
) -> bool:
    """Record one outcome; whether it was delivered."""
    if result is None:
        await queries.record_delivery(
            conn=conn,
            delivery_id=delivery.id,
            status=WebhookDeliveryStatus.SKIPPED,
            now=now,
            tried=False,
            error="not readable by the partner, or the endpoint is disabled",
        )
        return False
    assert endpoint is not None
    if result.ok:
        status = WebhookDeliveryStatus.DELIVERED
    elif gives_up(delivery.created_at, now):
        status = WebhookDeliveryStatus.FAILED
    else:
        status = WebhookDeliveryStatus.PENDING
    await queries.record_delivery(
        conn=conn,
        delivery_id=delivery.id,
        status=status,
        now=now,
        tried=True,
        response_status=result.status,
        error=result.error,
        retry_at=now + retry_delay(delivery.attempts + 1),
    )
    failing_since = await queries.mark_endpoint(
        conn=conn, endpoint_id=endpoint.id, ok=result.ok, now=now
    )
    if not result.ok:
        log.warning("webhook %s not delivered: %s", delivery.webhook_id, result.error)
    if not result.ok and endpoint_fails_too_long(failing_since, now):
        mail = _disabled_mail(endpoint, now)
        if await queries.disable_endpoint(conn=conn, endpoint_id=endpoint.id, now=now, mail=mail):
            log.warning("webhook endpoint %d disabled after 24 hours of failures", endpoint.id)
    return result.ok


async def deliver_batch(
    engine: Engine,
    settings: Settings,
    *,
    limit: int = BATCH_SIZE,
    now: dt.datetime | None = None,
    transport: Transport | None = None,
) -> tuple[int, int]:
    """Claim up to ``limit`` due deliveries, send them, record each: how many were claimed and
    how many delivered. ``now`` and ``transport`` are the tests' clock and network."""
    moment = now or dt.datetime.now(dt.UTC)
    transport = transport or Transport()
    async with engine.begin() as conn:
        rows = await queries.claim_due_deliveries(
            conn=conn, now=moment, claim_until=moment + CLAIM_FOR, limit=limit
        )
        endpoints = await queries.endpoints_by_id(
            conn=conn, ids=sorted({r.endpoint_id for r in rows})
        )
    if not rows:
        return 0, 0
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(row: WebhookDeliveryRow) -> PostResult | None:
        async with gate:
            endpoint = endpoints.get(row.endpoint_id)
            try:
                return await _attempt(engine, settings, endpoint, row, moment, transport)
            except Exception as error:  # unforeseen: still a counted, failed try
                log.exception("webhook %s: unexpected error", row.webhook_id)
                return PostResult(None, f"{type(error).__name__}: {error}"[:500])

    results: Sequence[PostResult | None] = await asyncio.gather(*(one(r) for r in rows))
    delivered = 0
    async with engine.begin() as conn:
        for row, result in zip(rows, results, strict=True):
            endpoint = endpoints.get(row.endpoint_id)
            delivered += await _record(conn, row, endpoint, result, now or moment)
    log.info("webhooks: %d of %d delivered", delivered, len(rows))
    return len(rows), delivered


async def send_pending(
    engine: Engine, settings: Settings, *, now: dt.datetime | None = None
) -> int:
    """Send every due delivery, a batch at a time; how many were delivered."""
    total = 0
    while True:
        claimed, delivered = await deliver_batch(engine, settings, now=now)
        total += delivered
        if claimed < BATCH_SIZE:
            return total


def webhook_deliverer(
    engine: Engine, settings: Settings, *, poll: float = POLL_SECONDS
) -> OutboxDeliverer:
    return OutboxDeliverer(
        engine,
        settings,
        poll=poll,
        batch=lambda: deliver_batch(engine, settings),
        name="webhooks",
    )


@contextlib.asynccontextmanager
async def inline_webhook_delivery(engine: Engine, settings: Settings) -> AsyncIterator[None]:
    """With ``CONEX_WEBHOOK_DELIVERY=inline``: an app's webhook deliverer for its lifespan."""
    if settings.effective_webhook_delivery != "inline":
        yield
        return
    deliverer = webhook_deliverer(engine, settings)
    stop_watching = on_changes_committed(engine, lambda _: deliverer.nudge())
    task = asyncio.create_task(deliverer.run(), name="conex-webhook-delivery")
    try:
        yield
    finally:
        stop_watching()
        await deliverer.stop(task)


async def run_webhook_sender(
    engine: Engine,
    settings: Settings,
    *,
    interval: float = POLL_SECONDS,
    stop: asyncio.Event | None = None,
) -> None:
    """The deliverer until ``stop`` is set: a process of its own (``webhooks --watch``)."""
    deliverer = webhook_deliverer(engine, settings, poll=interval)
    task = asyncio.create_task(deliverer.run())
    try:
        await (stop or asyncio.Event()).wait()
    finally:
        await deliverer.stop(task)
