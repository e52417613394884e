"""Quote mutations: decode the ids and input, run one action, map the row to the payload."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError

from gateway.actions import quote as actions
from gateway.actions import quote_request as requests
from gateway.actions.quote_update import UpdateQuote
from gateway.actions.unit import UnitOfWork
from gateway.auth import policy
from gateway.domain.enums import PrincipalKind
from gateway.domain.quote_input import NewLineFields, QuoteCreateFields, QuoteUpdateFields
from gateway.resolvers.mutate import mutate, require_id
from gateway.schema import payloads as p
from gateway.schema.info import Info, require
from gateway.schema.mutation_inputs import (
    QuoteCreateInput,
    QuoteLineInput,
    QuoteUpdateInput,
    RenewalQuoteRequestInput,
    UpgradeQuoteRequestInput,
)
from gateway.schema.quote import Quote
from gateway.schema.relay import decode_id_of, encode_id

SIGNED_IN = (PrincipalKind.CUSTOMER, PrincipalKind.PARTNER, PrincipalKind.STAFF)


def _quote(row: Any) -> dict[str, Any]:
    return {"quote": Quote.from_row(row) if row is not None else None}


def _lines(lines: list[QuoteLineInput]) -> list[NewLineFields]:
    return [
        NewLineFields(
            product_id=decode_id_of(ln.product, "Product"),
            tier=ln.tier,
            license_type=ln.license_type,
            deployment_entity=ln.deployment_entity,
            quantity=ln.quantity,
            # R-EVAL-5; 0 (never an id: not found) when it names no license.
            converts_evaluation_id=(
                None
                if ln.converts_evaluation is None
                else decode_id_of(ln.converts_evaluation, "License") or 0
            ),
        )
        for ln in lines
    ]


async def quote_create(info: Info, input: QuoteCreateInput) -> p.QuotePayload:
    """R-QUOTE-1, R-QUOTE-5, R-CUR-*, R-PRICE-*, R-LIC-1 (see actions.quote.create_quote)."""
    principal = require(info, *SIGNED_IN)
    if not policy.may_create_quotes(principal):
        raise GraphQLError(
            "This token lacks the QUOTES_WRITE scope.", extensions={"code": "FORBIDDEN"}
        )
    fields = QuoteCreateFields(
        currency=input.currency,
        organization_name=input.organization.name,
        organization_country=input.organization.country,
        academic=bool(input.organization.academic),
        billing_contact_email=input.billing_contact_email,
        technical_contact_email=input.technical_contact_email,
        lines=_lines(input.lines),
        po_number=input.po_number,
        is_reseller=bool(input.is_reseller),
    )

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        return _quote(await actions.create_quote(uow=uow, principal=uow.principal, fields=fields))

    return await mutate(info, p.QuotePayload, work, field_prefix=("input",))


async def quote_update(
    info: Info, id: strawberry.ID, expected_version: int, input: QuoteUpdateInput
) -> p.QuotePayload:
    """R-QUOTE-3, R-QUOTE-7, R-CUR-* (see actions.quote_update); input fields are reported
    under ``input``, the id and version as they are."""
    require(info, *SIGNED_IN)
    fields = QuoteUpdateFields(
        currency=input.currency,
        lines=_lines(input.lines) if input.lines is not None else None,
        billing_contact_email=input.billing_contact_email,
        technical_contact_email=input.technical_contact_email,
    )

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        command = UpdateQuote(require_id(id, "Quote", "id"), expected_version, fields)
        return _quote(await actions.update_quote(uow=uow, principal=uow.principal, command=command))

    return await mutate(info, p.QuotePayload, work)


async def quote_set_po_number(
    info: Info, id: strawberry.ID, expected_version: int, po_number: str | None = None
) -> p.QuotePayload:
    """R-QUOTE-4, R-QUOTE-7 (see actions.quote.set_quote_po_number)."""
    require(info, *SIGNED_IN)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        pk = require_id(id, "Quote", "id")
        command = actions.SetQuotePoNumber(pk, expected_version, po_number)
        row = await actions.set_quote_po_number(uow=uow, principal=uow.principal, command=command)
        return _quote(row)

    return await mutate(info, p.QuotePayload, work)


async def quote_delete(info: Info, id: strawberry.ID) -> p.QuoteDeletePayload:
    """R-QUOTE-2: OPEN → DELETED (see actions.quote.delete_quote)."""
    require(info, *SIGNED_IN)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        pk = require_id(id, "Quote", "id")
        await actions.delete_quote(uow=uow, principal=uow.principal, quote_id=pk)
        return {"deleted_quote_id": encode_id("Quote", pk)}

    return await mutate(info, p.QuoteDeletePayload, work)


async def renewal_quote_request(info: Info, input: RenewalQuoteRequestInput) -> p.QuotePayload:
    """R-MAINT-8: anyone with the SEN and a current contact's email (see quote_request)."""
    command = requests.RenewalRequest(
        sen=input.sen,
        contact_email=input.contact_email,
        years=input.years,
        currency=input.currency,
        sync_with_sens=input.sync_with_sens,
    )

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        row = await requests.request_renewal_quote(
            uow=uow, principal=uow.principal, command=command
        )
        return _quote(row)

    return await mutate(info, p.QuotePayload, work, field_prefix=("input",))


async def upgrade_quote_request(info: Info, input: UpgradeQuoteRequestInput) -> p.QuotePayload:
    """R-MAINT-8, R-UPG-1, R-UPG-3 (see quote_request)."""
    command = requests.UpgradeRequest(
        sen=input.sen,
        contact_email=input.contact_email,
        to_tier=input.to_tier,
        currency=input.currency,
        sync_with_sens=input.sync_with_sens,
    )

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        row = await requests.request_upgrade_quote(
            uow=uow, principal=uow.principal, command=command
        )
        return _quote(row)

    return await mutate(info, p.QuotePayload, work, field_prefix=("input",))
