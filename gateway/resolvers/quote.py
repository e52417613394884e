"""Quote mutations: thin — parse, load, call the domain, persist, map to the payload."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from db.queries import quote as queries
from db.queries.filters import quote_status_is
from gateway.auth import policy
from gateway.domain import quote as rules
from gateway.domain.enums import PrincipalKind, QuoteStatus
from gateway.domain.errors import DomainError, ErrorCode
from gateway.resolvers import quote_edit, quote_request
from gateway.resolvers.mutate import mutate, not_found, require_id
from gateway.resolvers.unit import Unit
from gateway.schema import payloads as p
from gateway.schema.info import Info, require
from gateway.schema.mutation_inputs import (
    QuoteCreateInput,
    QuoteUpdateInput,
    RenewalQuoteRequestInput,
    UpgradeQuoteRequestInput,
)
from gateway.schema.quote import Quote
from gateway.schema.relay import encode_id

SIGNED_IN = (PrincipalKind.CUSTOMER, PrincipalKind.PARTNER, PrincipalKind.STAFF)


async def quote_set_po_number(
    info: Info, quote_id: str, po_number: str | None, expected_version: int
) -> p.QuotePayload:
    """R-QUOTE-4 (any time the quote is open, even when R-QUOTE-3 blocks other edits)."""
    require(info, *SIGNED_IN)

    async def work(unit: Unit) -> dict[str, Any]:
        pk = require_id(quote_id, "Quote", "id")
        value = rules.check_po_number(po_number)
        before = await queries.visible_quote(
            unit.session, pk, policy.quote_writable(unit.principal)
        )
        row = await queries.update_quote_if_version(
            unit.session,
            quote_id=pk,
            expected_version=expected_version,
            writable=policy.quote_writable(unit.principal),
            extra_where=[quote_status_is(QuoteStatus.OPEN, unit.today)],
            values={"po_number": value},
            now=unit.now,
        )
        if row is None or before is None:
            raise await quote_edit.refuse_stale_or_closed(unit, pk, expected_version)
        unit.audit(
            "quoteSetPoNumber",
            "Quote",
            pk,
            {"poNumber": (before.po_number, value), "version": (before.version, row.version)},
        )
        # Whoever may write a quote may read it, and a PO number changes no contact.
        return {"quote": Quote.from_row(row)}

    return await mutate(info, p.QuotePayload, work)


async def quote_create(info: Info, input: QuoteCreateInput) -> p.QuotePayload:
    """R-QUOTE-1, R-QUOTE-5, R-CUR-*, R-PRICE-*, R-LIC-1 (see quote_edit.create)."""
    principal = require(info, *SIGNED_IN)
    if not policy.may_create_quotes(principal):
        raise GraphQLError(
            "This token lacks the QUOTES_WRITE scope.", extensions={"code": "FORBIDDEN"}
        )
    return await mutate(
        info, p.QuotePayload, lambda unit: quote_edit.create(unit, input), field_prefix=("input",)
    )


async def quote_update(
    info: Info, quote_id: str, expected_version: int, input: QuoteUpdateInput
) -> p.QuotePayload:
    """R-QUOTE-3, R-QUOTE-7, R-CUR-* (see quote_edit.update); input fields are reported under
    ``input``, the id and version as they are."""
    require(info, *SIGNED_IN)
    return await mutate(
        info,
        p.QuotePayload,
        lambda unit: quote_edit.update(unit, quote_id, expected_version, input),
    )


async def quote_delete(info: Info, quote_id: str) -> p.QuoteDeletePayload:
    """R-QUOTE-2: OPEN → DELETED by a contact, its partner with quotes:write, or staff."""
    require(info, *SIGNED_IN)

    async def work(unit: Unit) -> dict[str, Any]:
        pk = require_id(quote_id, "Quote", "id")
        writable = policy.quote_writable(unit.principal)
        before = await queries.visible_quote(unit.session, pk, writable)
        if before is None:
            raise not_found("id", "quote")
        row = await queries.mark_quote_deleted(
            unit.session,
            quote_id=pk,
            writable=writable,
            open_=quote_status_is(QuoteStatus.OPEN, unit.today),
            now=unit.now,
        )
        if row is None:
            status = rules.effective_quote_status(before.status, before.valid_until, unit.today)
            raise DomainError(
                ErrorCode.QUOTE_NOT_OPEN, f"The quote is {status.value.lower()}.", field=("id",)
            )
        unit.audit(
            "quoteDelete",
            "Quote",
            pk,
            {
                "status": (before.status, row.status),
                "deletedAt": (None, row.deleted_at),
                "version": (before.version, row.version),
            },
        )
        return {"deleted_quote_id": encode_id("Quote", pk)}

    return await mutate(info, p.QuoteDeletePayload, work)


async def renewal_quote_request(info: Info, input: RenewalQuoteRequestInput) -> p.QuotePayload:
    """R-MAINT-8: anyone with the SEN and a current contact's email (see quote_request)."""
    return await mutate(
        info,
        p.QuotePayload,
        lambda unit: quote_request.renewal(unit, input),
        field_prefix=("input",),
    )


async def upgrade_quote_request(info: Info, input: UpgradeQuoteRequestInput) -> p.QuotePayload:
    """R-MAINT-8, R-UPG-1, R-UPG-3 (see quote_request)."""
    return await mutate(
        info,
        p.QuotePayload,
        lambda unit: quote_request.upgrade(unit, input),
        field_prefix=("input",),
    )
