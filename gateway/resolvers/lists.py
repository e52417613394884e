"""Root connections (staff dashboards, the partner directory): one page statement and a
count statement each, with the caller's policy in the WHERE clause."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from db.queries import lists as queries
from db.queries.audit import audit_events_where
from db.queries.pages import PageRequest
from db.queries.partner import partners_where
from db.queries.sales_request import SALES_REQUESTS, SalesRequestFilter
from db.rows import Identified
from gateway.auth import policy
from gateway.loaders.filters import AccountFilter, LicenseFilter, QuoteFilter
from gateway.schema.info import Info
from gateway.schema.relay import Connection, decode_id

T = TypeVar("T")
R = TypeVar("R", bound=Identified)


async def _connection(
    info: Info,
    root: queries.RootList[R],
    where: queries.Conditions,
    page: PageRequest,
    build: Callable[[R], T],
) -> Connection[T]:
    engine = info.context.engine
    async with engine.connect() as conn:
        result = await root.page(conn=conn, where=where, page=page)

    async def count() -> int:
        async with engine.connect() as conn:
            return await root.count(conn=conn, where=where)

    return Connection[T].build(result, build, count)


async def licenses(info: Info, page: PageRequest, filter_: LicenseFilter) -> Connection[Any]:
    from gateway.schema.license import License as LicenseType

    p, today = info.context.principal, info.context.today
    where = [policy.license_visible(p), *filter_.conditions(today)]
    return await _connection(info, queries.LICENSES, where, page, LicenseType.from_row)


async def quotes(info: Info, page: PageRequest, filter_: QuoteFilter) -> Connection[Any]:
    from gateway.schema.quote import Quote as QuoteType

    p, today = info.context.principal, info.context.today
    where = [policy.quote_visible(p), *filter_.conditions(today)]
    return await _connection(info, queries.QUOTES, where, page, QuoteType.from_row)


async def accounts(info: Info, page: PageRequest, filter_: AccountFilter) -> Connection[Any]:
    from gateway.schema.account import Account as AccountType

    where = [policy.account_visible(info.context.principal), *filter_.conditions()]
    return await _connection(info, queries.ACCOUNTS, where, page, AccountType.from_row)


async def partners(info: Info, page: PageRequest, region: str | None) -> Connection[Any]:
    from gateway.schema.partner import Partner as PartnerType

    where = partners_where(region=region)
    return await _connection(info, queries.PARTNERS, where, page, PartnerType.from_row)


async def audit_events(
    info: Info, page: PageRequest, entity_id: str | None, action: str | None
) -> Connection[Any]:
    from gateway.schema.audit import AuditEvent as AuditEventType

    decoded = decode_id(entity_id) if entity_id is not None else None
    where = audit_events_where(
        visible=policy.audit_event_visible(info.context.principal),
        entity=decoded,
        unknown_entity=entity_id is not None and decoded is None,
        action=action,
    )
    return await _connection(info, queries.AUDIT_EVENTS, where, page, AuditEventType.from_row)


async def sales_requests(
    info: Info, page: PageRequest, filter_: SalesRequestFilter
) -> Connection[Any]:
    """R-REQ-1: staff's queue (oldest first); a customer sees its own requests."""
    from gateway.schema.sales_request import SalesRequest

    where = [policy.sales_request_visible(info.context.principal), *filter_.conditions()]
    return await _connection(info, SALES_REQUESTS, where, page, SalesRequest.from_row)


async def payments(info: Info, page: PageRequest) -> Connection[Any]:
    from gateway.schema.payment import Payment as PaymentType

    where = [policy.payment_visible(info.context.principal)]
    return await _connection(info, queries.PAYMENTS, where, page, PaymentType.from_row)
