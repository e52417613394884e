"""Pricing a whole quote: list prices in the quote's currency, discounts, totals.

Built on ``pricing`` (discount order, R-PRICE-*), ``currency`` (DZD derived from EUR,
R-CUR-3) and ``upgrade`` (R-UPG-3). Pure: the caller looks the price book and the exchange
rate up and passes them in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from gateway.domain.contact_sales import how_to_ask
from gateway.domain.currency import check_currency_allowed, list_price_in
from gateway.domain.enums import Currency, Deployment, LicenseType, QuoteLineKind, SalesRequestKind
from gateway.domain.errors import DomainError, ErrorCode
from gateway.domain.maintenance import check_renewal_years
from gateway.domain.money import round_money
from gateway.domain.pricing import PricedLine, QuoteTotals, price_line, quote_totals
from gateway.domain.upgrade import upgrade_unit_price


@dataclass(frozen=True, slots=True)
class FxRate:
    """EUR→DZD rate and fluctuation margin (a fraction: 0.03 is 3%), R-CUR-3."""

    rate: Decimal
    margin: Decimal


@dataclass(frozen=True, slots=True)
class BookPrice:
    """One price-book entry (product, tier, kind) in both list currencies."""

    eur: Decimal
    usd: Decimal

    def in_currency(self, currency: Currency, fx: FxRate | None) -> Decimal:
        """R-CUR-3: USD and EUR as listed; DZD = EUR × rate × (1 + margin), half-up."""
        return list_price_in(
            currency,
            eur=self.eur,
            usd=self.usd,
            rate=fx.rate if fx else None,
            margin=fx.margin if fx else None,
        )


@dataclass(frozen=True, slots=True)
class PricingTerms:
    """What applies to every line of one quote."""

    currency: Currency
    fx: FxRate | None  # the rate the quote stores; required for DZD
    academic_organization: bool  # a qualified academic institution (R-PRICE-2)
    partner_percent: Decimal = Decimal(0)  # R-PRICE-3, only when a partner resells the quote


@dataclass(frozen=True, slots=True)
class NewLine:
    deployment: Deployment
    license_type: LicenseType
    quantity: int
    price: BookPrice  # kind NEW


@dataclass(frozen=True, slots=True)
class RenewalLine:
    deployment: Deployment
    license_type: LicenseType
    years: int
    price: BookPrice  # kind RENEWAL: 12 months of maintenance or one Cloud term


@dataclass(frozen=True, slots=True)
class UpgradeLine:
    deployment: Deployment
    license_type: LicenseType
    current: BookPrice  # kind NEW, the license's tier today
    target: BookPrice  # kind NEW, the tier upgraded to
    paid_amount: Decimal | None  # what was paid for the license
    paid_currency: Currency | None
    purchased_on: date | None


LineSpec = NewLine | RenewalLine | UpgradeLine


@dataclass(frozen=True, slots=True)
class PricedQuote:
    lines: tuple[PricedLine, ...]
    totals: QuoteTotals


def quote_fx(currency: Currency, newest: FxRate | None) -> FxRate | None:
    """R-CUR-3: the rate and margin a DZD quote uses and stores; none for EUR and USD."""
    if currency != Currency.DZD:
        return None
    if newest is None:
        raise DomainError(
            ErrorCode.INVALID,
            "No EUR→DZD exchange rate is available; for a DZD quote, "
            + how_to_ask(SalesRequestKind.DZD_QUOTE),
            field=("currency",),
        )
    return newest


def pricing_terms(
    *,
    currency: Currency,
    organization_country: str,
    academic_organization: bool,
    newest_rate: FxRate | None,
    partner_percent: Decimal | None,
) -> PricingTerms:
    """R-CUR-1/2 (currency allowed for the licensee), R-CUR-3 (rate), R-PRICE-3 (partner)."""
    check_currency_allowed(currency, organization_country)
    return PricingTerms(
        currency=currency,
        fx=quote_fx(currency, newest_rate),
        academic_organization=academic_organization,
        partner_percent=partner_percent if partner_percent is not None else Decimal(0),
    )


def academic_discount_applies(terms: PricingTerms, license_type: LicenseType) -> bool:
    """R-PRICE-2: an academic license of a qualified academic institution."""
    return terms.academic_organization and license_type == LicenseType.ACADEMIC


def line_kind(spec: LineSpec) -> QuoteLineKind:
    if isinstance(spec, RenewalLine):
        return QuoteLineKind.RENEWAL
    if isinstance(spec, UpgradeLine):
        return QuoteLineKind.UPGRADE
    return QuoteLineKind.NEW


def price_spec(spec: LineSpec, terms: PricingTerms, *, today: date) -> PricedLine:
    """One line: its unit price in the quote currency, then the discounts in order."""
    credit = Decimal(0)
    quantity = 1
    if isinstance(spec, NewLine):
        unit = spec.price.in_currency(terms.currency, terms.fx)
        quantity = spec.quantity
    elif isinstance(spec, RenewalLine):
        check_renewal_years(spec.years)
        # R-MAINT-1: maintenance in 12-month blocks, each at the renewal list price.
        unit = round_money(spec.price.in_currency(terms.currency, terms.fx) * spec.years)
    else:
        # R-UPG-3: full credit only for what was paid in the quote's own currency.
        same_currency = spec.paid_currency == terms.currency
        unit, credit = upgrade_unit_price(
            current_list=spec.current.in_currency(terms.currency, terms.fx),
            target_list=spec.target.in_currency(terms.currency, terms.fx),
            paid_amount=spec.paid_amount if same_currency else None,
            purchased_on=spec.purchased_on,
            today=today,
        )
    return price_line(
        unit_price=unit,
        quantity=quantity,
        deployment=spec.deployment,
        kind=line_kind(spec),
        academic=academic_discount_applies(terms, spec.license_type),
        partner_percent=terms.partner_percent,
        credit=credit,
    )


def price_quote(specs: Sequence[LineSpec], terms: PricingTerms, *, today: date) -> PricedQuote:
    """Every line priced (R-CUR-4: rounded per line), and the quote totals (R-PRICE-4)."""
    lines = tuple(price_spec(spec, terms, today=today) for spec in specs)
    return PricedQuote(lines=lines, totals=quote_totals(lines))


def discounts_record(line: PricedLine) -> list[dict[str, Any]]:
    """The discounts as stored on a quote line: strings, exact, in application order."""
    return [
        {
            "kind": d.kind.value,
            "percent": None if d.percent is None else str(d.percent),
            "amount": str(d.amount),
        }
        for d in line.discounts
    ]
