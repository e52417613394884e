"""The root connections (staff dashboards, the partner directory): one table each, paged by
id, with the caller's policy and filters as WHERE conditions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncConnection

from db.models import Account, AuditEvent, License, Partner, Payment, Quote
from db.queries import pages
from db.queries.batch import select_columns
from db.queries.decode import Decode
from db.queries.pages import Page, PageRequest
from db.rows import AccountRow, AuditEventRow, LicenseRow, PartnerRow, PaymentRow, QuoteRow

R = TypeVar("R")
# A root list's WHERE: the caller's policy predicate and the filters.
Conditions = list[ColumnElement[bool]]


@dataclass(frozen=True, slots=True)
class RootList(Generic[R]):
    model: Any
    decode: Decode[R]
    descending: bool = False  # newest first

    async def page(
        self,
        *,
        conn: AsyncConnection,
        where: Sequence[ColumnElement[bool]],
        page: PageRequest,
    ) -> Page[R]:
        return await pages.fetch_page(
            conn,
            select_columns(self.model).where(*where),
            id_col=self.model.__table__.c.id,
            page=page,
            decode=self.decode,
            descending=self.descending,
        )

    async def count(self, *, conn: AsyncConnection, where: Sequence[ColumnElement[bool]]) -> int:
        return await pages.count(conn, select_columns(self.model).where(*where))


LICENSES = RootList(License, LicenseRow._make)
QUOTES = RootList(Quote, QuoteRow._make, descending=True)
ACCOUNTS = RootList(Account, AccountRow._make)
PARTNERS = RootList(Partner, PartnerRow._make)
AUDIT_EVENTS = RootList(AuditEvent, AuditEventRow._make, descending=True)
PAYMENTS = RootList(Payment, PaymentRow._make, descending=True)  # R-PAY-*: staff's list
