"""The Query root."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Annotated

import strawberry
from graphql import GraphQLError

from db.queries.pages import PageRequest
from db.queries.sales_request import NO_SALES_REQUEST_FILTER
from gateway.auth import policy
from gateway.domain import support
from gateway.domain.enums import TIER_ORDER
from gateway.loaders.filters import NO_QUOTE_FILTER, AccountFilter, LicenseFilter
from gateway.resolvers import lists, metrics
from gateway.resolvers.node import MAX_NODES, resolve_node
from gateway.schema.account import Account, Viewer
from gateway.schema.audit import AuditEvent, OpenQuotesFigure, RevenueFigure
from gateway.schema.catalog import (
    Product,
    SupportOffering,
    SupportPlan,
    VersionSupport,
    product_of,
)
from gateway.schema.info import Info
from gateway.schema.inputs import (
    AccountFilterInput,
    AuditEventFilterInput,
    LicenseFilterInput,
    QuoteFilterInput,
)
from gateway.schema.license import License
from gateway.schema.partner import Partner
from gateway.schema.payment import Payment
from gateway.schema.quote import Quote
from gateway.schema.relay import Connection, Node, connection
from gateway.schema.sales_request import SalesRequest, SalesRequestFilterInput


@strawberry.type(description="Staff figures.")
class Metrics:
    @strawberry.field(description="Paid orders between two UTC days, inclusive.")
    async def revenue(
        self,
        info: Info,
        from_: Annotated[dt.date, strawberry.argument(name="from")],
        to: dt.date,
    ) -> list[RevenueFigure]:
        return await metrics.revenue(info, from_, to)

    @strawberry.field
    async def open_quotes(self, info: Info) -> list[OpenQuotesFigure]:
        return await metrics.open_quotes(info)


@strawberry.type
class Query:
    @strawberry.field(description="Who is calling, and their account or partner.")
    def viewer(self, info: Info) -> Viewer:
        principal = info.context.principal
        return Viewer(kind=principal.kind, scopes=sorted(principal.scopes))

    @strawberry.field(description="Any object by its global id; null when it is not yours to see.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await resolve_node(info, id)

    @strawberry.field(description=f"Up to {MAX_NODES} objects by global id, in order.")
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
        if len(ids) > MAX_NODES:
            raise GraphQLError(
                f"`ids` holds {len(ids)} ids; at most {MAX_NODES} at once.",
                extensions={"code": "PAGE_SIZE_TOO_LARGE", "argument": "ids", "max": MAX_NODES},
            )
        # Gathered, so that the loaders batch them: one statement per type, not per id.
        return list(await asyncio.gather(*(resolve_node(info, gid) for gid in ids)))

    @strawberry.field(description="A license by its SEN, if the caller may see it.")
    async def license(self, info: Info, sen: str) -> License | None:
        row = await info.context.loaders.license_by_sen.load(sen.strip().upper())
        return License.from_row(row) if row else None

    @connection(description="Licenses the caller may see, by SEN order.")
    async def licenses(
        self, info: Info, page: PageRequest, filter: LicenseFilterInput | None = None
    ) -> Connection[License]:
        key = filter.to_key() if filter else LicenseFilter()
        return await lists.licenses(info, page, key)

    @connection(
        description="Quotes the caller may see, newest first; no deleted ones unless asked."
    )
    async def quotes(
        self, info: Info, page: PageRequest, filter: QuoteFilterInput | None = None
    ) -> Connection[Quote]:
        key = filter.to_key() if filter else NO_QUOTE_FILTER
        return await lists.quotes(info, page, key)

    @connection(description="Accounts the caller may see (staff: all).")
    async def accounts(
        self, info: Info, page: PageRequest, filter: AccountFilterInput | None = None
    ) -> Connection[Account]:
        key = filter.to_key() if filter else AccountFilter()
        return await lists.accounts(info, page, key)

    @connection(description="The public directory of official Solution Partners.")
    async def partners(
        self, info: Info, region: str | None = None, *, page: PageRequest
    ) -> Connection[Partner]:
        return await lists.partners(info, page, region)

    @connection(description="The audit log (R-SEC-1): staff see all, customers their own.")
    async def audit_events(
        self, info: Info, page: PageRequest, filter: AuditEventFilterInput | None = None
    ) -> Connection[AuditEvent]:
        entity_id = filter.entity_id if filter else None
        action = filter.action if filter else None
        return await lists.audit_events(info, page, entity_id, action)

    @connection(
        description="Sales requests (R-REQ-1): staff's queue, oldest first; a customer's own."
    )
    async def sales_requests(
        self, info: Info, page: PageRequest, filter: SalesRequestFilterInput | None = None
    ) -> Connection[SalesRequest]:
        key = filter.to_key() if filter else NO_SALES_REQUEST_FILTER
        return await lists.sales_requests(info, page, key)

    @connection(
        description="Online payments, newest first (R-PAY-*): staff see all, customers those "
        "of their quotes, partners with quotes:write those of the quotes they resold."
    )
    async def payments(self, info: Info, page: PageRequest) -> Connection[Payment]:
        return await lists.payments(info, page)

    @strawberry.field(description="Staff only; null for everyone else.")
    def metrics(self, info: Info) -> Metrics | None:
        return Metrics() if policy.may_see_metrics(info.context.principal) else None

    @strawberry.field(description="The catalog, with list prices.")
    async def products(self, info: Info) -> list[Product]:
        catalog = await info.context.loaders.catalog.load("catalog")
        return [product_of(catalog, row.id) for row in catalog.products]

    @strawberry.field(description="Support channels by plan (R-SUP-1).")
    def support_plans(self) -> list[SupportPlan]:
        return [SupportPlan.of(tier) for tier in TIER_ORDER]

    @strawberry.field(description="Support offerings (R-SUP-2).")
    def support_offerings(self) -> list[SupportOffering]:
        return [SupportOffering.of(offering) for offering in support.SUPPORT_OFFERINGS]

    @strawberry.field(description='Whether a version ("1.4") is still supported (R-SUP-3).')
    async def version_support(self, info: Info, version: str) -> VersionSupport | None:
        catalog = await info.context.loaders.catalog.load("catalog")
        releases = [(r.major, r.minor, r.released_on) for r in catalog.releases]
        found = support.version_support(version, releases, info.context.today)
        if found is None:
            return None
        return VersionSupport(
            version=found.version,
            released_on=found.released_on,
            supported=found.supported,
            support_ends_on=found.support_ends_on,
        )
