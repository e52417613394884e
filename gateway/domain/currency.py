"""Quote currencies: who may use DZD and how DZD amounts derive from EUR (R-CUR-*)."""

from __future__ import annotations

from decimal import Decimal

from gateway.domain.contact_sales import how_to_ask
from gateway.domain.enums import Currency, SalesRequestKind
from gateway.domain.errors import DomainError, ErrorCode
from gateway.domain.money import round_money

DZD_COUNTRY = "DZ"


def check_currency_allowed(currency: Currency, organization_country: str) -> None:
    """R-CUR-2: DZD is reserved for licensee organizations in Algeria."""
    if currency == Currency.DZD and organization_country.strip().upper() != DZD_COUNTRY:
        raise DomainError(
            ErrorCode.CURRENCY_NOT_ALLOWED,
            "DZD quotes are reserved for organizations in Algeria (DZ)",
            field=("currency",),
        )


def dzd_amount(eur_amount: Decimal, *, rate: Decimal, margin: Decimal) -> Decimal:
    """R-CUR-3: EUR amount * EUR→DZD rate * (1 + fluctuation margin), rounded half-up (R-CUR-4).

    ``margin`` is a fraction: Decimal("0.05") is a 5% margin.
    """
    if rate <= 0:
        raise DomainError(ErrorCode.INVALID, "The EUR→DZD rate must be positive")
    if margin < 0:
        raise DomainError(ErrorCode.INVALID, "The currency fluctuation margin cannot be negative")
    return round_money(eur_amount * rate * (1 + margin))


def list_price_in(
    currency: Currency,
    *,
    eur: Decimal,
    usd: Decimal,
    rate: Decimal | None,
    margin: Decimal | None,
) -> Decimal:
    """The list price in ``currency``: USD and EUR from the price book, DZD derived from EUR.

    A missing ``margin`` counts as no margin; a missing ``rate`` cannot price DZD.
    """
    if currency == Currency.USD:
        return round_money(usd)
    if currency == Currency.EUR:
        return round_money(eur)
    if rate is None:
        raise DomainError(
            ErrorCode.INVALID,
            "No EUR→DZD exchange rate is available; for a DZD quote, "
            + how_to_ask(SalesRequestKind.DZD_QUOTE),
            field=("currency",),
        )
    return dzd_amount(eur, rate=rate, margin=margin if margin is not None else Decimal(0))
