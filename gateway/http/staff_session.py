"""``/staff/session``: staff sign in to GraphiQL from the browser (prod's sign-in page,
``conex/staff.js``), see who is signed in, and sign out.

- ``POST`` ``{"token": "cnxs_…"}`` (``Content-Type: application/json``, which a cross-site
  form cannot send): a live staff token starts a session (``gateway.auth.staff_session``) and
  the answer sets its cookie — ``__Host-conex-staff``, ``HttpOnly``, ``Secure``,
  ``SameSite=Strict``, ``Path=/``, for ``CONEX_STAFF_SESSION_MINUTES`` at most — with
  ``{"staff": {"name", "expiresAt"}}``. Anything else is 401 ``UNAUTHENTICATED``. Every
  attempt first takes a slot of the log-in rate limiter (per client address, a success gives
  it back): over it, 429 ``RATE_LIMITED`` before the token is looked at. A session the
  browser already had ends.
- ``GET``, with ``X-Conex-Staff-Session: 1``: 200 with the same body while the session
  lives, else 200 ``{"staff": null}`` (and a dead session's cookie is cleared).
- ``DELETE``, with the header: ends the session and clears the cookie; 200
  ``{"signedOut": true|false}`` (false: there was no live session).

Refusals have the gateway's request-error shape ``{"errors": [{"message", "extensions":
{"code"}}]}``; no answer is cached.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
import uuid
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from db.sessions import DATABASE_UNAVAILABLE
from gateway.auth.principal import Principal
from gateway.auth.ratelimit import STAFF_SIGN_IN_PER_ADDRESS
from gateway.auth.staff_session import (
    COOKIE_NAME,
    end_staff_session,
    staff_session_state,
    start_staff_session,
)
from gateway.http.errors import RequestError
from gateway.http.principal import (
    CLEARED_COOKIE,
    STAFF_SESSION_HEADER,
    cookie_header,
    presents_staff_session,
    service_unavailable,
    staff_cookie,
)
from gateway.observability import metrics
from gateway.observability import record as request_record
from gateway.services import services_of

log = logging.getLogger(__name__)

PATH = "/staff/session"
MAX_BODY_BYTES = 4096
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
NO_STORE = {"Cache-Control": "no-store"}
WRONG_TOKEN = (
    "Not a live staff token: it is mistyped, unknown, expired or revoked, or not a staff "
    "token (cnxs_…)."
)
THROTTLED = "Too many sign-in attempts from this address. Wait a few minutes and try again."
HEADER_REQUIRED = f"Send the header `{STAFF_SESSION_HEADER}: 1` with the session cookie."


def _answer(body: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    response = Response(
        orjson.dumps(body), status_code=status, media_type="application/json", headers=NO_STORE
    )
    for name, value in (headers or {}).items():
        response.headers.append(name, value)
    return response


def _staff_body(principal: Principal, expires_at: dt.datetime) -> dict[str, Any]:
    return {"staff": {"name": principal.name, "expiresAt": expires_at.isoformat()}}


async def _token_of(request: Request) -> str:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise RequestError(
            415, "UNSUPPORTED_MEDIA_TYPE", 'POST {"token": "cnxs_…"} as application/json.'
        )
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise RequestError(
                413, "PAYLOAD_TOO_LARGE", f"The body is over {MAX_BODY_BYTES} bytes."
            )
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise RequestError(400, "BAD_REQUEST", "The body is not valid JSON.") from None
    token = data.get("token") if isinstance(data, dict) else None
    if not isinstance(token, str) or not token.strip():
        raise RequestError(400, "BAD_REQUEST", 'The body must be {"token": "cnxs_…"}.')
    return token.strip()


def _client_address(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


async def _sign_in(request: Request) -> Response:
    services = services_of(request)
    token = await _token_of(request)
    address = _client_address(request)
    limiter = services.rate_limiter
    if not await limiter.acquire(STAFF_SIGN_IN_PER_ADDRESS, address):
        log.info("staff sign-in throttled for a client at %s", address)
        metrics.log_in_throttled()
        retry = str(STAFF_SIGN_IN_PER_ADDRESS.window_seconds)  # at most: the window's length
        raise RequestError(429, "RATE_LIMITED", THROTTLED, {"Retry-After": retry})
    now = services.clock()
    async with services.engine.connect() as conn:
        await end_staff_session(conn, request.cookies.get(COOKIE_NAME), now=now)
        started = await start_staff_session(
            conn, token=token, now=now, minutes=services.settings.staff_session_minutes
        )
    if started is None:
        log.info("staff sign-in refused for a client at %s", address)
        raise RequestError(401, "UNAUTHENTICATED", WRONG_TOKEN)
    await limiter.release(STAFF_SIGN_IN_PER_ADDRESS, address)
    request_record.current().note_principal(started.principal)
    log.info("staff session started for API token %s", started.principal.token_id)
    max_age = max(1, math.floor((started.expires_at - now).total_seconds()))
    return _answer(
        _staff_body(started.principal, started.expires_at),
        headers={"Set-Cookie": cookie_header(started.secret, max_age=max_age)},
    )


async def _status(request: Request) -> Response:
    if not presents_staff_session(request):
        raise RequestError(400, "BAD_REQUEST", HEADER_REQUIRED)
    services = services_of(request)
    cookie = staff_cookie(request)
    if cookie is None:
        return _answer({"staff": None})
    async with services.engine.connect() as conn:
        state = await staff_session_state(conn, cookie, now=services.clock())
    if state is None:  # a dead session's cookie: cleared
        return _answer({"staff": None}, headers={"Set-Cookie": CLEARED_COOKIE})
    request_record.current().note_principal(state.principal)
    return _answer(_staff_body(state.principal, state.expires_at))


async def _sign_out(request: Request) -> Response:
    if not presents_staff_session(request):
        raise RequestError(400, "BAD_REQUEST", HEADER_REQUIRED)
    services = services_of(request)
    async with services.engine.connect() as conn:
        ended = await end_staff_session(
            conn, request.cookies.get(COOKIE_NAME), now=services.clock()
        )
    if ended:
        log.info("staff session ended by sign-out")
    return _answer({"signedOut": ended}, headers={"Set-Cookie": CLEARED_COOKIE})


HANDLERS = {"POST": _sign_in, "GET": _status, "HEAD": _status, "DELETE": _sign_out}


async def staff_session_endpoint(request: Request) -> Response:
    observed = request_record.current()
    incoming = request.headers.get("x-request-id", "")
    observed.request_id = incoming if REQUEST_ID.match(incoming) else uuid.uuid4().hex
    try:
        try:
            response = await HANDLERS[request.method](request)
        except DATABASE_UNAVAILABLE:
            log.warning("staff session: database unavailable", exc_info=True)
            raise service_unavailable() from None
    except RequestError as error:
        observed.note_error(error.code)
        body = {"errors": [{"message": error.message, "extensions": {"code": error.code}}]}
        response = _answer(body, status=error.status, headers=error.headers)
    response.headers["X-Request-Id"] = observed.request_id
    return response


def staff_session_route() -> Route:
    return Route(PATH, staff_session_endpoint, methods=list(HANDLERS))
