"""A subscriber's credential, held for the life of its WebSocket connection (R-LIVE-1).

A connection authenticates once, in ``connection_init``: a bearer token (the same tokens as
over HTTP), or for GraphiQL the staff session cookie of a same-origin handshake
(gateway/http/websocket.py decides which counts). Before each event is delivered the
credential is checked again, as a new HTTP request would check it: a token revoked or
expired, a customer session logged out or an account closed, a staff session ended — the
subscriber gets nothing more, and the connection is closed with 4403.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gateway.auth.authenticate import Unauthenticated, authenticate
from gateway.auth.principal import ANONYMOUS, Principal
from gateway.auth.staff_session import staff_session_principal

if TYPE_CHECKING:
    from gateway.services import AppServices

#: The close code of a connection whose credential is gone (graphql-transport-ws: Forbidden).
CREDENTIAL_GONE = 4403


@dataclass(slots=True, kw_only=True)
class LiveSession:
    services: AppServices
    authorization: str | None  # the ``Authorization`` of connection_init's payload
    staff_cookie: str | None  # the staff session cookie, only of a same-origin handshake
    close: Callable[[int, str], Awaitable[None]]  # closes the connection
    principal: Principal = ANONYMOUS
    closed: bool = False

    async def authenticate(self) -> Principal | None:
        """Who the credential names now; None when it is bad or gone (never raises for it)."""
        services = self.services
        now = services.clock()
        try:
            if self.authorization is not None:
                return await authenticate(
                    self.authorization,
                    engine=services.engine,
                    key=services.settings.signing_key(),
                    now=now,
                )
        except Unauthenticated:
            return None
        if self.staff_cookie is None:
            return None
        async with services.engine.connect() as conn:
            return await staff_session_principal(conn, self.staff_cookie, now=now)

    async def still_allowed(self) -> Principal | None:
        """The principal to deliver the next event to; None (and the connection closed with
        4403) when the credential is gone."""
        if self.closed:
            return None
        principal = await self.authenticate()
        if principal is None or principal.is_anonymous:
            self.closed = True
            await self.close(CREDENTIAL_GONE, "The credential was revoked or has expired")
            return None
        self.principal = principal
        return principal
