"""The Subscription root (issue #15, R-LIVE-1): served over WebSocket on /graphql
(gateway/http/websocket.py)."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from gateway.resolvers import live
from gateway.schema.info import Info
from gateway.schema.live import LicenseChange, QuoteChange


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Changes to the quotes you may read, as they are committed (R-LIVE-1)."
    )
    async def quote_changed(self, info: Info) -> AsyncGenerator[QuoteChange, None]:
        async for change in live.quote_changed(info):
            yield change

    @strawberry.subscription(
        description="Changes to the licenses you may read; a key only as R-SEC-3 allows."
    )
    async def license_changed(self, info: Info) -> AsyncGenerator[LicenseChange, None]:
        async for change in live.license_changed(info):
            yield change
