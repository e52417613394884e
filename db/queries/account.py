"""Account reads and writes shared by the mutations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, delete, func, insert, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from db.models import Account, License, Organization, PasswordResetToken, Quote, TaxId
from db.queries.batch import by_id_statement, grouped_statement, select_columns
from db.queries.decode import maybe
from db.queries.filters import quote_status_is
from db.rows import AccountRow
from gateway.domain.enums import AccountStatus, QuoteStatus, TaxIdKind


async def live_account_by_email(
    session: AsyncSession, email: str, *, for_update: bool = False
) -> AccountRow | None:
    """The account (active or invited) that owns this lower-case email."""
    stmt = select(*Account.__table__.c).where(
        Account.email == email, Account.status != AccountStatus.CLOSED
    )
    if for_update:
        stmt = stmt.with_for_update()
    return maybe(AccountRow._make, (await session.execute(stmt)).first())


async def account_for_contact(
    session: AsyncSession, email: str, *, now: dt.datetime, country: str
) -> tuple[int, bool]:
    """The account a contact email names; an unknown email gets an invited account.

    Returns ``(account id, created)``; the caller sends the invitation when created. Two
    transactions naming the same new email at once both get the one invited account: the
    insert skips an email the live-email index already holds (PostgreSQL waits for the
    other transaction to decide), and the look-up after it finds the winner's row.
    """
    found = await live_account_by_email(session, email)
    if found is not None:
        return found.id, False
    dialect = session.get_bind().dialect.name
    insert_into = postgresql_insert if dialect == "postgresql" else sqlite_insert
    created = await session.execute(
        insert_into(Account)
        .values(
            email=email,
            name=email.split("@", 1)[0],
            country=country,
            status=AccountStatus.INVITED,
            created_at=now,
        )
        .on_conflict_do_nothing(
            # The live-email index's own predicate, literally, so PostgreSQL infers the index.
            index_elements=[Account.email],
            index_where=text("status != 'CLOSED'"),
        )
        .returning(Account.id)
    )
    account_id = created.scalar_one_or_none()
    if account_id is not None:
        return int(account_id), True
    winner = await live_account_by_email(session, email)
    assert winner is not None  # the conflicting live row committed before the insert gave up
    return winner.id, False


async def active_account(
    session: AsyncSession, account_id: int, *, for_update: bool = False
) -> AccountRow | None:
    """The signed-in customer's own (active) account row, locked when asked."""
    stmt = select(*Account.__table__.c).where(
        Account.id == account_id, Account.status == AccountStatus.ACTIVE
    )
    if for_update:
        stmt = stmt.with_for_update()
    return maybe(AccountRow._make, (await session.execute(stmt)).first())


async def update_account(
    session: AsyncSession, *, account_id: int, values: dict[str, Any]
) -> AccountRow:
    stmt = (
        update(Account)
        .where(Account.id == account_id)
        .values(**values)
        .returning(*Account.__table__.c)
    )
    return AccountRow._make((await session.execute(stmt)).one())


async def accounts_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, AccountRow]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = await session.execute(select(*Account.__table__.c).where(Account.id.in_(wanted)))
    return {row.id: row for row in map(AccountRow._make, rows)}


async def tax_ids_of(session: AsyncSession, account_id: int) -> list[tuple[TaxIdKind, str]]:
    rows = await session.execute(
        select(TaxId.kind, TaxId.value).where(TaxId.account_id == account_id).order_by(TaxId.id)
    )
    return [(TaxIdKind(row.kind), row.value) for row in rows]


async def replace_tax_ids(
    session: AsyncSession, *, account_id: int, items: Sequence[tuple[TaxIdKind, str]]
) -> None:
    """R-ACC-5: the account's tax ids become exactly ``items``, in that order."""
    await session.execute(delete(TaxId).where(TaxId.account_id == account_id))
    if items:
        await session.execute(
            insert(TaxId),
            [dict(account_id=account_id, kind=kind, value=value) for kind, value in items],
        )


async def expire_password_resets(
    session: AsyncSession, *, account_id: int, now: dt.datetime
) -> None:
    """Unused reset links die with the password they would replace (or the account)."""
    await session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.account_id == account_id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    )


async def contact_roles_blocking_close(
    session: AsyncSession, *, account_id: int, today: dt.date
) -> tuple[list[str], list[str]]:
    """R-ACC-4: (SENs of every license, numbers of every open quote) naming the account as
    billing or technical contact."""
    sens = await session.execute(
        select(License.sen)
        .where(
            or_(
                License.billing_account_id == account_id, License.technical_account_id == account_id
            )
        )
        .order_by(License.sen)
    )
    numbers = await session.execute(
        select(Quote.number)
        .where(
            or_(Quote.billing_account_id == account_id, Quote.technical_account_id == account_id),
            quote_status_is(QuoteStatus.OPEN, today),
        )
        .order_by(Quote.number)
    )
    return list(sens.scalars()), list(numbers.scalars())


async def count_accounts(*, conn: AsyncConnection) -> int:
    """Every account, whatever its status (``demo-data --if-empty``)."""
    return int((await conn.execute(select(func.count()).select_from(Account))).scalar_one())


# --- Batched reads (gateway.loaders): statements built once per policy shape -----------------


def account_by_id_statement(*, visible: ColumnElement[bool]) -> Select[Any]:
    return by_id_statement(Account, visible)


def organization_by_id_statement(*, visible: ColumnElement[bool]) -> Select[Any]:
    return by_id_statement(Organization, visible)


# The tax ids of accounts the caller already holds (no policy: the account was checked).
TAX_IDS_OF_ACCOUNTS = grouped_statement(select_columns(TaxId), TaxId.account_id, [TaxId.id])
