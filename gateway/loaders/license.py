"""Licenses: by id and by SEN (policy-filtered), those of an order, and the paged lists of an
account's and an organization's licenses."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy.engine import Row

from db.queries import license as queries
from db.queries.batch import Relation, bound_today
from db.queries.filters import LicenseFilter
from gateway.auth import policy
from gateway.loaders.base import LoaderBase, PolicyShape, RowOrNone, SqlLoader, template_principal


class _Statements:
    def __init__(self, shape: PolicyShape) -> None:
        visible = policy.license_visible(template_principal(shape))
        self.by_id = queries.license_by_id_statement(visible=visible)
        self.by_sen = queries.license_by_sen_statement(visible=visible)
        self.of_orders = queries.licenses_of_orders_statement(visible=visible)


@functools.lru_cache(maxsize=64)
def _statements(shape: PolicyShape) -> _Statements:
    return _Statements(shape)


def _where(shape: Any, filter_: LicenseFilter) -> list[Any]:
    return [policy.license_visible(template_principal(shape)), *filter_.conditions(bound_today())]


RELATIONS = {
    "licenses_of_account": Relation(queries.LICENSES_OF_ACCOUNTS, _where),
    "licenses_of_organization": Relation(queries.LICENSES_OF_ORGANIZATIONS, _where),
}


class LicenseLoaders(LoaderBase):
    @functools.cached_property
    def license(self) -> SqlLoader[int, RowOrNone]:
        return self._rows(_statements(self._shape).by_id)

    @functools.cached_property
    def license_by_sen(self) -> SqlLoader[str, RowOrNone]:
        return self._rows(_statements(self._shape).by_sen, "sen")

    @functools.cached_property
    def licenses_of_order(self) -> SqlLoader[int, list[Row[Any]]]:
        return self._grouped(_statements(self._shape).of_orders)
