"""Reference data: products, the price book, EUR→DZD rates, releases and Solution Partners."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from gateway.demo_data.dataset import DemoPartner
from gateway.demo_data.dates import midnight, weekday_on_or_before
from gateway.domain.enums import Currency, Deployment, PriceKind, Tier
from gateway.domain.money import round_money
from gateway.domain.quote_pricing import BookPrice, FxRate

PRODUCTS: tuple[tuple[str, str, Deployment], ...] = (
    ("server", "Conex Books Server", Deployment.SERVER),
    ("data-center", "Conex Books Data Center", Deployment.DATA_CENTER),
    ("cloud", "Conex Books Cloud", Deployment.CLOUD),
)

# EUR list prices of a new license (Server, Data Center) or of a year of Cloud.
_NEW_EUR: dict[tuple[Deployment, Tier], Decimal] = {
    (Deployment.SERVER, Tier.STARTER): Decimal("1200.00"),
    (Deployment.SERVER, Tier.EXPRESS): Decimal("2400.00"),
    (Deployment.SERVER, Tier.PROFESSIONAL): Decimal("4800.00"),
    (Deployment.SERVER, Tier.ENTERPRISE): Decimal("9600.00"),
    (Deployment.DATA_CENTER, Tier.ENTERPRISE): Decimal("24000.00"),
    (Deployment.CLOUD, Tier.STARTER): Decimal("600.00"),
    (Deployment.CLOUD, Tier.EXPRESS): Decimal("1200.00"),
    (Deployment.CLOUD, Tier.PROFESSIONAL): Decimal("2400.00"),
    (Deployment.CLOUD, Tier.ENTERPRISE): Decimal("4800.00"),
}
USD_PER_EUR = Decimal("1.08")


def _list_price(deployment: Deployment, tier: Tier, currency: Currency, kind: PriceKind) -> Decimal:
    amount = _NEW_EUR[deployment, tier]
    if currency is Currency.USD:
        amount = (amount * USD_PER_EUR).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    # 12 months of maintenance cost half a new license; a Cloud term costs the same every year.
    if kind is PriceKind.RENEWAL and deployment is not Deployment.CLOUD:
        amount = amount / 2
    return round_money(amount)


@dataclass(frozen=True, slots=True)
class ExchangeRate:
    rate: Decimal
    margin: Decimal
    effective_at: dt.datetime


def exchange_rates(today: dt.date) -> tuple[ExchangeRate, ...]:
    """EUR→DZD, oldest first: a superseded rate old enough to cover every demo quote, and the
    current one from a few months ago (R-CUR-3)."""
    return (
        ExchangeRate(
            Decimal("141.870000"), Decimal("0.0350"), midnight(today - dt.timedelta(1900))
        ),
        ExchangeRate(Decimal("146.350000"), Decimal("0.0300"), midnight(today - dt.timedelta(110))),
    )


PriceKey = tuple[Deployment, Tier, PriceKind]


@dataclass(frozen=True, slots=True)
class PriceBook:
    """List prices and EUR→DZD rates (oldest first), in the shapes the domain's pricing takes:
    the demo's own, or what the database holds when it had a catalog already."""

    prices: dict[PriceKey, BookPrice]
    rates: tuple[ExchangeRate, ...]

    @classmethod
    def default(cls, today: dt.date) -> PriceBook:
        prices = {
            (deployment, tier, kind): BookPrice(
                eur=_list_price(deployment, tier, Currency.EUR, kind),
                usd=_list_price(deployment, tier, Currency.USD, kind),
            )
            for deployment, tier in _NEW_EUR
            for kind in PriceKind
        }
        return cls(prices, exchange_rates(today))

    def fx_at(self, at: dt.datetime) -> FxRate:
        """The newest rate effective at ``at`` (R-CUR-3)."""
        applicable = [rate for rate in self.rates if rate.effective_at <= at] or [self.rates[0]]
        return FxRate(rate=applicable[-1].rate, margin=applicable[-1].margin)

    def price(self, deployment: Deployment, tier: Tier, kind: PriceKind) -> BookPrice:
        return self.prices[deployment, tier, kind]


def product_releases(today: dt.date) -> tuple[tuple[int, int, dt.date], ...]:
    """1.0 about three years ago (1.x out of support, R-SUP-3), 2.0 about a year ago."""
    first = today - dt.timedelta(days=1100)
    second = today - dt.timedelta(days=370)
    ones = [(1, minor, first + dt.timedelta(days=78 * minor)) for minor in range(10)]
    twos = [(2, minor, second + dt.timedelta(days=85 * minor)) for minor in range(5)]
    return tuple((major, minor, weekday_on_or_before(day)) for major, minor, day in ones + twos)


def first_release(today: dt.date) -> dt.date:
    """Nothing was licensed before Conex Books 1.0 shipped."""
    return product_releases(today)[0][2]


def partners() -> list[DemoPartner]:
    """Official Solution Partners; only the Algerian one has a partner discount (R-PRICE-3)."""
    rows = (
        ("Bibliotech Solutions SARL", "MEA", "DZ", "bibliotech-solutions", "5.00"),
        ("Médiathèque Conseil", "EMEA", "FR", "mediatheque-conseil", "0.00"),
        ("Buchwerk IT GmbH", "EMEA", "DE", "buchwerk-it", "0.00"),
        ("Northwind Library Services", "NA", "US", "northwind-library", "0.00"),
        ("Granth Digital Pvt Ltd", "APAC", "IN", "granth-digital", "0.00"),
        ("Southern Cross Library Systems", "APAC", "AU", "southern-cross-library", "0.00"),
        ("Biblioteca Digital Ltda", "LATAM", "BR", "biblioteca-digital", "0.00"),
        ("Al Maktaba Technologies FZ-LLC", "MEA", "AE", "almaktaba-tech", "0.00"),
    )
    return [
        DemoPartner(name, region, country, f"https://www.{slug}.example", Decimal(percent))
        for name, region, country, slug, percent in rows
    ]
