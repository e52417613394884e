"""Money: an exact decimal with its currency, rounded half-up to 2 places (R-CUR-4)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from gateway.domain.enums import Currency

CENT = Decimal("0.01")


def round_money(amount: Decimal) -> Decimal:
    """R-CUR-4: half-up to 2 places."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: Currency

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError("Money.amount is a Decimal, never a float")

    @classmethod
    def of(cls, amount: Decimal | str | int, currency: Currency) -> Money:
        return cls(round_money(Decimal(amount)), currency)
