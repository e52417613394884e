"""The well-known demo customers, written out by hand so that every screen has a story.

- alice@example.com: an Algerian university (academic, DZD) and a public library resold by a
  partner; 20 licenses in every status, open/expired/deleted quotes, orders, audit events.
- bob@example.com: a US public library, unrelated to Alice.
- billing.only@example.com: only the billing contact of two of Alice's licenses.
- Two INVITED accounts (no password yet), named as technical contacts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from gateway.demo_data import orders
from gateway.demo_data.builder import Builder, QuoteState, audit_deletion
from gateway.demo_data.dataset import DemoAccount, DemoLicense, DemoOrganization
from gateway.demo_data.licenses import IssuedLicense, LicensePlan, Scenario
from gateway.demo_data.quotes import LineRequest
from gateway.demo_data.selfservice import add_self_service
from gateway.domain.enums import (
    AccountStatus,
    Currency,
    Deployment,
    LicenseType,
    QuoteLineKind,
    TaxIdKind,
    Tier,
)

ALICE_EMAIL = "alice@example.com"
BOB_EMAIL = "bob@example.com"
BILLING_ONLY_EMAIL = "billing.only@example.com"
INVITED_EMAILS = ("yacine.khelifi@example.org", "emily.clark@example.net")

SERVER, DATA_CENTER, CLOUD = Deployment.SERVER, Deployment.DATA_CENTER, Deployment.CLOUD
STARTER, EXPRESS, PROFESSIONAL, ENTERPRISE = (
    Tier.STARTER,
    Tier.EXPRESS,
    Tier.PROFESSIONAL,
    Tier.ENTERPRISE,
)
DZD, EUR, USD = Currency.DZD, Currency.EUR, Currency.USD
ACTIVE, EXPIRING, EXPIRED = Scenario.ACTIVE, Scenario.ACTIVE_EXPIRING, Scenario.MAINTENANCE_EXPIRED
CLOUD_ACTIVE, EVALUATION, EVALUATION_EXPIRED = (
    Scenario.CLOUD_ACTIVE,
    Scenario.EVALUATION_RUNNING,
    Scenario.EVALUATION_EXPIRED,
)
VISA, MASTERCARD = ("visa", "4242"), ("mastercard", "4444")  # the processors' test cards


@dataclass(slots=True)
class WellKnown:
    alice: DemoAccount
    bob: DemoAccount
    billing_only: DemoAccount
    yacine: DemoAccount
    emily: DemoAccount
    university: DemoOrganization
    mediatheque: DemoOrganization
    riverside: DemoOrganization


def _people(b: Builder) -> WellKnown:
    accounts = [
        DemoAccount(
            ALICE_EMAIL,
            "Alice Haddad",
            "+213 550 12 34 56",
            "DZ",
            AccountStatus.ACTIVE,
            tax_ids=[(TaxIdKind.VAT, "000116001234567")],
        ),
        DemoAccount(
            BOB_EMAIL,
            "Bob Johnson",
            "+1 608-555-0142",
            "US",
            AccountStatus.ACTIVE,
            publicity_opt_out=True,
        ),
        DemoAccount(
            BILLING_ONLY_EMAIL, "Samira Boudiaf", "+213 21 55 01 77", "DZ", AccountStatus.ACTIVE
        ),
        DemoAccount(INVITED_EMAILS[0], "Yacine Khelifi", None, "DZ", AccountStatus.INVITED),
        DemoAccount(INVITED_EMAILS[1], "Emily Clark", None, "US", AccountStatus.INVITED),
    ]
    alice, bob, billing_only, yacine, emily = (b.add_account(a) for a in accounts)
    bibliotech = b.partner("Bibliotech Solutions SARL")
    university = b.add_organization(
        DemoOrganization(
            "Université des Sciences Humaines d'Alger",
            "DZ",
            "2 rue Didouche Mourad, 16000 Alger, Algeria",
            academic=True,
            partner=None,
        )
    )
    mediatheque = b.add_organization(
        DemoOrganization(
            "Médiathèque de Tipaza",
            "DZ",
            "14 boulevard Mohamed V, 42000 Tipaza, Algeria",
            academic=False,
            partner=bibliotech,  # resold, with the partner discount (R-PRICE-3)
        )
    )
    riverside = b.add_organization(
        DemoOrganization(
            "Riverside Public Library",
            "US",
            "210 Main Street, 53703 Madison, United States",
            academic=False,
            partner=None,
        )
    )
    return WellKnown(alice, bob, billing_only, yacine, emily, university, mediatheque, riverside)


def add_well_known(b: Builder) -> WellKnown:
    people = _people(b)
    _alice(b, people)
    _bob(b, people)
    add_self_service(b, people)  # issue #14's stories
    return people


def _alice(b: Builder, p: WellKnown) -> None:
    alice, u, m = p.alice, p.university, p.mediatheque

    def plan(
        org: DemoOrganization,
        deployment: Deployment,
        tier: Tier,
        scenario: Scenario,
        entity: str,
        currency: Currency,
        ends_in_days: int | None,
        **options: Any,
    ) -> IssuedLicense:
        options = {"billing": alice, "technical": alice} | options
        return b.add_license(
            LicensePlan(
                org,
                deployment,
                tier,
                scenario,
                entity=entity,
                currency=currency,
                ends_in_days=ends_in_days,
                **options,
            )
        )

    central = plan(u, SERVER, PROFESSIONAL, EXPIRING, "Central Library", DZD, 20, renewed=True)
    letters = plan(u, SERVER, ENTERPRISE, ACTIVE, "Faculty of Letters", EUR, 240, renewed=True)
    campus = plan(u, DATA_CENTER, ENTERPRISE, ACTIVE, "Main Campus Library", EUR, 430, years=2)
    fresh = plan(u, SERVER, STARTER, ACTIVE, "Language Centre", EUR, None, purchased_days_ago=12)
    law = plan(u, SERVER, EXPRESS, EXPIRING, "Faculty of Law", DZD, 45, renewed=False)
    plan(
        u,
        SERVER,
        EXPRESS,
        ACTIVE,
        "Faculty of Medicine",
        DZD,
        None,
        bought_with=law,
        technical=p.yacine,
    )
    archaeology = plan(
        u, SERVER, EXPRESS, EXPIRED, "Institute of Archaeology", DZD, -95, renewed=False
    )
    doctoral = plan(u, SERVER, PROFESSIONAL, EXPIRED, "Doctoral School", EUR, -540, renewed=False)
    plan(u, CLOUD, PROFESSIONAL, CLOUD_ACTIVE, "Faculty of Sciences", EUR, 150, card=VISA)
    plan(u, CLOUD, STARTER, CLOUD_ACTIVE, "Music Library", EUR, 10, card=MASTERCARD, past_due=True)
    economics = plan(u, CLOUD, EXPRESS, Scenario.CLOUD_LAPSED, "Faculty of Economics", USD, -60)
    plan(u, SERVER, ENTERPRISE, EVALUATION, "School of Engineering Library", EUR, 6)
    plan(u, CLOUD, ENTERPRISE, EVALUATION, "Faculty of Humanities", EUR, 3)
    plan(u, SERVER, ENTERPRISE, EVALUATION_EXPIRED, "North Campus Library", EUR, -40)
    plan(u, CLOUD, ENTERPRISE, EVALUATION_EXPIRED, "Faculty of Letters", EUR, -200)
    plan(
        u,
        SERVER,
        PROFESSIONAL,
        Scenario.UPGRADED,
        "Faculty of Pharmacy",
        EUR,
        245,
        upgraded_from=EXPRESS,
    )
    # The billing-only colleague from the start, and an invited technical contact.
    plan(
        u,
        SERVER,
        STARTER,
        ACTIVE,
        "Faculty of Dentistry",
        DZD,
        300,
        renewed=True,
        billing=p.billing_only,
        technical=p.yacine,
    )
    mediatheque = plan(m, SERVER, EXPRESS, EXPIRING, "Médiathèque centrale", EUR, 50, renewed=True)
    bibliobus = plan(m, SERVER, STARTER, EXPIRED, "Bibliobus", DZD, -300, renewed=False)
    plan(m, CLOUD, STARTER, CLOUD_ACTIVE, "Annexe de Cherchell", DZD, 200, card=("visa", "1881"))

    # Every purchase, renewal and upgrade Alice paid through My Conex.
    for issued in b.issued:
        if issued.license.billing is alice and issued.history is not None:
            if issued.bundle:
                orders.purchase_order(b, issued)
            orders.renewal_order(b, issued)
            orders.upgrade_order(b, issued)
    _alice_changes(b, p, law=law.license, bibliobus=bibliobus.license)
    _alice_quotes(
        b,
        p,
        central=central,
        fresh=fresh,
        law=law,
        letters=letters,
        campus=campus,
        archaeology=archaeology,
        doctoral=doctoral,
        economics=economics,
        mediatheque=mediatheque,
    )


def _alice_changes(b: Builder, p: WellKnown, *, law: DemoLicense, bibliobus: DemoLicense) -> None:
    """Audit trail: Alice hands the Faculty of Law's billing to her colleague and adds a PO
    number to her latest invoice; staff moved the bookmobile to the médiathèque (R-ACC-7)."""
    b.audit(
        at=bibliobus.created_at + dt.timedelta(days=41),
        action="licenseAssign",
        entity=bibliobus,
        changes=[("organizationName", p.university.name, p.mediatheque.name)],
    )
    b.audit(
        at=law.created_at + dt.timedelta(days=20),
        action="licenseUpdateContacts",
        entity=law,
        changes=[("billingContact", ALICE_EMAIL, BILLING_ONLY_EMAIL)],
        customer=p.alice,
    )
    law.billing = p.billing_only
    latest = max((o for o in b.data.orders if o.quote.billing is p.alice), key=lambda o: o.paid_at)
    po_number = f"BC-{latest.paid_at.year}-0098"
    b.audit(
        at=min(latest.paid_at + dt.timedelta(days=2), b.last_instant),
        action="orderSetPoNumber",
        entity=latest,
        changes=[("poNumber", latest.po_number, po_number)],
        customer=p.alice,
    )
    latest.po_number = po_number


def _alice_quotes(
    b: Builder,
    p: WellKnown,
    *,
    central: IssuedLicense,
    fresh: IssuedLicense,
    law: IssuedLicense,
    letters: IssuedLicense,
    campus: IssuedLicense,
    archaeology: IssuedLicense,
    doctoral: IssuedLicense,
    economics: IssuedLicense,
    mediatheque: IssuedLicense,
) -> None:
    alice, u = p.alice, p.university
    year = b.today.year
    b.renewal_quote(central, QuoteState.OPEN, days_ago=6, years=1)
    b.upgrade_quote(fresh, PROFESSIONAL, QuoteState.OPEN, days_ago=2)  # R-UPG-3: full credit
    # R-MAINT-6: renew the Faculty of Law in step with two other licenses: sales must review.
    b.renewal_quote(
        law,
        QuoteState.OPEN,
        days_ago=3,
        years=1,
        billing=alice,
        sync_with=[letters.license, campus.license],
    )
    b.renewal_quote(archaeology, QuoteState.OPEN_EXPIRED, days_ago=40, years=1)
    b.renewal_quote(doctoral, QuoteState.OPEN, days_ago=1, years=2)
    b.renewal_quote(economics, QuoteState.OPEN, days_ago=8, years=1)  # Cloud: no promotion
    # The partner reselling to the médiathèque adds the library's PO number to its renewal.
    resold = b.renewal_quote(
        mediatheque, QuoteState.OPEN, days_ago=4, years=1, version=2, po_number=f"BC-{year}-0131"
    )
    assert resold is not None and resold.partner is not None
    b.audit(
        at=resold.updated_at,
        action="quoteSetPoNumber",
        entity=resold,
        changes=[("poNumber", None, resold.po_number), ("version", 1, 2)],
        partner=resold.partner,
    )

    def new(deployment: Deployment, tier: Tier, entity: str) -> LineRequest:
        return LineRequest(QuoteLineKind.NEW, deployment, tier, LicenseType.ACADEMIC, entity)

    po_number = f"BC-{year}-0117"
    faculties = b.add_quote(
        organization=u,
        billing=alice,
        technical=alice,
        currency=EUR,
        times=b.scripted_times(QuoteState.OPEN, 9, version=2),
        lines=[
            new(CLOUD, PROFESSIONAL, "Faculty of Political Science"),
            new(SERVER, EXPRESS, "Institute of Islamic Studies"),
        ],
        version=2,
        po_number=po_number,
    )
    b.audit(
        at=faculties.updated_at,
        action="quoteSetPoNumber",
        entity=faculties,
        changes=[("poNumber", None, po_number), ("version", 1, 2)],
        customer=alice,
    )
    b.add_quote(
        organization=u,
        billing=alice,
        technical=alice,
        currency=EUR,
        times=b.scripted_times(QuoteState.EXPIRED, 150),
        lines=[new(SERVER, PROFESSIONAL, "Faculty of Political Science")],
    )
    deleted = b.add_quote(
        organization=u,
        billing=alice,
        technical=alice,
        currency=USD,
        times=b.scripted_times(QuoteState.DELETED, 70),
        lines=[new(CLOUD, STARTER, "Faculty of Political Science")],
    )
    audit_deletion(b, deleted, alice)


def _bob(b: Builder, p: WellKnown) -> None:
    bob, r = p.bob, p.riverside

    def plan(
        deployment: Deployment, tier: Tier, scenario: Scenario, entity: str, **options: Any
    ) -> IssuedLicense:
        options = {"billing": bob, "technical": bob} | options
        return b.add_license(
            LicensePlan(r, deployment, tier, scenario, entity=entity, currency=USD, **options)
        )

    plan(SERVER, ENTERPRISE, Scenario.ACTIVE, "Central Library", ends_in_days=200, renewed=True)
    plan(
        CLOUD,
        PROFESSIONAL,
        Scenario.CLOUD_ACTIVE,
        "Children's Library",
        ends_in_days=90,
        card=("amex", "8431"),
        technical=p.emily,
    )
    east = plan(
        SERVER,
        EXPRESS,
        Scenario.MAINTENANCE_EXPIRED,
        "East Branch",
        ends_in_days=-30,
        renewed=False,
    )
    plan(CLOUD, ENTERPRISE, Scenario.EVALUATION_RUNNING, "West Branch", ends_in_days=5)
    for issued in b.issued:
        if issued.license.organization is r and issued.history is not None:
            orders.purchase_order(b, issued)
            orders.renewal_order(b, issued)
    b.renewal_quote(east, QuoteState.OPEN, days_ago=5, years=1, po_number="PO-884213")
    deleted = b.add_quote(
        organization=r,
        billing=bob,
        technical=bob,
        currency=USD,
        times=b.scripted_times(QuoteState.DELETED, 20),
        lines=[
            LineRequest(
                QuoteLineKind.NEW, SERVER, STARTER, LicenseType.COMMERCIAL, "Mobile Library Service"
            )
        ],
    )
    audit_deletion(b, deleted, bob)
