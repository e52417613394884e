"""Sales requests by id (policy-filtered) and the paged list of an account's (R-REQ-1); the
billing address of Cloud subscriptions (R-ACC-8). Both hand out typed rows."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection

from db.queries import billing_address as addresses
from db.queries import sales_request as queries
from db.queries.batch import Fetch, Relation, rows_by_key
from db.queries.billing_address import BillingAddressRow
from db.queries.sales_request import SalesRequestFilter, SalesRequestRow
from gateway.auth import policy
from gateway.loaders.base import LoaderBase, PolicyShape, SqlLoader, template_principal

T = TypeVar("T")


def _typed(fetch: Fetch[Any, Any], convert: Callable[[Any], T]) -> Fetch[Any, T | None]:
    async def typed(conn: AsyncConnection, keys: list[Any]) -> list[T | None]:
        return [None if row is None else convert(row) for row in await fetch(conn, keys)]

    return typed


@functools.lru_cache(maxsize=64)
def _by_id_statement(shape: PolicyShape) -> Any:
    visible = policy.sales_request_visible(template_principal(shape))
    return queries.sales_request_by_id_statement(visible=visible)


def _where(shape: Any, filter_: SalesRequestFilter) -> list[Any]:
    return [policy.sales_request_visible(template_principal(shape)), *filter_.conditions()]


RELATIONS = {"sales_requests_of_account": Relation(queries.SALES_REQUESTS_OF_ACCOUNTS, _where)}


class SalesRequestLoaders(LoaderBase):
    @functools.cached_property
    def sales_request(self) -> SqlLoader[int, SalesRequestRow | None]:
        fetch = rows_by_key(_by_id_statement(self._shape), "id", self._params)
        return SqlLoader(self.engine, _typed(fetch, SalesRequestRow.of))

    @functools.cached_property
    def billing_address(self) -> SqlLoader[int, BillingAddressRow | None]:
        """The address now of a license (the schema shows it only to whom the policy lets)."""
        fetch = rows_by_key(addresses.CURRENT_ADDRESS_OF_LICENSES, "license_id", self._params)
        return SqlLoader(self.engine, _typed(fetch, BillingAddressRow.of))
