"""Licenses with a believable history, planned backwards from the status they show today."""

from __future__ import annotations

import base64
import datetime as dt
import random
from dataclasses import dataclass
from enum import StrEnum

from gateway.demo_data.dataset import DemoAccount, DemoLicense, DemoOrganization
from gateway.demo_data.dates import months_between, office_hours
from gateway.demo_data.quotes import LineRequest, QuoteFactory
from gateway.demo_data.vocabulary import CARD_BRANDS
from gateway.domain.dates import add_months
from gateway.domain.enums import Currency, Deployment, LicenseType, QuoteLineKind, Tier
from gateway.domain.license import EVALUATION_DAYS, EVALUATION_TIER, evaluation_ends_on
from gateway.domain.maintenance import MAINTENANCE_BLOCK_MONTHS

_YEAR = MAINTENANCE_BLOCK_MONTHS


class Scenario(StrEnum):
    """What a license shows today (see gateway.domain.license.license_status)."""

    EVALUATION_RUNNING = "EVALUATION_RUNNING"
    EVALUATION_EXPIRED = "EVALUATION_EXPIRED"
    ACTIVE = "ACTIVE"
    ACTIVE_EXPIRING = "ACTIVE_EXPIRING"  # maintenance ends within 60 days
    UPGRADED = "UPGRADED"  # active; the current 12 months began with an upgrade (R-MAINT-3)
    MAINTENANCE_EXPIRED = "MAINTENANCE_EXPIRED"  # server, perpetual (R-MAINT-7)
    CLOUD_ACTIVE = "CLOUD_ACTIVE"
    CLOUD_LAPSED = "CLOUD_LAPSED"

    @property
    def evaluation(self) -> bool:
        return self in (Scenario.EVALUATION_RUNNING, Scenario.EVALUATION_EXPIRED)

    @property
    def cloud(self) -> bool:
        return self in (Scenario.CLOUD_ACTIVE, Scenario.CLOUD_LAPSED)


@dataclass(slots=True)
class LicensePlan:
    """What to issue; a None leaves the choice to the random generator."""

    organization: DemoOrganization
    deployment: Deployment
    tier: Tier
    scenario: Scenario
    billing: DemoAccount
    technical: DemoAccount
    entity: str
    currency: Currency
    ends_in_days: int | None = None  # maintenance (or evaluation) end, relative to today
    years: int | None = None  # length of the current maintenance period
    renewed: bool | None = None  # the current period was bought as a renewal (R-MAINT-4)
    purchased_days_ago: int | None = None  # a fresh license, still in its first weeks
    upgraded_from: Tier | None = None  # UPGRADED: the tier first bought
    card: tuple[str, str] | None = None
    past_due: bool = False
    bought_with: IssuedLicense | None = None  # bought on the same quote as another license


@dataclass(frozen=True, slots=True)
class History:
    """How a paid license got to today. Periods are half-open (end = first day without)."""

    purchased_on: dt.date  # R-MAINT-2: the first 12 months start here
    starts_on: dt.date  # the current period
    ends_on: dt.date
    years: int
    renewed: bool
    upgraded_from: Tier | None


@dataclass(eq=False, slots=True)
class IssuedLicense:
    license: DemoLicense
    history: History | None  # None for evaluations
    quoted_at: dt.datetime | None  # when the purchase was quoted (prices of that day)
    bundle: list[IssuedLicense]  # the licenses bought on the same quote, this one first

    @property
    def deployment(self) -> Deployment:
        return self.license.deployment


def _random_years(rng: random.Random, plan: LicensePlan) -> int:
    if plan.years is not None:
        return plan.years
    if plan.scenario.cloud or plan.scenario is Scenario.UPGRADED:
        return 1  # R-MAINT-5: Cloud renews 12 months at a time; R-MAINT-3: upgrades bring 12
    return rng.choices((1, 2, 3), weights=(70, 20, 10))[0]


def _random_end_offset(rng: random.Random, scenario: Scenario, years: int) -> int:
    if scenario is Scenario.ACTIVE_EXPIRING:
        return rng.randint(1, 60)
    if scenario in (Scenario.ACTIVE, Scenario.UPGRADED, Scenario.CLOUD_ACTIVE):
        return rng.randint(1, 365 * years - 2)
    if scenario is Scenario.MAINTENANCE_EXPIRED:
        return -rng.randint(1, 800)
    return -rng.randint(1, 600)  # CLOUD_LAPSED


def paid_history(
    rng: random.Random, plan: LicensePlan, *, today: dt.date, earliest: dt.date
) -> History:
    """A purchase date and a current maintenance period that give the plan's status today."""
    if plan.bought_with is not None and plan.bought_with.history is not None:
        return plan.bought_with.history
    if plan.purchased_days_ago is not None:
        purchased = today - dt.timedelta(days=plan.purchased_days_ago)
        return History(purchased, purchased, add_months(purchased, _YEAR), 1, False, None)
    for _ in range(100):
        years = _random_years(rng, plan)
        offset = plan.ends_in_days
        if offset is None:
            offset = _random_end_offset(rng, plan.scenario, years)
        starts = add_months(today + dt.timedelta(days=offset), -_YEAR * years)
        ends = add_months(starts, _YEAR * years)
        # Month-end clamping may move the end by a day: keep it on the planned side of today,
        # and every purchase strictly before today (its instant must be in the past).
        if (offset > 0) != (ends > today) or starts >= today or starts < earliest:
            continue
        prior_years = months_between(earliest, starts) // _YEAR
        if plan.scenario is Scenario.UPGRADED:
            purchased = starts - dt.timedelta(days=rng.randint(31, 500))
            if purchased < earliest:
                continue
            return History(purchased, starts, ends, 1, False, plan.upgraded_from)
        renewed = plan.renewed
        if renewed is None:
            renewed = years > 1 or (prior_years >= 1 and rng.random() < 0.55)
        if renewed and prior_years >= 1:
            purchased = add_months(starts, -_YEAR * rng.randint(1, prior_years))
            return History(purchased, starts, ends, years, True, None)
        if not renewed and years == 1:  # a new license includes 12 months (R-MAINT-2)
            return History(starts, starts, ends, 1, False, None)
    raise ValueError(f"no history fits the plan {plan.scenario} ends_in_days={plan.ends_in_days}")


def _license_key(rng: random.Random) -> str:
    """A long, random-looking signed blob, as the product's admin console expects."""
    return "AAAB" + base64.b64encode(rng.randbytes(93)).decode()


def issue_evaluation(
    rng: random.Random, plan: LicensePlan, *, today: dt.date, earliest: dt.date
) -> IssuedLicense:
    """R-EVAL-1/2: 10 days at the Enterprise tier, no key, nothing paid."""
    if plan.ends_in_days is not None:
        started = today + dt.timedelta(days=plan.ends_in_days - EVALUATION_DAYS)
    elif plan.scenario is Scenario.EVALUATION_RUNNING:
        started = today - dt.timedelta(days=rng.randint(1, EVALUATION_DAYS - 1))
    else:
        started = today - dt.timedelta(
            days=rng.randint(EVALUATION_DAYS + 1, (today - earliest).days)
        )
    evaluation = DemoLicense(
        organization=plan.organization,
        deployment=plan.deployment,
        tier=EVALUATION_TIER,
        license_type=LicenseType.EVALUATION,
        deployment_entity=plan.entity,
        billing=plan.billing,
        technical=plan.technical,
        created_at=office_hours(rng, started),
        evaluation_ends_on=evaluation_ends_on(started),
    )
    return IssuedLicense(evaluation, None, None, [])


def issue_paid(
    rng: random.Random,
    plan: LicensePlan,
    *,
    factory: QuoteFactory,
    today: dt.date,
    earliest: dt.date,
) -> IssuedLicense:
    history = paid_history(rng, plan, today=today, earliest=earliest)
    organization = plan.organization
    first_tier = history.upgraded_from or plan.tier
    license_type = LicenseType.ACADEMIC if organization.academic else LicenseType.COMMERCIAL
    if plan.bought_with is not None and plan.bought_with.quoted_at is not None:
        quoted_at = plan.bought_with.quoted_at
        created_at = plan.bought_with.license.created_at
    else:
        quoted_on = max(history.purchased_on - dt.timedelta(days=rng.randint(0, 20)), earliest)
        quoted_at = office_hours(rng, quoted_on)
        created_at = max(office_hours(rng, history.purchased_on), quoted_at + dt.timedelta(hours=1))
    # What was paid: the new-license line of the purchase quote (R-UPG-3 credits it).
    purchase = factory.line(
        LineRequest(QuoteLineKind.NEW, plan.deployment, first_tier, license_type, plan.entity),
        factory.terms(organization, plan.currency, quoted_at),
        day=quoted_at.date(),
    )
    paid = DemoLicense(
        organization=organization,
        deployment=plan.deployment,
        tier=plan.tier,
        license_type=license_type,
        deployment_entity=plan.entity,
        billing=plan.billing,
        technical=plan.technical,
        created_at=created_at,
        license_key=_license_key(rng),
        purchased_on=history.purchased_on,
        purchase_amount=purchase.priced.total,
        purchase_currency=plan.currency,
        maintenance_starts_on=history.starts_on,
        maintenance_ends_on=history.ends_on,
    )
    if plan.deployment is Deployment.CLOUD:  # R-ACC-6: processor token, brand, last 4 only
        brand, last4 = plan.card or rng.choice(CARD_BRANDS)
        paid.card_brand, paid.card_last4, paid.card_token = brand, last4, f"tok_{brand}_{last4}"
        paid.past_due = plan.past_due
    issued = IssuedLicense(paid, history, quoted_at, [])
    root = plan.bought_with or issued
    root.bundle.append(issued)
    return issued


def issue(
    rng: random.Random,
    plan: LicensePlan,
    *,
    factory: QuoteFactory,
    today: dt.date,
    earliest: dt.date,
) -> IssuedLicense:
    if plan.scenario.evaluation:
        return issue_evaluation(rng, plan, today=today, earliest=earliest)
    return issue_paid(rng, plan, factory=factory, today=today, earliest=earliest)
