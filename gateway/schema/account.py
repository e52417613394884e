"""Accounts, contacts and the viewer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from db.queries.pages import PageRequest
from db.rows import AccountRow
from gateway.auth import policy
from gateway.domain.enums import ContactRole, PartnerScope, PrincipalKind, TaxIdKind
from gateway.loaders.filters import NO_QUOTE_FILTER, LicenseFilter, QuoteFilter
from gateway.loaders.license import LICENSES_OF_ACCOUNT
from gateway.loaders.order import ORDERS_OF_ACCOUNT
from gateway.loaders.quote import QUOTES_OF_ACCOUNT
from gateway.schema.info import Info, paged
from gateway.schema.inputs import LicenseFilterInput, QuoteFilterInput
from gateway.schema.relay import Connection, Node, connection, encode_id

if TYPE_CHECKING:
    from gateway.schema.license import License
    from gateway.schema.order import Order
    from gateway.schema.partner import Partner
    from gateway.schema.quote import Quote

LicenseRef = Annotated["License", strawberry.lazy("gateway.schema.license")]
QuoteRef = Annotated["Quote", strawberry.lazy("gateway.schema.quote")]
OrderRef = Annotated["Order", strawberry.lazy("gateway.schema.order")]
PartnerRef = Annotated["Partner", strawberry.lazy("gateway.schema.partner")]


@strawberry.type
class TaxId:
    kind: TaxIdKind
    value: str


@strawberry.type(description="A My Conex account. The email is the username (R-ACC-1).")
class Account(Node):
    pk: strawberry.Private[int]
    email: str
    name: str
    country: str
    _phone: strawberry.Private[str | None]
    _publicity_opt_out: strawberry.Private[bool]

    @classmethod
    def from_row(cls, row: AccountRow) -> Account:
        return cls(
            id=encode_id("Account", row.id),
            pk=row.id,
            email=row.email,
            name=row.name,
            country=row.country,
            _phone=row.phone,
            _publicity_opt_out=row.publicity_opt_out,
        )

    def _private(self, info: Info) -> bool:
        return policy.account_private_fields_visible(info.context.principal, self.pk)

    @strawberry.field(description="Only for the account holder and staff.")
    def phone(self, info: Info) -> str | None:
        return self._phone if self._private(info) else None

    @strawberry.field(description="R-ACC-5. Only for the account holder and staff.")
    def publicity_opt_out(self, info: Info) -> bool | None:
        return self._publicity_opt_out if self._private(info) else None

    @strawberry.field(description="R-ACC-5. Only for the account holder and staff.")
    async def tax_ids(self, info: Info) -> list[TaxId]:
        if not self._private(info):
            return []
        rows = await info.context.loaders.tax_ids.load(self.pk)
        return [TaxId(kind=row.kind, value=row.value) for row in rows]

    @connection(description="Licenses where this account is the billing or technical contact.")
    async def licenses(
        self, info: Info, page: PageRequest, filter: LicenseFilterInput | None = None
    ) -> Connection[LicenseRef]:
        from gateway.schema.license import License

        key = filter.to_key() if filter else LicenseFilter()
        return await paged(info, LICENSES_OF_ACCOUNT, self.pk, page, key, License.from_row)

    @connection(description="Quotes where this account is a contact; deleted ones only on request.")
    async def quotes(
        self, info: Info, page: PageRequest, filter: QuoteFilterInput | None = None
    ) -> Connection[QuoteRef]:
        from gateway.schema.quote import Quote

        key: QuoteFilter = filter.to_key() if filter else NO_QUOTE_FILTER
        return await paged(info, QUOTES_OF_ACCOUNT, self.pk, page, key, Quote.from_row)

    @connection(description="Orders where this account is a contact, newest first.")
    async def orders(self, info: Info, page: PageRequest) -> Connection[OrderRef]:
        from gateway.schema.order import Order

        return await paged(info, ORDERS_OF_ACCOUNT, self.pk, page, None, Order.from_row)


@strawberry.type(description="An account in a role on a license, quote or order.")
class Contact:
    role: ContactRole
    account_pk: strawberry.Private[int]

    @strawberry.field
    async def account(self, info: Info) -> Account | None:
        row = await info.context.loaders.account.load(self.account_pk)
        return Account.from_row(row) if row else None


@strawberry.type(description="Who is calling.")
class Viewer:
    kind: PrincipalKind
    scopes: list[PartnerScope] = strawberry.field(description="A partner token's scopes.")

    @strawberry.field(description="The signed-in customer's account.")
    async def account(self, info: Info) -> Account | None:
        account_id = info.context.principal.account_id
        if account_id is None:
            return None
        row = await info.context.loaders.account.load(account_id)
        return Account.from_row(row) if row else None

    @strawberry.field(description="The partner a partner token belongs to.")
    async def partner(self, info: Info) -> PartnerRef | None:
        from gateway.schema.partner import Partner

        partner_id = info.context.principal.partner_id
        if partner_id is None:
            return None
        row = await info.context.loaders.partner.load(partner_id)
        return Partner.from_row(row) if row else None
