"""Sales requests by id (policy-filtered) and the paged list of an account's (R-REQ-1); the
billing address of Cloud subscriptions (R-ACC-8). Both hand out typed rows."""

from __future__ import annotations

import functools
from typing import Any

from db.queries import billing_address as addresses
from db.queries import sales_request as queries
from db.queries.batch import Relation
from db.queries.sales_request import SalesRequestFilter
from db.rows import BillingAddressRow, SalesRequestRow
from gateway.auth import policy
from gateway.loaders.base import LoaderBase, PolicyShape, SqlLoader, template_principal


@functools.lru_cache(maxsize=64)
def _by_id_statement(shape: PolicyShape) -> Any:
    visible = policy.sales_request_visible(template_principal(shape))
    return queries.sales_request_by_id_statement(visible=visible)


def _where(shape: Any, filter_: SalesRequestFilter) -> list[Any]:
    return [policy.sales_request_visible(template_principal(shape)), *filter_.conditions()]


# The paged list (``Loaders.page``), policy included.
SALES_REQUESTS_OF_ACCOUNT = Relation(queries.SALES_REQUESTS_OF_ACCOUNTS, _where)


class SalesRequestLoaders(LoaderBase):
    @functools.cached_property
    def sales_request(self) -> SqlLoader[int, SalesRequestRow | None]:
        return self._rows(_by_id_statement(self._shape), SalesRequestRow._make)

    @functools.cached_property
    def billing_address(self) -> SqlLoader[int, BillingAddressRow | None]:
        """The address now of a license (the schema shows it only to whom the policy lets)."""
        return self._rows(
            addresses.CURRENT_ADDRESS_OF_LICENSES, BillingAddressRow._make, "license_id"
        )
