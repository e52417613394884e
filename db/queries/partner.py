"""The partner directory, partners' customers and partner tokens, as the loaders and the
root connections read them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, select

from db.models import ApiToken, Organization, Partner
from db.queries.api_token import PUBLIC_TOKEN_COLUMNS
from db.queries.batch import by_id_statement, by_key_statement, children_of
from db.rows import OrganizationRow
from gateway.domain.enums import TokenKind

# The directory is public: no policy.
PARTNER_BY_ID = by_id_statement(Partner)
CUSTOMERS_OF_PARTNERS = children_of(Organization, Organization.partner_id, OrganizationRow._make)


def partner_token_by_id_statement(*, visible: ColumnElement[bool]) -> Select[Any]:
    """Partner tokens by id, without their hash (R-SEC-3: ``ApiTokenRow``)."""
    query = select(*PUBLIC_TOKEN_COLUMNS).where(ApiToken.kind == TokenKind.PARTNER, visible)
    return by_key_statement(query, ApiToken.__table__.c.id)


def partners_where(*, region: str | None) -> list[ColumnElement[bool]]:
    """The directory's ``partners(region:)`` filter."""
    return [Partner.region == region] if region else []
