"""Sales requests (R-REQ-1, R-REQ-2): writes of the mutations, what they check a request is
about, and the statements of the loaders and lists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Account, License, Quote, SalesRequest
from db.queries.batch import by_id_statement, children_of
from db.queries.lists import RootList
from db.rows import LicenseSubject, QuoteSubject, Requester, SalesRequestRow
from gateway.domain.enums import (
    SalesRequestKind,
    SalesRequestStatus,
)

# What the checks of a new request read, in the order of their row classes (tests/db/test_rows.py).
LICENSE_SUBJECT = select(*(License.__table__.c[name] for name in LicenseSubject._fields))
QUOTE_SUBJECT = select(Quote.id, Quote.number)
REQUESTER = select(Account.id, Account.email, Account.name, Account.status)


_RETURNING = list(SalesRequest.__table__.c)


async def insert_sales_request(session: AsyncSession, values: dict[str, Any]) -> SalesRequestRow:
    stmt = insert(SalesRequest).values(**values).returning(*_RETURNING)
    return SalesRequestRow._make((await session.execute(stmt)).one())


async def sales_request_by_id(
    session: AsyncSession, request_id: int, visible: ColumnElement[bool]
) -> SalesRequestRow | None:
    stmt = select(*_RETURNING).where(SalesRequest.id == request_id, visible)
    row = (await session.execute(stmt)).first()
    return SalesRequestRow._make(row) if row is not None else None


async def resolve_sales_request(
    session: AsyncSession,
    *,
    request_id: int,
    status: SalesRequestStatus,
    resolution: str,
    now: dt.datetime,
    resolved_by: str | None,
) -> SalesRequestRow | None:
    """Guarded by its status: of two staff answering at once, one matches (the other None)."""
    stmt = (
        update(SalesRequest)
        .where(SalesRequest.id == request_id, SalesRequest.status == SalesRequestStatus.OPEN)
        .values(status=status, resolution=resolution, resolved_at=now, resolved_by=resolved_by)
        .returning(*_RETURNING)
    )
    row = (await session.execute(stmt)).first()
    return SalesRequestRow._make(row) if row is not None else None


async def license_subject(
    session: AsyncSession, license_id: int, visible: ColumnElement[bool]
) -> LicenseSubject | None:
    """The license if ``visible`` (the policy: the caller is its contact) lets it be named."""
    row = (await session.execute(LICENSE_SUBJECT.where(License.id == license_id, visible))).first()
    return LicenseSubject._make(row) if row is not None else None


async def quote_subject(
    session: AsyncSession, quote_id: int, visible: ColumnElement[bool]
) -> QuoteSubject | None:
    row = (await session.execute(QUOTE_SUBJECT.where(Quote.id == quote_id, visible))).first()
    return QuoteSubject._make(row) if row is not None else None


async def requester(session: AsyncSession, account_id: int) -> Requester | None:
    row = (await session.execute(REQUESTER.where(Account.id == account_id))).first()
    return Requester._make(row) if row is not None else None


# --- Lists and loaders ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SalesRequestFilter:
    """The queue's filters (hashable: part of loader keys)."""

    status: SalesRequestStatus | None = None
    kind: SalesRequestKind | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        where = []
        if self.status is not None:
            where.append(SalesRequest.status == self.status)
        if self.kind is not None:
            where.append(SalesRequest.kind == self.kind)
        return where


NO_SALES_REQUEST_FILTER = SalesRequestFilter()


def sales_request_by_id_statement(*, visible: ColumnElement[bool]) -> Select[Any]:
    return by_id_statement(SalesRequest, visible)


# Staff's queue: oldest first, the order in which requests are answered.
SALES_REQUESTS = RootList(SalesRequest, SalesRequestRow._make)
# An account's own requests: newest first.
SALES_REQUESTS_OF_ACCOUNTS = children_of(
    SalesRequest, SalesRequest.account_id, SalesRequestRow._make, descending=True
)
