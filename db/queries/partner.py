"""The partner directory, partners' customers and partner tokens, as the loaders and the
root connections read them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, and_

from db.models import ApiToken, Organization, Partner
from db.queries.batch import by_id_statement, children_of
from gateway.domain.enums import TokenKind

# The directory is public: no policy.
PARTNER_BY_ID = by_id_statement(Partner)
CUSTOMERS_OF_PARTNERS = children_of(Organization, Organization.partner_id)


def partner_token_by_id_statement(*, visible: ColumnElement[bool]) -> Select[Any]:
    return by_id_statement(ApiToken, and_(ApiToken.kind == TokenKind.PARTNER, visible))


def partners_where(*, region: str | None) -> list[ColumnElement[bool]]:
    """The directory's ``partners(region:)`` filter."""
    return [Partner.region == region] if region else []
