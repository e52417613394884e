"""DataLoader plumbing: every batch is one SQL statement on its own short connection.

aiodataloader runs each batch as its own task, so batches cannot share the request's
session; each opens a pooled connection for the statement(s) it issues, in autocommit: a
batch only reads, so a transaction around it would only cost two round trips (BEGIN,
ROLLBACK). Reads are Core statements (no ORM identity map, no lazy loading), each row decoded once
into its typed row class of ``db.rows``; the policy predicates are part of each statement, so
a row the caller may not see never leaves the database. The statements themselves are built
in ``db.queries`` (``db.queries.batch`` and each domain's module); a loader only binds a
request's values and names the row class.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Hashable, Sequence
from typing import Any, Generic, TypeVar, cast

from aiodataloader import DataLoader
from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncEngine

from db.queries.batch import (
    PRINCIPAL_ACCOUNT_ID,
    PRINCIPAL_PARTNER_ID,
    Fetch,
    bound_params,
    grouped_rows,
    rows_by_key,
)
from db.queries.decode import Decode
from gateway.auth.principal import Principal
from gateway.domain.enums import PartnerScope, PrincipalKind

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
L = TypeVar("L")
R = TypeVar("R")


class SqlLoader(Generic[K, V]):
    """A per-request DataLoader whose batch function runs on a fresh pooled connection."""

    def __init__(self, engine: AsyncEngine, fetch: Fetch[K, V]) -> None:
        self._engine = engine
        self._fetch = fetch
        self._loader: DataLoader[K, V] = DataLoader(batch_load_fn=self._batch)
        self._in_flight: set[asyncio.Task[Any]] = set()

    async def _batch(self, keys: list[K]) -> list[V]:
        task = asyncio.current_task()
        if task is not None:
            self._in_flight.add(task)
        try:
            async with self._engine.connect() as conn:
                # Only on this checkout: the pool restores the default level on return.
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                return list(await self._fetch(conn, keys))
        finally:
            if task is not None:
                self._in_flight.discard(task)

    async def drain(self) -> None:
        """Wait for batches still running (a response can be complete before a batch whose
        results nobody awaits any more): no read outlives its request with a connection."""
        if self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)

    async def load(self, key: K) -> V:
        return await self._loader.load(key)

    async def load_many(self, keys: Sequence[K]) -> list[V]:
        return await self._loader.load_many(keys)


# The principal's ids and the day are parameters of the statements, never part of them: a
# statement is built once per *shape* of principal (its kind, scopes, and which ids it has)
# and reused by every request of that shape. The policy predicates are built against a
# template principal whose ids are bind parameters (``db.queries.batch``).
PolicyShape = tuple[PrincipalKind, frozenset[PartnerScope], bool, bool]


def shape_of(p: Principal) -> PolicyShape:
    return (p.kind, p.scopes, p.account_id is not None, p.partner_id is not None)


def template_principal(shape: PolicyShape) -> Principal:
    """A principal of this shape whose ids are bind parameters (see ``bound_params``).

    So the policy predicates (gateway.auth.policy) must use a principal's ids only inside
    SQL expressions, never test their values in Python (``is not None`` is part of the
    shape, so that test is fine)."""
    kind, scopes, has_account, has_partner = shape
    return Principal(
        kind,
        account_id=cast(int, PRINCIPAL_ACCOUNT_ID) if has_account else None,
        partner_id=cast(int, PRINCIPAL_PARTNER_ID) if has_partner else None,
        scopes=scopes,
    )


class Lazy(dict[K, L]):
    """A loader per key (a relation), made on first use (most requests use a few of them)."""

    def __init__(self, make: Callable[[K], L]) -> None:
        super().__init__()
        self._make = make

    def __missing__(self, key: K) -> L:
        made = self[key] = self._make(key)
        return made


class LoaderBase:
    """What every domain's loaders share: the request's engine, principal and day, and the
    values its statements are bound with. The domain classes (``gateway.loaders.license``,
    …) add their loaders as cached properties; ``gateway.loaders.Loaders`` combines them."""

    def __init__(self, *, engine: AsyncEngine, principal: Principal, today: dt.date) -> None:
        self.engine = engine
        self.principal = principal
        self.today = today
        self._shape = shape_of(principal)
        self._params = bound_params(
            account_id=principal.account_id, partner_id=principal.partner_id, today=today
        )

    def _rows(
        self, stmt: Select[Any], decode: Decode[R], key: str = "id"
    ) -> SqlLoader[Any, R | None]:
        return SqlLoader(self.engine, rows_by_key(stmt, key, self._params, decode))

    def _grouped(self, stmt: Select[Any], decode: Decode[R]) -> SqlLoader[int, list[R]]:
        return SqlLoader(self.engine, grouped_rows(stmt, self._params, decode))
