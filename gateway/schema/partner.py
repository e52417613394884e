"""Partners (the public directory), their customers, and partner API tokens."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from db.queries.pages import PageRequest
from db.rows import ApiTokenRow, OrganizationRow, PartnerRow
from gateway.auth import policy
from gateway.domain.enums import PartnerScope
from gateway.loaders.filters import NO_QUOTE_FILTER, LicenseFilter
from gateway.loaders.license import LICENSES_OF_ORGANIZATION
from gateway.loaders.partner import CUSTOMERS_OF_PARTNER
from gateway.loaders.quote import QUOTES_OF_PARTNER
from gateway.schema.info import Info, paged
from gateway.schema.inputs import LicenseFilterInput, QuoteFilterInput
from gateway.schema.relay import Connection, Node, connection, encode_id

if TYPE_CHECKING:
    from gateway.schema.license import License
    from gateway.schema.quote import Quote
    from gateway.schema.webhook import WebhookEndpoint

LicenseRef = Annotated["License", strawberry.lazy("gateway.schema.license")]
QuoteRef = Annotated["Quote", strawberry.lazy("gateway.schema.quote")]
WebhookEndpointRef = Annotated["WebhookEndpoint", strawberry.lazy("gateway.schema.webhook")]


@strawberry.type(description="A licensee: library, university, faculty…")
class Organization(Node):
    pk: strawberry.Private[int]
    partner_pk: strawberry.Private[int | None]
    name: str
    country: str
    academic: bool
    address: str | None

    @classmethod
    def from_row(cls, row: OrganizationRow) -> Organization:
        return cls(
            id=encode_id("Organization", row.id),
            pk=row.id,
            partner_pk=row.partner_id,
            name=row.name,
            country=row.country,
            academic=row.academic,
            address=row.address,
        )

    @connection()
    async def licenses(
        self, info: Info, page: PageRequest, filter: LicenseFilterInput | None = None
    ) -> Connection[LicenseRef]:
        from gateway.schema.license import License

        key = filter.to_key() if filter else LicenseFilter()
        return await paged(info, LICENSES_OF_ORGANIZATION, self.pk, page, key, License.from_row)

    @strawberry.field(description="The partner that resells to this organization.")
    async def partner(self, info: Info) -> Partner | None:
        if self.partner_pk is None:
            return None
        row = await info.context.loaders.partner.load(self.partner_pk)
        return Partner.from_row(row) if row else None


@strawberry.type(description="An official Solution Partner, listed in the public directory.")
class Partner(Node):
    pk: strawberry.Private[int]
    name: str
    region: str
    country: str
    website: str | None
    _discount_percent: strawberry.Private[Decimal]

    @classmethod
    def from_row(cls, row: PartnerRow) -> Partner:
        return cls(
            id=encode_id("Partner", row.id),
            pk=row.id,
            name=row.name,
            region=row.region,
            country=row.country,
            website=row.website,
            _discount_percent=row.discount_percent,
        )

    @strawberry.field(
        description="The partner discount on the quotes it creates, in % (R-PRICE-3, "
        "R-PRICE-6); for staff and the partner itself."
    )
    def discount_percent(self, info: Info) -> Decimal | None:
        if not policy.partner_terms_visible(info.context.principal, self.pk):
            return None
        return self._discount_percent

    @connection(description="Quotes it resold that the caller may see (R-QUOTE-5).")
    async def quotes(
        self, info: Info, page: PageRequest, filter: QuoteFilterInput | None = None
    ) -> Connection[QuoteRef]:
        from gateway.schema.quote import Quote

        key = filter.to_key() if filter else NO_QUOTE_FILTER
        return await paged(info, QUOTES_OF_PARTNER, self.pk, page, key, Quote.from_row)

    @strawberry.field(
        description="Its webhook endpoints (R-LIVE-2): for the partner itself with "
        "webhooks:write, and staff."
    )
    async def webhook_endpoints(self, info: Info) -> list[WebhookEndpointRef]:
        from gateway.schema.webhook import WebhookEndpoint

        rows = await info.context.loaders.webhook_endpoints.load(self.pk)
        return [WebhookEndpoint.from_row(row) for row in rows]

    @connection(description="Organizations it resells to that the caller may see.")
    async def customers(self, info: Info, page: PageRequest) -> Connection[Organization]:
        return await paged(info, CUSTOMERS_OF_PARTNER, self.pk, page, None, Organization.from_row)


@strawberry.type(name="PartnerTokenInfo", description="A partner API token; never its secret.")
class PartnerTokenInfo(Node):
    name: str
    prefix: str
    scopes: list[PartnerScope]
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None

    @classmethod
    def from_row(cls, row: ApiTokenRow) -> PartnerTokenInfo:
        return cls(
            id=encode_id("PartnerToken", row.id),
            name=row.name,
            prefix=row.prefix,
            scopes=[PartnerScope(s) for s in row.scopes],
            created_at=row.created_at,
            expires_at=row.expires_at,
            revoked_at=row.revoked_at,
            last_used_at=row.last_used_at,
        )
