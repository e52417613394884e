"""``quoteChanged`` and ``licenseChanged``: the committed changes of the app's change broker,
each re-read under the subscriber's principal before it is delivered (R-LIVE-1).

For each event: the connection's credential is checked again (``LiveSession.still_allowed``:
one who lost access gets nothing more, and the socket is closed with 4403), then the object
is read through fresh loaders, filtered by the same policy predicates as queries (R-QUOTE-6,
R-SEC-2); an object the subscriber may not read is not sent. The payload's fields are then
resolved by the same types as a query's, so a license key shows only as R-SEC-3 allows.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import TypeVar

from graphql import GraphQLError

from gateway.context import Context
from gateway.domain.enums import ChangeEntity, ChangeKind
from gateway.live.broker import ListenerOverflow
from gateway.schema.info import Info
from gateway.schema.license import License
from gateway.schema.live import LicenseChange, QuoteChange
from gateway.schema.quote import Quote

R = TypeVar("R")


def _not_over_websocket() -> GraphQLError:
    return GraphQLError(
        "Subscriptions are served over WebSocket (graphql-transport-ws on /graphql).",
        extensions={"code": "SUBSCRIPTION_OVER_HTTP"},
    )


async def visible_changes(
    info: Info, entity: ChangeEntity, read: Callable[[Context, int], Awaitable[R | None]]
) -> AsyncGenerator[tuple[ChangeKind, R], None]:
    """The kind and the object of each committed change to ``entity`` the subscriber may
    read now, in commit order."""
    context = info.context
    live = context.live
    if live is None:
        raise _not_over_websocket()
    with context.services.changes.listen([entity]) as events:
        try:
            async for event in events:
                principal = await live.still_allowed()
                if principal is None:
                    return
                await context.next_event(principal, context.services.clock())
                found = await read(context, event.entity_id)
                if found is not None:
                    yield event.kind, found
        except ListenerOverflow:
            raise GraphQLError(
                "This subscription fell too far behind and missed changes: subscribe again "
                "and re-read what you show.",
                extensions={"code": "SUBSCRIPTION_OVERFLOW"},
            ) from None


async def quote_changed(info: Info) -> AsyncGenerator[QuoteChange, None]:
    async def read(context: Context, pk: int) -> Quote | None:
        row = await context.loaders.quote.load(pk)
        return Quote.from_row(row) if row is not None else None

    async for kind, quote in visible_changes(info, ChangeEntity.QUOTE, read):
        yield QuoteChange(kind=kind, quote=quote)


async def license_changed(info: Info) -> AsyncGenerator[LicenseChange, None]:
    async def read(context: Context, pk: int) -> License | None:
        row = await context.loaders.license.load(pk)
        return License.from_row(row) if row is not None else None

    async for kind, license in visible_changes(info, ChangeEntity.LICENSE, read):
        yield LicenseChange(kind=kind, license=license)
