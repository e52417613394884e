"""Small shared types: Money, UserError."""

from __future__ import annotations

from decimal import Decimal

import strawberry

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
