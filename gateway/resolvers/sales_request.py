"""Sales request mutations (R-REQ-1, R-REQ-2): decode, run one action, map to the payload."""

from __future__ import annotations

from typing import Any

import strawberry

from gateway.actions import sales_request as actions
from gateway.actions.unit import UnitOfWork
from gateway.domain.enums import PrincipalKind
from gateway.domain.sales_request import parse_resolution, parse_sales_request
from gateway.resolvers.mutate import mutate, require_id
from gateway.schema import payloads as p
from gateway.schema.info import Info, require, require_staff
from gateway.schema.mutation_inputs import SalesRequestCreateInput, SalesRequestResolveInput
from gateway.schema.relay import decode_id_of
from gateway.schema.sales_request import SalesRequest


def _id_or_zero(value: strawberry.ID | None, type_name: str) -> int | None:
    """None when not given; 0 (never an id: not found) when it names nothing of its type."""
    return None if value is None else decode_id_of(value, type_name) or 0


async def sales_request_create(info: Info, input: SalesRequestCreateInput) -> p.SalesRequestPayload:
    """R-REQ-1: a signed-in customer (see actions.sales_request.open_sales_request)."""
    require(info, PrincipalKind.CUSTOMER)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        draft = parse_sales_request(
            kind=input.kind,
            message=input.message,
            license_id=_id_or_zero(input.license_id, "License"),
            quote_id=_id_or_zero(input.quote_id, "Quote"),
        )
        row = await actions.open_sales_request(uow=uow, principal=uow.principal, draft=draft)
        return {"sales_request": SalesRequest.from_row(row)}

    return await mutate(info, p.SalesRequestPayload, work, field_prefix=("input",))


async def sales_request_resolve(
    info: Info, id: strawberry.ID, input: SalesRequestResolveInput
) -> p.SalesRequestPayload:
    """R-REQ-1: staff answer a request (see actions.sales_request.resolve_sales_request)."""
    require_staff(info)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        pk = require_id(id, "SalesRequest", "id")
        resolution = parse_resolution(status=input.status, resolution=input.resolution)
        row = await actions.resolve_sales_request(
            uow=uow, principal=uow.principal, request_id=pk, resolution=resolution
        )
        return {"sales_request": SalesRequest.from_row(row)}

    return await mutate(info, p.SalesRequestPayload, work)
