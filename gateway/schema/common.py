"""Small shared types: Money, UserError, Address."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from db.rows import BillingAddressRow
from gateway.domain.enums import Currency
from gateway.domain.errors import ErrorCode


@strawberry.type(description="An exact amount with its currency (R-CUR-4).")
class Money:
    amount: Decimal
    currency: Currency

    @classmethod
    def of(cls, amount: Decimal, currency: Currency | str) -> Money:
        return cls(amount=amount, currency=Currency(currency))


@strawberry.type(description="Why a mutation refused its input. Nothing was changed.")
class UserError:
    field: list[str] | None
    code: ErrorCode
    message: str


@strawberry.type(description="A postal address (a Cloud subscription's billing address, R-ACC-8).")
class Address:
    line1: str
    line2: str | None
    city: str
    postal_code: str | None
    region: str | None
    country: str = strawberry.field(description="ISO 3166-1 alpha-2.")

    @classmethod
    def from_row(cls, row: BillingAddressRow) -> Address:
        return cls(
            line1=row.line1,
            line2=row.line2,
            city=row.city,
            postal_code=row.postal_code,
            region=row.region,
            country=row.country,
        )
