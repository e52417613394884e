"""Partners (the public directory), partner tokens (policy-filtered) and the paged list of a
partner's customers."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Select

from db.queries import partner as queries
from db.queries.batch import Relation
from db.rows import ApiTokenRow, PartnerRow
from gateway.auth import policy
from gateway.loaders.base import LoaderBase, PolicyShape, SqlLoader, template_principal


@functools.lru_cache(maxsize=64)
def _api_token_statement(shape: PolicyShape) -> Select[Any]:
    visible = policy.tokens_visible(template_principal(shape))
    return queries.partner_token_by_id_statement(visible=visible)


def _customers_where(shape: Any, _: None) -> list[Any]:
    return [policy.partner_customer_visible(template_principal(shape))]


# The paged list (``Loaders.page``), policy included.
CUSTOMERS_OF_PARTNER = Relation(queries.CUSTOMERS_OF_PARTNERS, _customers_where)


class PartnerLoaders(LoaderBase):
    @functools.cached_property
    def partner(self) -> SqlLoader[int, PartnerRow | None]:
        return self._rows(queries.PARTNER_BY_ID, PartnerRow._make)

    @functools.cached_property
    def api_token(self) -> SqlLoader[int, ApiTokenRow | None]:
        return self._rows(_api_token_statement(self._shape), ApiTokenRow._make)
