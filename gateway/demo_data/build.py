"""The whole dataset in memory, deterministic for a seed and a day; no database involved."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from db.queries.numbers import FORMATS
from gateway.demo_data.builder import Builder
from gateway.demo_data.catalog import PriceBook
from gateway.demo_data.dataset import DemoAccount, DemoDataset, DemoOrganization
from gateway.demo_data.dates import office_hours
from gateway.demo_data.generate import add_customers
from gateway.demo_data.scripted import add_well_known
from gateway.domain.enums import AccountStatus

MIN_ACCOUNTS = 10  # the well-known five and a few generated customers


@dataclass(frozen=True, slots=True)
class Numbering:
    """The next value of each number sequence when the load starts (1 in an empty database).

    SENs start at 1000001 so that demo SENs look like real ones (``SEN-L1000001``)."""

    quote: int = 1
    order: int = 1
    invoice: int = 1
    sen: int = 1_000_001
    sales_request: int = 1


def build_dataset(
    *,
    accounts: int,
    seed: int,
    today: dt.date,
    numbering: Numbering | None = None,
    price_book: PriceBook | None = None,
) -> DemoDataset:
    """``accounts`` accounts (the well-known ones included) and about half as many
    organizations (at least 5), with their licenses, quotes and orders as of ``today``,
    priced with ``price_book`` (default: the demo catalog's)."""
    if accounts < MIN_ACCOUNTS:
        raise ValueError(f"the demo dataset needs at least {MIN_ACCOUNTS} accounts")
    builder = Builder(
        rng=random.Random(seed), today=today, price_book=price_book or PriceBook.default(today)
    )
    add_well_known(builder)
    data = builder.data
    add_customers(
        builder,
        accounts=accounts - len(data.accounts),
        organizations=max(5, accounts // 2) - len(data.organizations),
    )
    _number(data, numbering or Numbering())
    _derive_created_at(builder)
    return data


def _number(data: DemoDataset, numbering: Numbering) -> None:
    """Positions in the final order, and numbers that follow time: Q-000001 is the oldest."""
    for position, partner in enumerate(data.partners):
        partner.index = position
    for position, organization in enumerate(data.organizations):
        organization.index = position
    for position, account in enumerate(data.accounts):
        account.index = position
    data.licenses.sort(key=lambda license_: license_.created_at)  # stable: ties keep their order
    for position, license_ in enumerate(data.licenses):
        license_.index = position
        license_.sen = FORMATS["sen"].format(numbering.sen + position)
    data.quotes.sort(key=lambda quote: quote.created_at)
    for position, quote in enumerate(data.quotes):
        quote.index = position
        quote.number = FORMATS["quote"].format(numbering.quote + position)
    data.orders.sort(key=lambda order: order.paid_at)
    for position, order in enumerate(data.orders):
        order.index = position
        order.number = FORMATS["order"].format(numbering.order + position)
        order.invoice_number = FORMATS["invoice"].format(numbering.invoice + position)
    data.sales_requests.sort(key=lambda request: request.created_at)
    for position, request in enumerate(data.sales_requests):
        request.index = position
        request.number = FORMATS["sales_request"].format(numbering.sales_request + position)
    data.audit_events.sort(key=lambda event: event.at)


def _derive_created_at(builder: Builder) -> None:
    """Accounts and organizations exist a little before their first license or quote; an
    INVITED account was created when someone named it as a contact."""
    rng, data = builder.rng, builder.data
    first_seen: dict[DemoAccount | DemoOrganization, dt.datetime] = {}
    roles = [(i.created_at, (i.billing, i.technical, i.organization)) for i in data.licenses]
    roles += [(q.created_at, (q.billing, q.technical, q.organization)) for q in data.quotes]
    for at, parties in roles:
        for party in parties:
            seen = first_seen.get(party)
            if seen is None or at < seen:
                first_seen[party] = at
    span = (builder.today - builder.earliest).days
    everyone: list[DemoAccount | DemoOrganization] = [*data.accounts, *data.organizations]
    for party in everyone:
        seen = first_seen.get(party)
        if seen is None:
            created_at = office_hours(rng, builder.today - dt.timedelta(days=rng.randint(1, span)))
        elif isinstance(party, DemoAccount) and party.status is AccountStatus.INVITED:
            created_at = seen
        else:
            created_at = seen - dt.timedelta(days=rng.randint(0, 60), minutes=rng.randint(5, 600))
        party.created_at = created_at
