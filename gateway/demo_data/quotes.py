"""Quotes, lines and orders priced by the domain rules, as the gateway itself would price them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from gateway.demo_data.catalog import PriceBook
from gateway.demo_data.dataset import (
    DemoAccount,
    DemoLicense,
    DemoOrder,
    DemoOrganization,
    DemoQuote,
    DemoQuoteLine,
)
from gateway.domain.enums import (
    Currency,
    Deployment,
    LicenseType,
    PaymentMethod,
    PriceKind,
    QuoteLineKind,
    QuoteStatus,
    Tier,
)
from gateway.domain.maintenance import (
    maintenance_for_new,
    maintenance_for_renewal,
    maintenance_for_upgrade,
)
from gateway.domain.pricing import PricedLine, quote_totals
from gateway.domain.quote import quote_valid_until
from gateway.domain.quote_pricing import (
    LineSpec,
    NewLine,
    PricingTerms,
    RenewalLine,
    UpgradeLine,
    price_spec,
    pricing_terms,
)


@dataclass(frozen=True, slots=True)
class LineRequest:
    kind: QuoteLineKind
    deployment: Deployment
    tier: Tier
    license_type: LicenseType
    entity: str
    quantity: int = 1
    license: DemoLicense | None = None  # the license renewed or upgraded
    years: int | None = None  # RENEWAL
    renews_from: dt.date | None = None  # RENEWAL: the previous period's end (R-MAINT-4)
    from_tier: Tier | None = None  # UPGRADE
    paid_on: dt.date | None = None  # NEW/UPGRADE on a paid quote: maintenance starts (R-MAINT-2/3)


class QuoteFactory:
    """Prices quotes with the domain's own pricing, at the list prices and the rate of the day
    the quote was made."""

    def __init__(self, price_book: PriceBook) -> None:
        self.price_book = price_book
        # NEW and RENEWAL prices depend only on these; thousands of lines share them.
        self._priced: dict[tuple[object, ...], PricedLine] = {}

    def terms(
        self, organization: DemoOrganization, currency: Currency, at: dt.datetime
    ) -> PricingTerms:
        partner = organization.partner  # R-QUOTE-5: a resold organization buys through it
        return pricing_terms(
            currency=currency,
            organization_country=organization.country,
            academic_organization=organization.academic,
            newest_rate=self.price_book.fx_at(at),
            partner_percent=partner.discount_percent if partner is not None else None,
        )

    def _spec(self, request: LineRequest) -> LineSpec:
        book = self.price_book
        if request.kind is QuoteLineKind.RENEWAL:
            assert request.years is not None
            price = book.price(request.deployment, request.tier, PriceKind.RENEWAL)
            return RenewalLine(request.deployment, request.license_type, request.years, price)
        if request.kind is QuoteLineKind.UPGRADE:
            assert request.license is not None and request.from_tier is not None
            bought = request.license
            return UpgradeLine(
                request.deployment,
                request.license_type,
                current=book.price(request.deployment, request.from_tier, PriceKind.NEW),
                target=book.price(request.deployment, request.tier, PriceKind.NEW),
                paid_amount=bought.purchase_amount,
                paid_currency=bought.purchase_currency,
                purchased_on=bought.purchased_on,
            )
        price = book.price(request.deployment, request.tier, PriceKind.NEW)
        return NewLine(request.deployment, request.license_type, request.quantity, price)

    def line(self, request: LineRequest, terms: PricingTerms, *, day: dt.date) -> DemoQuoteLine:
        period: tuple[dt.date, dt.date] | None = None
        if request.kind is QuoteLineKind.RENEWAL:
            assert request.renews_from is not None and request.years is not None
            period = maintenance_for_renewal(request.renews_from, request.years)  # R-MAINT-4
        elif request.paid_on is not None and request.kind is QuoteLineKind.UPGRADE:
            period = maintenance_for_upgrade(request.paid_on)  # R-MAINT-3
        elif request.paid_on is not None:
            period = maintenance_for_new(request.paid_on)  # R-MAINT-2
        return DemoQuoteLine(
            kind=request.kind,
            deployment=request.deployment,
            tier=request.tier,
            license_type=request.license_type,
            deployment_entity=request.entity,
            license=request.license,
            years=request.years,
            maintenance_starts_on=period[0] if period else None,
            maintenance_ends_on=period[1] if period else None,
            priced=self._price(request, terms, day),
        )

    def _price(self, request: LineRequest, terms: PricingTerms, day: dt.date) -> PricedLine:
        if request.kind is QuoteLineKind.UPGRADE:  # depends on the license and the day
            return price_spec(self._spec(request), terms, today=day)
        key = (
            request.kind,
            request.deployment,
            request.tier,
            request.license_type,
            request.quantity,
            request.years,
            terms,
        )
        priced = self._priced.get(key)
        if priced is None:
            priced = self._priced[key] = price_spec(self._spec(request), terms, today=day)
        return priced

    def quote(
        self,
        *,
        organization: DemoOrganization,
        billing: DemoAccount,
        technical: DemoAccount,
        currency: Currency,
        created_at: dt.datetime,
        lines: Sequence[LineRequest],
        status: QuoteStatus = QuoteStatus.OPEN,
        po_number: str | None = None,
        version: int = 1,
        updated_at: dt.datetime | None = None,
        deleted_at: dt.datetime | None = None,
        sync_with: Sequence[DemoLicense] = (),
    ) -> DemoQuote:
        terms = self.terms(organization, currency, created_at)
        priced = [self.line(request, terms, day=created_at.date()) for request in lines]
        totals = quote_totals([line.priced for line in priced])
        return DemoQuote(
            status=status,
            currency=currency,
            organization=organization,
            billing=billing,
            technical=technical,
            partner=organization.partner,
            is_reseller=organization.partner is not None,  # R-QUOTE-5
            po_number=po_number,
            valid_until=quote_valid_until(created_at.date()),  # R-QUOTE-1
            version=version,
            requires_sales_review=bool(sync_with),  # R-MAINT-6: co-terming needs sales review
            sync_with_sens=list(sync_with),
            fx_rate=terms.fx.rate if terms.fx else None,  # R-CUR-3: the quote keeps its rate
            fx_margin=terms.fx.margin if terms.fx else None,
            lines=priced,
            subtotal=totals.subtotal,
            discount_total=totals.discount_total,
            tax=totals.tax,  # R-PRICE-4
            total=totals.total,
            created_at=created_at,
            updated_at=updated_at or created_at,
            deleted_at=deleted_at,
        )


def order_for(
    quote: DemoQuote,
    *,
    paid_at: dt.datetime,
    method: PaymentMethod,
    reference: str | None,
    licenses: Sequence[DemoLicense],
    po_number: str | None = None,
) -> DemoOrder:
    """R-QUOTE-2: the quote is paid; the order keeps its total and the licenses it issued."""
    quote.status = QuoteStatus.PAID
    quote.updated_at = paid_at
    return DemoOrder(
        quote=quote,
        paid_at=paid_at,
        payment_method=method,
        payment_reference=reference,
        po_number=po_number or quote.po_number,
        licenses=list(licenses),
    )
