"""One mutation, one transaction: the unit of work every action runs in.

``async with unit_of_work(...) as unit:`` opens a session and a transaction; the action
writes through ``unit.session``, records audit events (R-SEC-1) and outgoing mail in the
same transaction — the audit event of a change to a quote, license or order says what kind
(``audit_change``), and subscriptions and webhooks announce it after the commit (issue #15) —
and raises ``DomainError`` (or ``DomainErrors``) to refuse. On a refusal
or any exception everything is rolled back; on success it commits once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from db.queries.audit import insert_audit_events
from db.queries.outbox import insert_outgoing_mails
from db.queries.webhook import enqueue_deliveries
from db.sessions import Session, SessionFactory
from gateway.actions.messages import Message
from gateway.auth.principal import Principal
from gateway.domain.enums import ChangeKind, PrincipalKind


@dataclass
class UnitOfWork:
    session: Session
    principal: Principal
    now: dt.datetime
    web_url: str = ""  # the web UI: base of the reset and invitation links in mail
    events: list[dict[str, Any]] = field(default_factory=list)
    mails: list[dict[str, Any]] = field(default_factory=list)

    @property
    def today(self) -> dt.date:
        return self.now.date()

    def audit(
        self,
        action: str,
        entity_type: str,
        entity_id: int,
        changes: dict[str, tuple[Any, Any]] | None = None,
        *,
        principal: Principal | None = None,
        change: ChangeKind | None = None,
    ) -> None:
        """R-SEC-1: who, what, which entity, and each changed field before → after."""
        who = principal or self.principal
        principal_id = {
            PrincipalKind.CUSTOMER: who.account_id,
            PrincipalKind.PARTNER: who.token_id,
            PrincipalKind.STAFF: who.token_id,
        }.get(who.kind)
        self.events.append(
            dict(
                at=self.now,
                principal_kind=who.kind,
                principal_id=str(principal_id) if principal_id is not None else None,
                principal_name=who.name,
                acting_partner_id=who.partner_id,
                action=action,
                entity_type=entity_type,
                entity_id=entity_id,
                changes=[
                    {"field": name, "before": _plain(before), "after": _plain(after)}
                    for name, (before, after) in (changes or {}).items()
                    if before != after
                ],
                change=change,
            )
        )

    def audit_change(
        self,
        kind: ChangeKind,
        action: str,
        entity_type: str,
        entity_id: int,
        changes: dict[str, tuple[Any, Any]] | None = None,
        *,
        principal: Principal | None = None,
    ) -> None:
        """The audit event of a change to a quote, license or order (issue #15): written with
        the others, announced to subscriptions and webhooks only once the transaction
        commits. They re-read the object under their own principal."""
        self.audit(action, entity_type, entity_id, changes, principal=principal, change=kind)

    def mail(self, *, to: str, subject: str, body: str, template: str) -> None:
        """Queue a message in the outbox; it is sent only if the transaction commits."""
        self.mails.append(
            dict(to_address=to, subject=subject, body=body, template=template, created_at=self.now)
        )

    def send(self, to: str, message: Message) -> None:
        self.mail(to=to, subject=message.subject, body=message.body, template=message.template)

    async def flush_records(self) -> None:
        changes = await insert_audit_events(session=self.session, events=self.events)
        if changes:  # R-LIVE-2: the partner webhook deliveries of these changes, if any
            await enqueue_deliveries(session=self.session, changes=changes)
        await insert_outgoing_mails(session=self.session, mails=self.mails)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if hasattr(value, "value"):  # enums
        return value.value
    if value is None or isinstance(value, bool | int | str | list | dict):
        return value
    return str(value)  # Decimal and friends, exactly


@asynccontextmanager
async def unit_of_work(
    *,
    session_factory: SessionFactory,
    principal: Principal,
    now: dt.datetime,
    web_url: str,
) -> AsyncIterator[UnitOfWork]:
    async with session_factory() as session, session.begin():
        unit = UnitOfWork(session=session, principal=principal, now=now, web_url=web_url)
        yield unit
        await unit.flush_records()
