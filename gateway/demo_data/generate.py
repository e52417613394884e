"""The random bulk of the dataset: organizations, their people, licenses, quotes and orders."""

from __future__ import annotations

import datetime as dt
import random

from gateway.demo_data import orders, people
from gateway.demo_data.builder import Builder, QuoteState
from gateway.demo_data.dataset import DemoAccount, DemoOrganization
from gateway.demo_data.licenses import IssuedLicense, LicensePlan, Scenario
from gateway.demo_data.quotes import LineRequest
from gateway.demo_data.vocabulary import ACADEMIC_ENTITIES, COUNTRY_BY_CODE, OTHER_ENTITIES
from gateway.domain.enums import (
    TIER_ORDER,
    Currency,
    Deployment,
    LicenseStatus,
    LicenseType,
    QuoteLineKind,
    Tier,
)
from gateway.domain.license import EVALUATION_TIER, license_status, tiers_for
from gateway.domain.upgrade import upgrade_targets

_SCENARIO_WEIGHTS = {
    Scenario.EVALUATION_RUNNING: 5,
    Scenario.EVALUATION_EXPIRED: 7,
    Scenario.ACTIVE: 28,
    Scenario.ACTIVE_EXPIRING: 10,
    Scenario.UPGRADED: 4,
    Scenario.MAINTENANCE_EXPIRED: 20,
    Scenario.CLOUD_ACTIVE: 18,
    Scenario.CLOUD_LAPSED: 8,
}
_TIER_WEIGHTS = (25, 30, 30, 15)  # Starter, Express, Professional, Enterprise
_LICENSES_PER_ACCOUNT = ((0, 1, 2, 3, 4, 5), (15, 25, 30, 18, 8, 4))  # about 2 on average
_EXPIRING_DAYS = 60  # the ExpiringMaintenance dashboard's horizon


def add_customers(b: Builder, *, accounts: int, organizations: int) -> None:
    """``organizations`` licensees sharing ``accounts`` people (each has at least one)."""
    rng = b.rng
    used_names = {organization.name for organization in b.data.organizations}
    orgs = [
        b.add_organization(
            people.organization(
                rng,
                country=people.pick_country(rng),
                partners=b.data.partners,
                used_names=used_names,
            )
        )
        for _ in range(organizations)
    ]
    members: list[list[DemoAccount]] = [[] for _ in orgs]
    for i in range(accounts):
        position = i if i < len(orgs) else rng.randrange(len(orgs))
        country = COUNTRY_BY_CODE[orgs[position].country]
        if rng.random() < 0.1:  # a consultant or a head office abroad
            country = people.pick_country(rng)
        account = people.account(rng, number=len(b.data.accounts) + 1, country=country)
        members[position].append(b.add_account(account))
    for organization, staff in zip(orgs, members, strict=True):
        if staff:
            _customer(b, organization, staff)


class _Entities:
    """R-LIC-1: one license per deployment; an organization's licenses name different ones."""

    def __init__(self, rng: random.Random, *, academic: bool) -> None:
        self.names = list(ACADEMIC_ENTITIES if academic else OTHER_ENTITIES)
        rng.shuffle(self.names)
        self.count = 0

    def next(self) -> str:
        name = self.names[self.count % len(self.names)]
        round_ = self.count // len(self.names)
        self.count += 1
        return name if round_ == 0 else f"{name} {round_ + 1}"


def _customer(b: Builder, organization: DemoOrganization, staff: list[DemoAccount]) -> None:
    rng = b.rng
    currency = b.preferred_currency(organization.country)
    entities = _Entities(rng, academic=organization.academic)
    issued: list[IssuedLicense] = []
    for owner in staff:
        counts, weights = _LICENSES_PER_ACCOUNT
        for _ in range(rng.choices(counts, weights)[0]):
            others = [person for person in staff if person is not owner]
            technical = rng.choice(others) if others and rng.random() < 0.6 else owner
            plan = _plan(b, organization, owner, technical, currency, entities.next(), issued)
            issued.append(b.add_license(plan))
    for license_ in issued:
        _history_orders(b, license_)
    for license_ in issued:
        _license_quotes(b, license_)
    _co_term_quote(b, issued)
    if rng.random() < 0.25:
        _new_quote(b, organization, staff, currency, entities)


def _plan(
    b: Builder,
    organization: DemoOrganization,
    billing: DemoAccount,
    technical: DemoAccount,
    currency: Currency,
    entity: str,
    earlier: list[IssuedLicense],
) -> LicensePlan:
    rng = b.rng
    scenario = rng.choices(list(_SCENARIO_WEIGHTS), list(_SCENARIO_WEIGHTS.values()))[0]
    bundle_root = next(
        (
            issued
            for issued in reversed(earlier)
            if issued.bundle
            and issued.deployment is not Deployment.CLOUD
            and issued.history is not None
            and issued.history.upgraded_from is None
            and issued.license.billing is billing
        ),
        None,
    )
    server_scenario = scenario in (Scenario.ACTIVE, Scenario.MAINTENANCE_EXPIRED)
    if bundle_root is not None and server_scenario and rng.random() < 0.25:
        # Bought on the same quote as an earlier license: same day, contacts and currency.
        root = bundle_root.license
        return LicensePlan(
            organization,
            Deployment.SERVER,
            rng.choices(TIER_ORDER, _TIER_WEIGHTS)[0],
            scenario,
            root.billing,
            root.technical,
            entity,
            root.purchase_currency or currency,
            bought_with=bundle_root,
        )
    if scenario.evaluation:
        deployment = Deployment.SERVER if rng.random() < 0.65 else Deployment.CLOUD
    elif scenario.cloud:
        deployment = Deployment.CLOUD
    elif scenario is not Scenario.UPGRADED and rng.random() < 0.12:
        deployment = Deployment.DATA_CENTER
    else:
        deployment = Deployment.SERVER
    upgraded_from = None
    if scenario.evaluation:
        tier = EVALUATION_TIER  # R-EVAL-2
    elif scenario is Scenario.UPGRADED:
        upgraded_from = rng.choice(TIER_ORDER[:-1])
        tier = rng.choice(upgrade_targets(deployment, upgraded_from))  # R-UPG-1
    else:
        tiers = tiers_for(deployment)
        tier = rng.choices(tiers, _TIER_WEIGHTS[-len(tiers) :])[0]
    return LicensePlan(
        organization,
        deployment,
        tier,
        scenario,
        billing,
        technical,
        entity,
        currency,
        upgraded_from=upgraded_from,
        past_due=scenario is Scenario.CLOUD_ACTIVE and rng.random() < 0.12,
    )


def _history_orders(b: Builder, issued: IssuedLicense) -> None:
    """Most purchases went through My Conex; older ones may predate it."""
    if issued.history is None:
        return
    if issued.bundle and b.rng.random() < 0.65:
        orders.purchase_order(b, issued)
    if b.rng.random() < 0.7:
        orders.renewal_order(b, issued)
    orders.upgrade_order(b, issued)


def _status(b: Builder, issued: IssuedLicense) -> LicenseStatus:
    paid = issued.license
    return license_status(
        license_type=paid.license_type,
        deployment=paid.deployment,
        evaluation_ends_on=paid.evaluation_ends_on,
        maintenance_ends_on=paid.maintenance_ends_on,
        today=b.today,
    )


def _license_quotes(b: Builder, issued: IssuedLicense) -> None:
    """Renewal quotes where they are due, an upgrade now and then, a purchase after a trial."""
    rng, paid = b.rng, issued.license
    if issued.history is None:
        if rng.random() < 0.3:  # R-EVAL-4: the evaluation is bought without reinstalling
            line = LineRequest(
                QuoteLineKind.NEW,
                paid.deployment,
                rng.choice(tiers_for(paid.deployment)),
                _license_type(paid.organization),
                paid.deployment_entity,
            )
            _unpaid_new_quote(
                b,
                paid.organization,
                billing=paid.billing,
                technical=paid.technical,
                currency=b.preferred_currency(paid.organization.country),
                lines=[line],
                not_before=paid.created_at.date(),
            )
        return
    status = _status(b, issued)
    assert paid.maintenance_ends_on is not None
    expiring = status is LicenseStatus.ACTIVE and (
        (paid.maintenance_ends_on - b.today).days <= _EXPIRING_DAYS
    )
    chance = 0.5 if expiring else 0.06 if status is LicenseStatus.ACTIVE else 0.15
    if rng.random() < chance:
        state = QuoteState.OPEN if expiring and rng.random() < 0.8 else b.random_state()
        po_number = None
        if rng.random() < 0.3:
            po_number = b.po_number(paid.organization.country, b.today.year)
        b.renewal_quote(issued, state, version=b.random_version(), po_number=po_number)
    upgradable = paid.deployment is Deployment.SERVER and paid.tier is not Tier.ENTERPRISE
    if status is LicenseStatus.ACTIVE and upgradable and rng.random() < 0.08:
        to_tier = rng.choice(upgrade_targets(paid.deployment, paid.tier))
        b.upgrade_quote(issued, to_tier, b.random_state(), version=b.random_version())


def _co_term_quote(b: Builder, issued: list[IssuedLicense]) -> None:
    """R-MAINT-6: renew one server license in step with others; sales reviews the request."""
    active = [
        i
        for i in issued
        if i.history is not None
        and i.deployment is not Deployment.CLOUD
        and _status(b, i) is LicenseStatus.ACTIVE
    ]
    if len(active) < 2 or b.rng.random() >= 0.2:
        return
    active.sort(key=lambda i: i.license.maintenance_ends_on or b.today)
    first, others = active[0], active[1 : 1 + b.rng.randint(1, 2)]
    b.renewal_quote(first, QuoteState.OPEN, sync_with=[i.license for i in others])


def _license_type(organization: DemoOrganization) -> LicenseType:
    return LicenseType.ACADEMIC if organization.academic else LicenseType.COMMERCIAL


def _new_quote(
    b: Builder,
    organization: DemoOrganization,
    staff: list[DemoAccount],
    currency: Currency,
    entities: _Entities,
) -> None:
    rng = b.rng
    lines = []
    for _ in range(rng.choice((1, 1, 2))):
        deployment = rng.choices(list(Deployment), (60, 10, 30))[0]
        tiers = tiers_for(deployment)
        tier = rng.choices(tiers, _TIER_WEIGHTS[-len(tiers) :])[0]
        quantity = 2 if deployment is Deployment.SERVER and rng.random() < 0.15 else 1
        license_type = _license_type(organization)
        lines.append(
            LineRequest(
                QuoteLineKind.NEW, deployment, tier, license_type, entities.next(), quantity
            )
        )
    _unpaid_new_quote(
        b,
        organization,
        billing=rng.choice(staff),
        technical=rng.choice(staff),
        currency=currency,
        lines=lines,
        not_before=b.earliest,
    )


def _unpaid_new_quote(
    b: Builder,
    organization: DemoOrganization,
    *,
    billing: DemoAccount,
    technical: DemoAccount,
    currency: Currency,
    lines: list[LineRequest],
    not_before: dt.date,
) -> None:
    version = b.random_version()
    times = b.times(b.random_state(), not_before=not_before, version=version)
    if times is None:
        return
    po_number = None
    if b.rng.random() < 0.3:
        po_number = b.po_number(organization.country, times.created_at.year)
    b.add_quote(
        organization=organization,
        billing=billing,
        technical=technical,
        currency=currency,
        times=times,
        lines=lines,
        version=version,
        po_number=po_number,
    )
