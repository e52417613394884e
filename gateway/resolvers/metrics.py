"""Staff metrics: revenue by currency over a period, open quotes by currency."""

from __future__ import annotations

import datetime as dt

from graphql import GraphQLError

from db.models import Order, Quote
from db.queries.filters import quote_status_is
from db.queries.metrics import day_range, sum_by_currency
from gateway.domain.enums import Currency, QuoteStatus
from gateway.schema.audit import OpenQuotesFigure, RevenueFigure
from gateway.schema.info import Info


async def revenue(info: Info, start: dt.date, end: dt.date) -> list[RevenueFigure]:
    if end < start:
        raise GraphQLError("`to` is before `from`.", extensions={"code": "BAD_USER_INPUT"})
    try:
        since, until = day_range(start, end)
    except OverflowError:
        raise GraphQLError(
            "`to` is past the last day we can count.", extensions={"code": "BAD_USER_INPUT"}
        ) from None
    async with info.context.engine.connect() as conn:
        sums = await sum_by_currency(
            conn,
            currency=Order.currency,
            amount=Order.total,
            where=[Order.paid_at >= since, Order.paid_at < until],
        )
    return [
        RevenueFigure(currency=Currency(c), amount=amount, order_count=n)
        for c, (amount, n) in sorted(sums.items())
    ]


async def open_quotes(info: Info) -> list[OpenQuotesFigure]:
    async with info.context.engine.connect() as conn:
        sums = await sum_by_currency(
            conn,
            currency=Quote.currency,
            amount=Quote.total,
            where=[quote_status_is(QuoteStatus.OPEN, info.context.today)],
        )
    return [
        OpenQuotesFigure(currency=Currency(c), count=n, total=amount)
        for c, (amount, n) in sorted(sums.items())
    ]
