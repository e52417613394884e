"""Root connections (staff dashboards, the partner directory): one page statement and a
count statement each, with the caller's policy in the WHERE clause."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import ColumnElement

from db.models import Account, AuditEvent, License, Partner, Quote
from db.queries import pages
from db.queries.pages import PageRequest
from gateway.auth import policy
from gateway.loaders.base import select_columns
from gateway.loaders.filters import AccountFilter, LicenseFilter, QuoteFilter
from gateway.schema.info import Info
from gateway.schema.relay import Connection, decode_id

T = TypeVar("T")


async def _connection(
    info: Info,
    model: Any,
    where: list[ColumnElement[bool]],
    page: PageRequest,
    build: Callable[[Any], T],
    *,
    descending: bool = False,
) -> Connection[T]:
    query = select_columns(model).where(*where)
    engine = info.context.engine
    async with engine.connect() as conn:
        result = await pages.fetch_page(
            conn, query, id_col=model.__table__.c.id, page=page, descending=descending
        )

    async def count() -> int:
        async with engine.connect() as conn:
            return await pages.count(conn, query)

    return Connection[T].build(result, build, count)


async def licenses(info: Info, page: PageRequest, filter_: LicenseFilter) -> Connection[Any]:
    from gateway.schema.license import License as LicenseType

    p, today = info.context.principal, info.context.today
    where = [policy.license_visible(p), *filter_.conditions(today)]
    return await _connection(info, License, where, page, LicenseType.from_row)


async def quotes(info: Info, page: PageRequest, filter_: QuoteFilter) -> Connection[Any]:
    from gateway.schema.quote import Quote as QuoteType

    p, today = info.context.principal, info.context.today
    where = [policy.quote_visible(p), *filter_.conditions(today)]
    return await _connection(info, Quote, where, page, QuoteType.from_row, descending=True)


async def accounts(info: Info, page: PageRequest, filter_: AccountFilter) -> Connection[Any]:
    from gateway.schema.account import Account as AccountType

    where = [policy.account_visible(info.context.principal), *filter_.conditions()]
    return await _connection(info, Account, where, page, AccountType.from_row)


async def partners(info: Info, page: PageRequest, region: str | None) -> Connection[Any]:
    from gateway.schema.partner import Partner as PartnerType

    where = [Partner.region == region] if region else []
    return await _connection(info, Partner, where, page, PartnerType.from_row)


async def audit_events(
    info: Info, page: PageRequest, entity_id: str | None, action: str | None
) -> Connection[Any]:
    from gateway.schema.audit import AuditEvent as AuditEventType

    where = [policy.audit_event_visible(info.context.principal)]
    if entity_id is not None:
        decoded = decode_id(entity_id)
        if decoded is None:
            where.append(AuditEvent.id.is_(None))  # an id that names nothing matches nothing
        else:
            where += [AuditEvent.entity_type == decoded[0], AuditEvent.entity_id == decoded[1]]
    if action is not None:
        where.append(AuditEvent.action == action)
    return await _connection(
        info, AuditEvent, where, page, AuditEventType.from_row, descending=True
    )
