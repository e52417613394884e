"""The per-request context: who is calling, the clock, the app's services and the loaders."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from starlette.requests import HTTPConnection

from db.sessions import Engine, SessionFactory
from gateway.auth.principal import Principal
from gateway.settings import Settings

if TYPE_CHECKING:
    from gateway.live.session import LiveSession
    from gateway.loaders import Loaders
    from gateway.security.cost import CostReport
    from gateway.security.throttle import Throttle
    from gateway.services import AppServices


@dataclass
class ResponseMeta:
    """What resolvers may say about the HTTP response: its status and extra headers."""

    status_code: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Context:
    request: HTTPConnection  # the HTTP request, or the WebSocket of a subscription
    principal: Principal
    services: AppServices  # the app's (gateway/services.py), the same for every request
    # The request's sessions: the app's factory, or the idempotency guard's watched one.
    session_factory: SessionFactory
    # One clock per request: every "today" in one response agrees (times in UTC).
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    request_id: str = ""
    response: ResponseMeta = field(default_factory=ResponseMeta)
    cost: CostReport | None = None
    # A subscription's connection (gateway/http/websocket.py): its credential, checked again
    # before each event is delivered; None over HTTP.
    live: LiveSession | None = None
    connection_params: dict[str, object] | None = None  # connection_init's payload
    _loaders: Loaders | None = None
    _retired: list[Loaders] = field(default_factory=list)

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def engine(self) -> Engine:
        return self.services.engine

    @property
    def throttle(self) -> Throttle:
        return self.services.throttle

    @property
    def today(self) -> dt.date:
        return self.now.date()

    @property
    def throttle_key(self) -> str:
        """Whose bucket a request takes from: the principal, or the address of anonymous."""
        p = self.principal
        if p.account_id is not None:
            return f"account:{p.account_id}"
        if p.token_id is not None:
            return f"token:{p.token_id}"
        client = self.request.client
        return f"address:{client.host if client else 'unknown'}"

    def renew_loaders(self) -> None:
        """After a write: later reads in this request must not see cached rows."""
        if self._loaders is not None:
            self._retired.append(self._loaders)
        self._loaders = None

    async def drain_loaders(self) -> None:
        for loaders in [*self._retired, self._loaders]:
            if loaders is not None:
                await loaders.drain()

    async def next_event(self, principal: Principal, now: dt.datetime) -> None:
        """A subscription's next event is read as a request of its own: the principal as it
        is now, a fresh clock, fresh loaders (nothing cached from the last event)."""
        await self.drain_loaders()
        self.principal = principal
        self.now = now
        self._loaders = None
        self._retired.clear()

    @property
    def loaders(self) -> Loaders:
        if self._loaders is None:
            from gateway.loaders import Loaders

            self._loaders = Loaders(
                engine=self.engine,
                principal=self.principal,
                today=self.today,
                catalog_cache=self.services.catalog_cache,
            )
        return self._loaders
