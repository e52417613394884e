"""The per-request context: who is calling, the clock, the database and the loaders."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import Response

from gateway.auth.principal import Principal
from gateway.settings import Settings

if TYPE_CHECKING:
    from gateway.loaders import Loaders


@dataclass
class Context:
    request: Request
    response: Response | None
    settings: Settings
    principal: Principal
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    # One clock per request: every "today" in one response agrees (times in UTC).
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    _loaders: Loaders | None = None

    @property
    def today(self) -> dt.date:
        return self.now.date()

    def renew_loaders(self) -> None:
        """After a write: later reads in this request must not see cached rows."""
        self._loaders = None

    @property
    def loaders(self) -> Loaders:
        if self._loaders is None:
            from gateway.loaders import Loaders

            self._loaders = Loaders(engine=self.engine, principal=self.principal, today=self.today)
        return self._loaders
