"""Account reads and writes shared by the mutations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Account
from gateway.domain.enums import AccountStatus


async def live_account_by_email(
    session: AsyncSession, email: str, *, for_update: bool = False
) -> Row[Any] | None:
    """The account (active or invited) that owns this lower-case email."""
    stmt = select(*Account.__table__.c).where(
        Account.email == email, Account.status != AccountStatus.CLOSED
    )
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).first()


async def account_for_contact(
    session: AsyncSession, email: str, *, now: dt.datetime, country: str
) -> tuple[int, bool]:
    """The account a contact email names; an unknown email gets an invited account.

    Returns ``(account id, created)``; the caller queues the invitation mail when created.
    """
    found = await live_account_by_email(session, email)
    if found is not None:
        return found.id, False
    created = await session.execute(
        insert(Account)
        .values(
            email=email,
            name=email.split("@", 1)[0],
            country=country,
            status=AccountStatus.INVITED,
            created_at=now,
        )
        .returning(Account.id)
    )
    return int(created.scalar_one()), True
