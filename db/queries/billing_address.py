"""Billing addresses of Cloud subscriptions (R-ACC-8): the history of changes, the address now
(a loader's statement) and the one an invoice prints (the newest as of its payment)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from db.models import BillingAddress, License, order_licenses
from db.queries import catalog
from db.rows import BillingAddressRow
from gateway.domain.enums import Deployment, LicenseType


@dataclass(frozen=True, slots=True)
class BilledLicense:
    """The license whose address changes, as the action checks and mails it."""

    id: int
    sen: str
    product_id: int
    license_type: LicenseType
    billing_account_id: int
    technical_account_id: int


_COLUMNS = list(BillingAddress.__table__.c)


async def billed_license(
    session: AsyncSession, license_id: int, writable: ColumnElement[bool]
) -> BilledLicense | None:
    """The license, locked, if ``writable`` (the policy) lets the caller change its address."""
    columns = [License.__table__.c[f.name] for f in dataclasses.fields(BilledLicense)]
    stmt = select(*columns).where(License.id == license_id, writable).with_for_update()
    row = (await session.execute(stmt)).first()
    if row is None:
        return None
    return BilledLicense(
        **{f.name: getattr(row, f.name) for f in dataclasses.fields(BilledLicense)}
    )


async def deployment_of(session: AsyncSession, product_id: int) -> Deployment:
    found = await catalog.deployments_by_product(conn=session, product_ids=[product_id])
    return found[product_id]


async def current_address(session: AsyncSession, license_id: int) -> BillingAddressRow | None:
    stmt = (
        select(*_COLUMNS)
        .where(BillingAddress.license_id == license_id)
        .order_by(BillingAddress.id.desc())
        .limit(1)
    )
    row = (await session.execute(stmt)).first()
    return BillingAddressRow._make(row) if row is not None else None


async def insert_address(session: AsyncSession, values: dict[str, Any]) -> BillingAddressRow:
    stmt = insert(BillingAddress).values(**values).returning(*_COLUMNS)
    return BillingAddressRow._make((await session.execute(stmt)).one())


def _newest(where: list[ColumnElement[bool]]) -> Select[Any]:
    """The newest address of each license among those ``where`` selects."""
    newest = (
        select(func.max(BillingAddress.id))
        .where(*where)
        .group_by(BillingAddress.license_id)
        .scalar_subquery()
    )
    return select(*_COLUMNS).where(BillingAddress.id.in_(newest))


# ``License.billingAddress`` (the loader): the address now of the licenses ``ids``.
CURRENT_ADDRESS_OF_LICENSES = _newest(
    [BillingAddress.license_id.in_(bindparam("ids", expanding=True))]
)


async def addresses_in_force(
    conn: AsyncConnection, *, license_ids: Iterable[int], at: dt.datetime
) -> dict[int, BillingAddressRow]:
    """The address each license had at ``at``: what an invoice paid then prints."""
    wanted = sorted(set(license_ids))
    if not wanted:
        return {}
    stmt = _newest([BillingAddress.license_id.in_(wanted), BillingAddress.created_at <= at])
    return {row.license_id: BillingAddressRow._make(row) for row in await conn.execute(stmt)}


async def invoice_addresses(
    conn: AsyncConnection, *, order_id: int, paid_at: dt.datetime
) -> list[tuple[str, BillingAddressRow]]:
    """(SEN, address) of each license of the order that had a billing address when the order
    was paid, by SEN: what its invoice prints (R-ACC-8)."""
    of_order = select(order_licenses.c.license_id).where(order_licenses.c.order_id == order_id)
    newest = _newest(
        [BillingAddress.license_id.in_(of_order), BillingAddress.created_at <= paid_at]
    ).subquery()
    stmt = (
        select(License.sen, newest)
        .join(newest, newest.c.license_id == License.id)
        .order_by(License.sen)
    )
    return [(row[0], BillingAddressRow._make(row[1:])) for row in await conn.execute(stmt)]
