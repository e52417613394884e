"""Sales requests (R-REQ-1, R-REQ-2): writes of the mutations, what they check a request is
about, and the statements of the loaders and lists."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Account, License, Quote, SalesRequest
from db.queries.batch import by_id_statement, children_of
from db.queries.lists import RootList
from db.rows import SalesRequestRow
from gateway.domain.enums import (
    AccountStatus,
    LicenseType,
    SalesRequestKind,
    SalesRequestStatus,
    Tier,
)


def _of(cls: Any, row: Any) -> Any:
    return cls(**{f.name: getattr(row, f.name) for f in dataclasses.fields(cls)})


@dataclass(frozen=True, slots=True)
class LicenseSubject:
    """A license a request is about, as the checks read it."""

    id: int
    sen: str
    product_id: int
    tier: Tier
    license_type: LicenseType


@dataclass(frozen=True, slots=True)
class QuoteSubject:
    id: int
    number: str


@dataclass(frozen=True, slots=True)
class Requester:
    id: int
    email: str
    name: str
    closed: bool  # R-ACC-4: a closed account's address may belong to someone else now


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
    columns = [License.__table__.c[f.name] for f in dataclasses.fields(LicenseSubject)]
    row = (await session.execute(select(*columns).where(License.id == license_id, visible))).first()
    found: LicenseSubject | None = _of(LicenseSubject, row) if row is not None else None
    return found


async def quote_subject(
    session: AsyncSession, quote_id: int, visible: ColumnElement[bool]
) -> QuoteSubject | None:
    stmt = select(Quote.id, Quote.number).where(Quote.id == quote_id, visible)
    row = (await session.execute(stmt)).first()
    return QuoteSubject(id=row.id, number=row.number) if row is not None else None


async def requester(session: AsyncSession, account_id: int) -> Requester | None:
    stmt = select(Account.id, Account.email, Account.name, Account.status).where(
        Account.id == account_id
    )
    row = (await session.execute(stmt)).first()
    if row is None:
        return None
    closed = row.status == AccountStatus.CLOSED
    return Requester(id=row.id, email=row.email, name=row.name, closed=closed)


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
