"""Orders: by id (policy-filtered), those of a license, and the paged list of an account's."""

from __future__ import annotations

import functools
from typing import Any

from db.queries import order as queries
from db.queries.batch import Relation
from db.rows import OrderRow
from gateway.auth import policy
from gateway.loaders.base import LoaderBase, PolicyShape, SqlLoader, template_principal


class _Statements:
    def __init__(self, shape: PolicyShape) -> None:
        visible = policy.order_visible(template_principal(shape))
        self.by_id = queries.order_by_id_statement(visible=visible)
        self.of_licenses = queries.orders_of_licenses_statement(visible=visible)


@functools.lru_cache(maxsize=64)
def _statements(shape: PolicyShape) -> _Statements:
    return _Statements(shape)


def _where(shape: Any, _: None) -> list[Any]:
    return [policy.order_visible(template_principal(shape))]


# The paged list (``Loaders.page``), policy included.
ORDERS_OF_ACCOUNT = Relation(queries.ORDERS_OF_ACCOUNTS, _where)


class OrderLoaders(LoaderBase):
    @functools.cached_property
    def order(self) -> SqlLoader[int, OrderRow | None]:
        return self._rows(_statements(self._shape).by_id, OrderRow._make)

    @functools.cached_property
    def orders_of_license(self) -> SqlLoader[int, list[OrderRow]]:
        return self._grouped(_statements(self._shape).of_licenses, OrderRow._make)
