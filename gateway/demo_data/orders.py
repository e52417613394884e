"""Orders: the paid quotes behind each license's history (purchase, renewal, upgrade)."""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Sequence

from gateway.demo_data.builder import Builder, QuoteTimes
from gateway.demo_data.dataset import DemoLicense, DemoOrder, DemoQuote
from gateway.demo_data.dates import office_hours
from gateway.demo_data.licenses import IssuedLicense
from gateway.demo_data.quotes import LineRequest, order_for
from gateway.domain.enums import Currency, Deployment, PaymentMethod, QuoteLineKind, QuoteStatus
from gateway.domain.maintenance import renewal_years_allowed

_DAY = dt.timedelta(days=1)


def pay(
    b: Builder, quote: DemoQuote, *, paid_at: dt.datetime, licenses: Sequence[DemoLicense]
) -> DemoOrder:
    method, reference = _payment(b, quote)
    order = order_for(quote, paid_at=paid_at, method=method, reference=reference, licenses=licenses)
    b.data.orders.append(order)
    return order


def _payment(b: Builder, quote: DemoQuote) -> tuple[PaymentMethod, str]:
    rng = b.rng
    if any(line.deployment is Deployment.CLOUD for line in quote.lines):
        method = PaymentMethod.CARD  # Cloud access starts with a card on file
    elif quote.organization.country == "DZ":
        method = rng.choices(
            (PaymentMethod.BANK_TRANSFER, PaymentMethod.CHECK, PaymentMethod.CARD), (55, 25, 20)
        )[0]
    else:
        method = rng.choices(list(PaymentMethod), (55, 15, 25, 5))[0]
    token = "".join(rng.choices(string.ascii_uppercase + string.digits, k=16))
    reference = {
        PaymentMethod.CARD: f"ch_{token.lower()}",
        PaymentMethod.PAYPAL: f"PAYID-{token}",
        PaymentMethod.BANK_TRANSFER: f"VIR {token[:10]}",
        PaymentMethod.CHECK: f"CHQ {rng.randrange(10**6, 10**7)}",
    }[method]
    return method, reference


def purchase_order(b: Builder, root: IssuedLicense) -> DemoOrder:
    """The paid quote that issued ``root`` and the licenses bought with it (R-MAINT-2)."""
    first = root.license
    assert root.history is not None and root.quoted_at is not None
    lines = [
        LineRequest(
            QuoteLineKind.NEW,
            member.deployment,
            (member.history.upgraded_from if member.history else None) or member.license.tier,
            member.license.license_type,
            member.license.deployment_entity,
            paid_on=root.history.purchased_on,
        )
        for member in root.bundle
    ]
    times = QuoteTimes(QuoteStatus.OPEN, root.quoted_at, root.quoted_at, None)
    po_number = None
    if b.rng.random() < 0.3:
        po_number = b.po_number(first.organization.country, root.quoted_at.year)
    quote = b.add_quote(
        organization=first.organization,
        billing=first.billing,
        technical=first.technical,
        currency=first.purchase_currency or Currency.EUR,
        times=times,
        lines=lines,
        po_number=po_number,
    )
    return pay(b, quote, paid_at=first.created_at, licenses=[m.license for m in root.bundle])


def renewal_order(b: Builder, issued: IssuedLicense) -> DemoOrder | None:
    """The paid renewal behind the current period (R-MAINT-4), when R-MAINT-5 allowed it."""
    paid, history = issued.license, issued.history
    if history is None or not history.renewed or paid.deployment is Deployment.CLOUD:
        return None  # Cloud renews itself on the card; nothing is quoted
    rng = b.rng
    if history.years == 3:  # only a late renewal stays within 3 years ahead
        created_on = history.starts_on + dt.timedelta(days=rng.randint(0, 10))
    else:
        created_on = history.starts_on - dt.timedelta(days=rng.randint(0, 60))
    paid_on = created_on + dt.timedelta(days=rng.randint(0, 12))
    allowed = renewal_years_allowed(
        deployment=paid.deployment, previous_end=history.starts_on, today=created_on
    )
    if paid_on >= b.today or history.years not in allowed:
        return None
    created_at = office_hours(rng, created_on)
    request = LineRequest(
        QuoteLineKind.RENEWAL,
        paid.deployment,
        paid.tier,
        paid.license_type,
        paid.deployment_entity,
        license=paid,
        years=history.years,
        renews_from=history.starts_on,
    )
    quote = b.add_quote(
        organization=paid.organization,
        billing=paid.billing,
        technical=paid.technical,
        currency=paid.purchase_currency or Currency.EUR,
        times=QuoteTimes(QuoteStatus.OPEN, created_at, created_at, None),
        lines=[request],
    )
    paid_at = max(office_hours(rng, paid_on), created_at + dt.timedelta(hours=1))
    return pay(b, quote, paid_at=paid_at, licenses=[paid])


def upgrade_order(b: Builder, issued: IssuedLicense) -> DemoOrder | None:
    """The paid upgrade that started the current 12 months (R-MAINT-3)."""
    paid, history = issued.license, issued.history
    if history is None or history.upgraded_from is None:
        return None
    upgraded_on = history.starts_on
    created_on = max(
        upgraded_on - dt.timedelta(days=b.rng.randint(0, 10)),
        history.purchased_on + _DAY,
    )
    created_at = office_hours(b.rng, created_on)
    request = LineRequest(
        QuoteLineKind.UPGRADE,
        paid.deployment,
        paid.tier,
        paid.license_type,
        paid.deployment_entity,
        license=paid,
        from_tier=history.upgraded_from,
        paid_on=upgraded_on,
    )
    quote = b.add_quote(
        organization=paid.organization,
        billing=paid.billing,
        technical=paid.technical,
        currency=paid.purchase_currency or Currency.EUR,
        times=QuoteTimes(QuoteStatus.OPEN, created_at, created_at, None),
        lines=[request],
    )
    paid_at = max(office_hours(b.rng, upgraded_on), created_at + dt.timedelta(hours=1))
    return pay(b, quote, paid_at=paid_at, licenses=[paid])
