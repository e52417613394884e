"""The root connections (staff dashboards, the partner directory): one table each, paged by
id, with the caller's policy and filters as WHERE conditions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncConnection

from db.models import Account, AuditEvent, License, Partner, Quote
from db.queries import pages
from db.queries.batch import select_columns
from db.queries.pages import Page, PageRequest

# A root list's WHERE: the caller's policy predicate and the filters.
Conditions = list[ColumnElement[bool]]


@dataclass(frozen=True, slots=True)
class RootList:
    model: Any
    descending: bool = False  # newest first

    async def page(
        self,
        *,
        conn: AsyncConnection,
        where: Sequence[ColumnElement[bool]],
        page: PageRequest,
    ) -> Page:
        return await pages.fetch_page(
            conn,
            select_columns(self.model).where(*where),
            id_col=self.model.__table__.c.id,
            page=page,
            descending=self.descending,
        )

    async def count(self, *, conn: AsyncConnection, where: Sequence[ColumnElement[bool]]) -> int:
        return await pages.count(conn, select_columns(self.model).where(*where))


LICENSES = RootList(License)
QUOTES = RootList(Quote, descending=True)
ACCOUNTS = RootList(Account)
PARTNERS = RootList(Partner)
AUDIT_EVENTS = RootList(AuditEvent, descending=True)
