"""The demo's self-service stories (issue #14), on the well-known customers: an evaluation a
purchase converted (R-EVAL-5), sales requests open and answered (R-REQ-1), the partner
discount as staff set it (R-PRICE-6) and a Cloud subscription's billing address (R-ACC-8)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from gateway.demo_data import orders
from gateway.demo_data.builder import Builder
from gateway.demo_data.dataset import (
    DemoAccount,
    DemoBillingAddress,
    DemoLicense,
    DemoQuote,
    DemoSalesRequest,
)
from gateway.demo_data.dates import office_hours
from gateway.demo_data.licenses import LicensePlan, Scenario
from gateway.domain.enums import (
    Currency,
    Deployment,
    QuoteStatus,
    SalesRequestKind,
    SalesRequestStatus,
    Tier,
)
from gateway.domain.license import EVALUATION_DAYS, license_status

if TYPE_CHECKING:
    from gateway.demo_data.scripted import WellKnown

STAFF = "Conex Sales Operations"


def add_self_service(b: Builder, p: WellKnown) -> None:
    _converted_evaluation(b, p)
    _sales_requests(b, p)
    _partner_discount(b)
    _billing_address(b, p)


def _converted_evaluation(b: Builder, p: WellKnown) -> None:
    """Alice evaluated the Faculty of Architecture's server, quoted a license for it while the
    evaluation ran and paid it: the evaluation ended converted, its key withdrawn."""
    entity = "Faculty of Architecture"
    paid = b.add_license(
        LicensePlan(
            p.university,
            Deployment.SERVER,
            Tier.PROFESSIONAL,
            Scenario.ACTIVE,
            p.alice,
            p.alice,
            entity=entity,
            currency=Currency.EUR,
            purchased_days_ago=27,
        )
    )
    assert paid.quoted_at is not None
    started = paid.quoted_at.date() - dt.timedelta(days=3)  # it ran when the quote was made
    evaluation = b.add_license(
        LicensePlan(
            p.university,
            Deployment.SERVER,
            Tier.ENTERPRISE,
            Scenario.EVALUATION_EXPIRED,
            p.alice,
            p.alice,
            entity=entity,
            currency=Currency.EUR,
            ends_in_days=(started + dt.timedelta(days=EVALUATION_DAYS) - b.today).days,
        )
    ).license
    order = orders.purchase_order(b, paid)
    (line,) = order.quote.lines
    line.converts_evaluation = evaluation
    evaluation.converted_to, evaluation.converted_at = paid.license, order.paid_at
    evaluation.license_key = None
    before = license_status(
        license_type=evaluation.license_type,
        deployment=evaluation.deployment,
        evaluation_ends_on=evaluation.evaluation_ends_on,
        maintenance_ends_on=None,
        today=order.paid_at.date(),
    )
    b.audit(
        at=order.paid_at,
        action="quoteRecordPayment",
        entity=evaluation,
        changes=[
            ("status", before.value, "EVALUATION_CONVERTED"),
            ("licenseKey", "[redacted]", "[withdrawn]"),
        ],
    )


def _license(b: Builder, account: DemoAccount, entity: str, deployment: Deployment) -> DemoLicense:
    return next(
        x
        for x in b.data.licenses
        if x.billing is account and x.deployment_entity == entity and x.deployment is deployment
    )


def _open_quote(b: Builder, account: DemoAccount) -> DemoQuote:
    """The newest open quote of the account with a Cloud line (one it cannot edit itself)."""
    return max(
        (
            q
            for q in b.data.quotes
            if q.billing is account
            and q.status is QuoteStatus.OPEN
            and q.valid_until >= b.today
            and any(line.deployment is Deployment.CLOUD for line in q.lines)
        ),
        key=lambda q: q.created_at,
    )


def _request(
    b: Builder,
    request: DemoSalesRequest,
    *,
    answer: tuple[SalesRequestStatus, str, dt.datetime] | None = None,
) -> None:
    b.data.sales_requests.append(request)
    b.audit(
        at=request.created_at,
        action="salesRequestCreate",
        entity=request,
        changes=[("kind", None, request.kind.value), ("status", None, "OPEN")],
        customer=request.account,
    )
    if answer is None:
        return
    request.status, request.resolution, request.resolved_at = answer
    request.resolved_by = STAFF
    b.audit(
        at=request.resolved_at,
        action="salesRequestResolve",
        entity=request,
        changes=[("status", "OPEN", request.status.value), ("resolution", None, answer[1])],
    )


def _days_ago(b: Builder, days: int) -> dt.datetime:
    return office_hours(b.rng, b.today - dt.timedelta(days=days))


def _sales_requests(b: Builder, p: WellKnown) -> None:
    """R-REQ-1, R-REQ-2: two open requests of Alice's, one resolved, one of Bob's declined."""
    letters = _license(b, p.alice, "Faculty of Letters", Deployment.SERVER)  # Server Enterprise
    _request(
        b,
        DemoSalesRequest(
            SalesRequestKind.CUSTOMIZATION,
            p.alice,
            "We would like the catalogue search to show Arabic and French records side by "
            "side. Can your team quote this customization?",
            _days_ago(b, 2),
            license=letters,
        ),
    )
    quote = _open_quote(b, p.alice)
    _request(
        b,
        DemoSalesRequest(
            SalesRequestKind.QUOTE_CHANGE,
            p.alice,
            "Please add the Faculty of Law's reading room to this quote.",
            max(_days_ago(b, 1), quote.created_at + dt.timedelta(hours=2)),
            quote=quote,
        ),
    )
    asked = _days_ago(b, 16)
    _request(
        b,
        DemoSalesRequest(
            SalesRequestKind.DZD_QUOTE,
            p.alice,
            "Our ministry pays in dinars: can we have next year's renewals quoted in DZD?",
            asked,
        ),
        answer=(
            SalesRequestStatus.RESOLVED,
            "Yes: as your university is in Algeria, every quote can be in DZD. Renewal "
            "quotes you ask for from now on use the currency of your choice.",
            asked + dt.timedelta(days=1, hours=2),
        ),
    )
    asked = _days_ago(b, 9)
    _request(
        b,
        DemoSalesRequest(
            SalesRequestKind.OTHER,
            p.bob,
            "Do you run on-site training for our branch librarians?",
            asked,
        ),
        answer=(
            SalesRequestStatus.DECLINED,
            "Conex does not train on site; our Solution Partners do. See the partner "
            "directory for one near Madison.",
            asked + dt.timedelta(hours=20),
        ),
    )


def _partner_discount(b: Builder) -> None:
    """R-PRICE-6: staff set Bibliotech's discount before it resold anything."""
    partner = next(x for x in b.data.partners if x.discount_percent > 0)
    b.audit(
        at=office_hours(b.rng, b.earliest),
        action="partnerUpdate",
        entity=partner,
        changes=[("discountPercent", "0.00", str(partner.discount_percent))],
        staff_name=STAFF,
    )


def _billing_address(b: Builder, p: WellKnown) -> None:
    """R-ACC-8: Alice moved the Faculty of Sciences' Cloud billing to the rector's office."""
    sciences = _license(b, p.alice, "Faculty of Sciences", Deployment.CLOUD)
    at = max(_days_ago(b, 12), sciences.created_at + dt.timedelta(days=1))
    address = DemoBillingAddress(
        sciences, "Rectorat, 2 rue Didouche Mourad", "Alger", "16000", "DZ", at
    )
    b.data.billing_addresses.append(address)
    b.audit(
        at=at,
        action="cloudSubscriptionUpdateBillingAddress",
        entity=sciences,
        changes=[("billingAddress", None, "Rectorat, 2 rue Didouche Mourad, 16000 Alger, DZ")],
        customer=p.alice,
    )
