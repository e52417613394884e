"""Licenses: by id and by SEN (policy-filtered), those of an order, and the paged lists of an
account's and an organization's licenses."""

from __future__ import annotations

import functools
from typing import Any

from db.queries import license as queries
from db.queries.batch import Relation, bound_today
from db.queries.filters import LicenseFilter
from db.rows import LicenseRow
from gateway.auth import policy
from gateway.loaders.base import LoaderBase, PolicyShape, SqlLoader, template_principal


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


# The paged lists (``Loaders.page``), policy included.
LICENSES_OF_ACCOUNT = Relation(queries.LICENSES_OF_ACCOUNTS, _where)
LICENSES_OF_ORGANIZATION = Relation(queries.LICENSES_OF_ORGANIZATIONS, _where)


class LicenseLoaders(LoaderBase):
    @functools.cached_property
    def license(self) -> SqlLoader[int, LicenseRow | None]:
        return self._rows(_statements(self._shape).by_id, LicenseRow._make)

    @functools.cached_property
    def license_by_sen(self) -> SqlLoader[str, LicenseRow | None]:
        return self._rows(_statements(self._shape).by_sen, LicenseRow._make, "sen")

    @functools.cached_property
    def licenses_of_order(self) -> SqlLoader[int, list[LicenseRow]]:
        return self._grouped(_statements(self._shape).of_orders, LicenseRow._make)
