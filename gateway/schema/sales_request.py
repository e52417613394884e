"""Sales requests: "please contact us", opened by a customer and answered by staff (R-REQ-1)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from db.queries.sales_request import SalesRequestFilter
from db.rows import SalesRequestRow
from gateway.domain.enums import SalesRequestKind, SalesRequestStatus
from gateway.schema.info import Info
from gateway.schema.relay import Node, encode_id

if TYPE_CHECKING:
    from gateway.schema.account import Account
    from gateway.schema.license import License
    from gateway.schema.quote import Quote

AccountRef = Annotated["Account", strawberry.lazy("gateway.schema.account")]
LicenseRef = Annotated["License", strawberry.lazy("gateway.schema.license")]
QuoteRef = Annotated["Quote", strawberry.lazy("gateway.schema.quote")]


@strawberry.type(description="A request to Conex sales, and its answer (R-REQ-1).")
class SalesRequest(Node):
    row: strawberry.Private[SalesRequestRow]
    number: str
    kind: SalesRequestKind
    status: SalesRequestStatus
    message: str
    created_at: dt.datetime
    resolution: str | None = strawberry.field(description="Staff's answer, once resolved.")
    resolved_at: dt.datetime | None

    @classmethod
    def from_row(cls, row: SalesRequestRow) -> SalesRequest:
        return cls(
            id=encode_id("SalesRequest", row.id),
            row=row,
            number=row.number,
            kind=row.kind,
            status=row.status,
            message=row.message,
            created_at=row.created_at,
            resolution=row.resolution,
            resolved_at=row.resolved_at,
        )

    @strawberry.field(description="Who opened it.")
    async def account(self, info: Info) -> AccountRef | None:
        from gateway.schema.account import Account

        row = await info.context.loaders.account.load(self.row.account_id)
        return Account.from_row(row) if row else None

    @strawberry.field(description="The license it is about, if any.")
    async def license(self, info: Info) -> LicenseRef | None:
        from gateway.schema.license import License

        if self.row.license_id is None:
            return None
        row = await info.context.loaders.license.load(self.row.license_id)
        return License.from_row(row) if row else None

    @strawberry.field(description="The quote it is about, if any.")
    async def quote(self, info: Info) -> QuoteRef | None:
        from gateway.schema.quote import Quote

        if self.row.quote_id is None:
            return None
        row = await info.context.loaders.quote.load(self.row.quote_id)
        return Quote.from_row(row) if row else None


@strawberry.input(name="SalesRequestFilter")
class SalesRequestFilterInput:
    status: SalesRequestStatus | None = None
    kind: SalesRequestKind | None = None

    def to_key(self) -> SalesRequestFilter:
        return SalesRequestFilter(self.status, self.kind)
