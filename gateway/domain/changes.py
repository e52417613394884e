"""Changes to quotes, licenses and orders, as subscriptions and webhooks announce them
(issue #15, R-LIVE-1..2).

An action records each change in its unit of work (``UnitOfWork.changed``); the change is
written to ``change_events`` in the same transaction and announced only after that commits,
so a rolled-back mutation announces nothing. A change names what changed, never its data:
whoever receives it re-reads the object under their own principal.
"""

from __future__ import annotations

from gateway.domain.enums import ChangeEntity, ChangeKind, WebhookEvent

_WEBHOOK_EVENTS: dict[tuple[ChangeEntity, ChangeKind], WebhookEvent] = {
    (ChangeEntity.QUOTE, ChangeKind.CREATED): WebhookEvent.QUOTE_CREATED,
    (ChangeEntity.QUOTE, ChangeKind.UPDATED): WebhookEvent.QUOTE_UPDATED,
    (ChangeEntity.QUOTE, ChangeKind.PAID): WebhookEvent.QUOTE_PAID,
    (ChangeEntity.ORDER, ChangeKind.CREATED): WebhookEvent.ORDER_CREATED,
    (ChangeEntity.LICENSE, ChangeKind.ISSUED): WebhookEvent.LICENSE_ISSUED,
    (ChangeEntity.LICENSE, ChangeKind.UPDATED): WebhookEvent.LICENSE_UPDATED,
}


def webhook_event(entity: ChangeEntity, kind: ChangeKind) -> WebhookEvent | None:
    """The webhook event a change is delivered as, or None (a deleted quote, an order's PO
    number: the contract has no event for them)."""
    return _WEBHOOK_EVENTS.get((entity, kind))
