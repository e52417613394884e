"""License and organization reads and writes used by the mutations."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import License, NumberSequence, Organization, order_licenses
from db.queries import catalog
from db.queries.batch import (
    by_id_statement,
    by_key_statement,
    children_by_contact,
    children_of,
    grouped_statement,
    select_columns,
)
from db.queries.catalog import CatalogProduct
from db.queries.decode import maybe
from db.queries.numbers import FORMATS, next_number
from db.rows import LicenseRow, OrganizationRow
from gateway.domain.enums import Currency, Deployment, PriceKind, Tier


async def visible_license(
    session: AsyncSession,
    license_id: int,
    visible: ColumnElement[bool],
    *,
    for_update: bool = False,
) -> LicenseRow | None:
    """The license if ``visible`` (a policy predicate) lets the caller act on it."""
    stmt = select(*License.__table__.c).where(License.id == license_id, visible)
    if for_update:
        stmt = stmt.with_for_update()
    return maybe(LicenseRow._make, (await session.execute(stmt)).first())


async def license_for_update(*, session: AsyncSession, license_id: int) -> LicenseRow | None:
    """The license, locked, with no policy predicate: for an action whose caller was checked
    already (staff moving a license to another organization)."""
    stmt = select(*License.__table__.c).where(License.id == license_id).with_for_update()
    return maybe(LicenseRow._make, (await session.execute(stmt)).first())


async def licenses_for_update(session: AsyncSession, ids: Iterable[int]) -> dict[int, LicenseRow]:
    """Several licenses, locked in id order (a fixed order: no deadlock between payments)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    stmt = (
        select(*License.__table__.c)
        .where(License.id.in_(wanted))
        .order_by(License.id)
        .with_for_update()
    )
    rows = map(LicenseRow._make, await session.execute(stmt))
    return {row.id: row for row in rows}


async def update_license(
    session: AsyncSession, *, license_id: int, values: dict[str, Any]
) -> LicenseRow:
    stmt = (
        update(License)
        .where(License.id == license_id)
        .values(**values)
        .returning(*License.__table__.c)
    )
    return LicenseRow._make((await session.execute(stmt)).one())


async def insert_license(session: AsyncSession, values: dict[str, Any]) -> LicenseRow:
    stmt = insert(License).values(**values).returning(*License.__table__.c)
    return LicenseRow._make((await session.execute(stmt)).one())


async def insert_licenses(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Many licenses in one batched INSERT; their ids in the order of ``rows``."""
    if not rows:
        return []
    result = await session.execute(
        insert(License).returning(License.id, sort_by_parameter_order=True), list(rows)
    )
    return [int(value) for value in result.scalars()]


async def reserve_numbers(session: AsyncSession, kind: str, count: int) -> list[str]:
    """``count`` consecutive numbers of a sequence in two statements (a 1000-license line
    must not take 1000 round trips); gap-free like ``next_number``."""
    if count <= 0:
        return []
    first = await next_number(session, kind)
    if count == 1:
        return [first]
    last = (
        await session.execute(
            update(NumberSequence)
            .where(NumberSequence.kind == kind)
            .values(next_value=NumberSequence.next_value + (count - 1))
            .returning(NumberSequence.next_value)
        )
    ).scalar_one()
    start = last - count  # the value ``first`` was formatted from
    return [FORMATS[kind].format(value) for value in range(start, last)]


async def organization(session: AsyncSession, organization_id: int) -> OrganizationRow | None:
    stmt = select(*Organization.__table__.c).where(Organization.id == organization_id)
    return maybe(OrganizationRow._make, (await session.execute(stmt)).first())


async def insert_organization(session: AsyncSession, values: dict[str, Any]) -> OrganizationRow:
    stmt = insert(Organization).values(**values).returning(*Organization.__table__.c)
    return OrganizationRow._make((await session.execute(stmt)).one())


# --- Catalog reads of the license mutations (through db.queries.catalog) ---------------------


async def product(session: AsyncSession, product_id: int) -> CatalogProduct | None:
    return await catalog.product(conn=session, product_id=product_id)


async def deployments_by_product(
    session: AsyncSession, product_ids: Iterable[int]
) -> dict[int, Deployment]:
    return await catalog.deployments_by_product(conn=session, product_ids=product_ids)


async def list_price(
    session: AsyncSession,
    *,
    product_id: int,
    tier: Tier,
    currency: Currency,
    kind: PriceKind,
) -> Decimal | None:
    """The price book's price in ``currency`` (DZD derived from EUR, R-CUR-3); None when the
    price book has no such price."""
    return await catalog.list_price(
        conn=session, product_id=product_id, tier=tier, currency=currency, kind=kind
    )


# --- Batched reads (gateway.loaders): statements built once per policy shape -----------------


def license_by_id_statement(*, visible: ColumnElement[bool]) -> Select[Any]:
    return by_id_statement(License, visible)


def license_by_sen_statement(*, visible: ColumnElement[bool]) -> Select[Any]:
    return by_key_statement(select_columns(License).where(visible), License.sen)


def licenses_of_orders_statement(*, visible: ColumnElement[bool]) -> Select[Any]:
    query = (
        select_columns(License)
        .join(order_licenses, order_licenses.c.license_id == License.id)
        .where(visible)
    )
    return grouped_statement(query, order_licenses.c.order_id, [License.id])


LICENSES_OF_ACCOUNTS = children_by_contact(License, LicenseRow._make)
LICENSES_OF_ORGANIZATIONS = children_of(License, License.organization_id, LicenseRow._make)
