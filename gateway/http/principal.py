"""Who sends an HTTP request: the ``Authorization`` bearer token, else the staff session
cookie — which counts only on a request that also carries ``X-Conex-Staff-Session: 1``.

A cross-site form, link or image cannot send a custom header, and cross-site JavaScript
could only with a CORS preflight, which the gateway never grants for it (the header is not
in ``gateway.http.cors``'s list, and credentials are never allowed). So a request that
carries the cookie but not the header is anonymous: nobody else's page can borrow a staff
session. The cookie is also ``SameSite=Strict`` (``gateway.http.staff_session``).

A request with the header and a cookie whose session is over (expired, signed out, its token
revoked or expired) is refused with 401 ``STAFF_SESSION_ENDED``, and the answer clears the
cookie, so GraphiQL can say so instead of silently running as anonymous.
"""

from __future__ import annotations

import logging
from http.cookies import SimpleCookie

from starlette.requests import Request

from db.sessions import DATABASE_UNAVAILABLE
from gateway.auth.authenticate import Unauthenticated, authenticate
from gateway.auth.principal import Principal
from gateway.auth.staff_session import COOKIE_NAME, staff_session_principal
from gateway.http.errors import RequestError
from gateway.services import services_of

log = logging.getLogger(__name__)

STAFF_SESSION_HEADER = "X-Conex-Staff-Session"


def presents_staff_session(request: Request) -> bool:
    """The header that lets the cookie count."""
    return request.headers.get(STAFF_SESSION_HEADER) == "1"


def staff_cookie(request: Request) -> str | None:
    return request.cookies.get(COOKIE_NAME) if presents_staff_session(request) else None


def cookie_header(value: str, *, max_age: int) -> str:
    """The ``Set-Cookie`` value of the session cookie (``max_age`` 0 and no value: cleared)."""
    cookie: SimpleCookie = SimpleCookie()
    cookie[COOKIE_NAME] = value
    morsel = cookie[COOKIE_NAME]
    morsel["path"] = "/"
    morsel["max-age"] = max_age
    morsel["secure"] = True
    morsel["httponly"] = True
    morsel["samesite"] = "Strict"
    return morsel.OutputString()


CLEARED_COOKIE = cookie_header("", max_age=0)


def session_ended() -> RequestError:
    return RequestError(
        401,
        "STAFF_SESSION_ENDED",
        "The staff session has ended (expired, signed out, or its token was revoked): "
        "sign in again.",
        {"Set-Cookie": CLEARED_COOKIE},
    )


def service_unavailable() -> RequestError:
    return RequestError(503, "SERVICE_UNAVAILABLE", "Busy; retry shortly.", {"Retry-After": "1"})


async def request_principal(request: Request) -> Principal:
    """The request's principal; a bad credential is a ``RequestError`` (401, or 503 when the
    database does not answer)."""
    services = services_of(request)
    now = services.clock()
    try:
        principal = await authenticate(
            request.headers.get("authorization"),
            engine=services.engine,
            key=services.settings.signing_key(),
            now=now,
        )
        cookie = staff_cookie(request)
        if not principal.is_anonymous or cookie is None:
            return principal
        async with services.engine.connect() as conn:
            staff = await staff_session_principal(conn, cookie, now=now)
    except Unauthenticated as exc:
        raise RequestError(401, "UNAUTHENTICATED", str(exc)) from None
    except DATABASE_UNAVAILABLE:
        log.warning("authentication: database unavailable", exc_info=True)
        raise service_unavailable() from None
    if staff is None:
        raise session_ended()
    return staff
