"""Evaluations a quote line converts (R-EVAL-5): reading them for the checks, and marking one
converted when the quote is paid."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Account, License, Quote, QuoteLine
from db.queries import catalog
from db.rows import EvaluationRow
from gateway.domain.enums import AccountStatus, Deployment, LicenseType

# The columns of ``EvaluationRow``, in its order (tests/db/test_rows.py).
EVALUATION = select(*(License.__table__.c[name] for name in EvaluationRow._fields))


async def licenses_to_convert(
    session: AsyncSession, ids: Iterable[int], visible: ColumnElement[bool]
) -> dict[int, EvaluationRow]:
    """The licenses of ``ids`` that ``visible`` (a policy predicate) lets the caller name."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    stmt = EVALUATION.where(License.id.in_(wanted), visible)
    return {row.id: EvaluationRow._make(row) for row in await session.execute(stmt)}


async def evaluation_for_update(session: AsyncSession, license_id: int) -> EvaluationRow | None:
    """The license, locked: a concurrent payment converting it waits, then sees it converted."""
    stmt = EVALUATION.where(License.id == license_id).with_for_update()
    row = (await session.execute(stmt)).first()
    return EvaluationRow._make(row) if row is not None else None


async def deployments(session: AsyncSession, product_ids: Iterable[int]) -> dict[int, Deployment]:
    return await catalog.deployments_by_product(conn=session, product_ids=product_ids)


async def mark_converted(
    session: AsyncSession, *, evaluation_id: int, paid_license_id: int, now: dt.datetime
) -> bool:
    """R-EVAL-5: the evaluation ends as converted and its key is withdrawn (R-SEC-3: a key
    that no longer licenses anything is not kept). Guarded: True only for the one call that
    converted it."""
    stmt = (
        update(License)
        .where(
            License.id == evaluation_id,
            License.license_type == LicenseType.EVALUATION,
            License.converted_to_id.is_(None),
        )
        .values(converted_to_id=paid_license_id, converted_at=now, license_key=None)
        .returning(License.id)
    )
    return (await session.execute(stmt)).first() is not None


async def contact_emails(session: AsyncSession, account_ids: Iterable[int]) -> list[str]:
    """The emails of these accounts, each once, in the order asked (closed ones left out)."""
    wanted = list(dict.fromkeys(account_ids))
    stmt = select(Account.id, Account.email).where(
        Account.id.in_(wanted), Account.status != AccountStatus.CLOSED
    )
    found = {row.id: row.email for row in await session.execute(stmt)}
    return [found[i] for i in wanted if i in found]


async def converting_lines(session: AsyncSession, quote_id: int) -> list[tuple[int, int, str, int]]:
    """The quote's lines that convert an evaluation: (evaluation id, product id, deployment
    entity, the quote's organization id), by evaluation id (the order their rows are locked
    in)."""
    stmt = (
        select(
            QuoteLine.converts_evaluation_id,
            QuoteLine.product_id,
            QuoteLine.deployment_entity,
            Quote.organization_id,
        )
        .join(Quote, Quote.id == QuoteLine.quote_id)
        .where(QuoteLine.quote_id == quote_id, QuoteLine.converts_evaluation_id.is_not(None))
        .order_by(QuoteLine.converts_evaluation_id)
    )
    found = await session.execute(stmt)
    return [(int(e or 0), int(p), str(d), int(o)) for e, p, d, o in found]
