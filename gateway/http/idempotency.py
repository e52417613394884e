"""``Idempotency-Key``: a mutation sent with a key runs once; a retry gets its stored response.

Modelled on Stripe's idempotent requests (and the IETF draft
``draft-ietf-httpapi-idempotency-key-header``):

- The key is 1 to 200 printable ASCII characters (a V4 UUID is the advice), one header only;
  otherwise 400 ``IDEMPOTENCY_KEY_INVALID``. It applies to POSTed mutations of a signed-in
  caller and is scoped to that caller: a customer's account, a partner's or staff member's
  token (a token with fewer scopes must not read what another token's request returned).
- It is ignored on queries (they change nothing: a retry is harmless) and on anonymous
  requests (no identity to scope it to: an address is shared behind NAT and changes with
  the very network drop that prompts a retry; the anonymous mutations — signUp, logIn,
  tokenRefresh, password resets — are safe to repeat or refuse a repeat themselves).
  A batch carrying the header is refused (one key, one operation).
- First request: the key is claimed (inserted, in progress) in its own short transaction,
  committed before the mutation runs; then the response (status, headers, body) is stored.
- Same key and same request (SHA-256 of the query, operationName and variables): the stored
  response is replayed, byte for byte with its status, plus ``Idempotent-Replayed: true``.
  Nothing executes. A different request under a live key: 422 ``IDEMPOTENCY_KEY_REUSED``.
  While the first is still running: 409 ``IDEMPOTENCY_KEY_IN_PROGRESS`` (retry shortly).
- What is stored: every response of a mutation that executed — its payload, userErrors
  included — and any response of a request that committed a write, even a 5xx (re-running
  it would write twice). A request that wrote nothing and never reached its resolvers
  (parse, validation, authorisation, rate-limit errors) or failed with a server error is
  released: the key is free and a retry runs.
- Credentials are kept only as hashes; a response that issued one (logIn, tokenRefresh,
  partnerTokenCreate, and it wrote) is not stored, only that it ran: a retry gets 409
  ``IDEMPOTENCY_RESPONSE_WITHHELD`` and the operation is not repeated.
- Keys live 24 hours from their claim, on the app's clock; an expired key is free again
  (its row is taken over) and ``conex-gateway purge-idempotency-keys`` deletes expired rows.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from graphql import GraphQLError, get_operation_ast, parse
from graphql.language import OperationType
from starlette.requests import Request

from db.queries import idempotency as queries
from db.sessions import DATABASE_UNAVAILABLE, CommitWatch, Engine, SessionFactory
from gateway.auth.principal import Principal
from gateway.http.errors import RequestError
from gateway.security.persisted import sha256
from gateway.security.selection import fields, fragments_of
from gateway.services import services_of

log = logging.getLogger("gateway.http.idempotency")

HEADER = "idempotency-key"
REPLAYED = "Idempotent-Replayed"
KEY = re.compile(r"[\x20-\x7e]{1,200}")
LIFETIME = dt.timedelta(hours=24)
# Root fields whose payload holds a secret kept elsewhere only as a hash (R-SEC-3).
CREDENTIAL_FIELDS = frozenset({"logIn", "tokenRefresh", "partnerTokenCreate"})
# Errors of the server, not of the request: a retry may succeed (when nothing was written).
SERVER_ERROR_CODES = frozenset({"INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE", "TIMEOUT"})
# Meaningless in a replay: the stored outcome will not change by waiting.
NOT_REPLAYED_HEADERS = frozenset({"retry-after"})

Outcome = tuple[int, dict[str, str], dict[str, Any]]
Run = Callable[[SessionFactory], Awaitable[Outcome]]


def check_batch(request: Request) -> None:
    if HEADER in request.headers:
        raise RequestError(
            400, "BAD_REQUEST", "An Idempotency-Key guards one operation: send it without a batch."
        )


def principal_key(principal: Principal) -> str | None:
    """Whose namespace a key lives in; None for an anonymous caller (the key is ignored)."""
    if principal.is_customer and principal.account_id is not None:
        return f"account:{principal.account_id}"
    if principal.token_id is not None and (principal.is_partner or principal.is_staff):
        return f"{principal.kind.value.lower()}-token:{principal.token_id}"
    return None


def request_hash(query: str, operation_name: str | None, variables: dict[str, Any] | None) -> str:
    """SHA-256 of the request's canonical form: the same operation and variables, however
    sent (full text or persisted hash, any key order or spacing), hash alike."""
    canonical = orjson.dumps(
        {"query": sha256(query), "operationName": operation_name, "variables": variables or {}},
        option=orjson.OPT_SORT_KEYS,
    )
    return hashlib.sha256(canonical).hexdigest()


# (query hash, operationName) → mutation_fields: keyed by hash, so that a flood of large
# distinct documents cannot make the cache hold their text.
_FIELDS: OrderedDict[tuple[str, str | None], frozenset[str] | None] = OrderedDict()
FIELDS_CACHED = 1024


def mutation_fields(query: str, operation_name: str | None) -> frozenset[str] | None:
    """The root fields of the operation if it is a mutation; None for anything else (a
    query, or a document the executor will refuse on its own)."""
    key = (sha256(query), operation_name)
    if key in _FIELDS:
        _FIELDS.move_to_end(key)
        return _FIELDS[key]
    found = _mutation_fields(query, operation_name)
    _FIELDS[key] = found
    while len(_FIELDS) > FIELDS_CACHED:
        _FIELDS.popitem(last=False)
    return found


def _mutation_fields(query: str, operation_name: str | None) -> frozenset[str] | None:
    try:
        document = parse(query, no_location=True)
    except GraphQLError:
        return None
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation is not OperationType.MUTATION:
        return None
    # The schema's names, whatever the aliases.
    return frozenset(
        s.field.name.value for s in fields(operation.selection_set, fragments_of(document))
    )


async def guarded(
    request: Request,
    principal: Principal,
    *,
    query: str,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    run: Run,
) -> Outcome:
    """Run the request through its ``Idempotency-Key`` (if any applies): execute it once,
    or replay what it answered, or refuse."""
    services = services_of(request)
    keys = request.headers.getlist(HEADER)
    owner = principal_key(principal)
    fields = mutation_fields(query, operation_name) if keys else None
    if not keys or request.method != "POST" or owner is None or fields is None:
        return await run(services.session_factory)
    if len(keys) != 1 or not KEY.fullmatch(keys[0]):
        raise RequestError(
            400,
            "IDEMPOTENCY_KEY_INVALID",
            "Idempotency-Key must be one header of 1 to 200 printable ASCII characters.",
        )
    engine = services.engine
    digest = request_hash(query, operation_name, variables)
    found = await _claim(engine, owner=owner, key=keys[0], digest=digest, now=services.clock())
    if isinstance(found, queries.Existing):
        return _replay(found, digest)
    watch = CommitWatch(services.session_factory)
    try:
        status, headers, body = await run(watch.sessions)
    except BaseException as error:
        # Settle the key even when the request was cancelled (client gone, timeout).
        await asyncio.shield(_settle_failure(engine, found.id, error, wrote=watch.wrote))
        raise
    if watch.wrote or _executed(status, body):
        stored: dict[str, Any] = {"status": status}
        if fields & CREDENTIAL_FIELDS and watch.wrote:  # a refusal issued no credential
            stored["withheld"] = True
        else:
            stored["headers"] = {
                k: v for k, v in headers.items() if k.lower() not in NOT_REPLAYED_HEADERS
            }
            stored["body"] = body
        await _store(engine, found.id, stored)
    else:
        await _release(engine, found.id)
    return status, headers, body


def _executed(status: int, body: dict[str, Any]) -> bool:
    """The resolvers ran and answered (a payload, userErrors included), without a server
    error; parse, validation, authorisation and rate-limit errors leave ``data`` null."""
    if body.get("data") is None or status >= 500:
        return False
    errors = body.get("errors") or []
    return not any(
        isinstance(e, dict) and (e.get("extensions") or {}).get("code") in SERVER_ERROR_CODES
        for e in errors
    )


async def _claim(
    engine: Engine, *, owner: str, key: str, digest: str, now: dt.datetime
) -> queries.Claimed | queries.Existing:
    try:
        async with engine.begin() as conn:
            found = await queries.claim(
                conn,
                principal_key=owner,
                key=key,
                request_hash=digest,
                now=now,
                lifetime=LIFETIME,
            )
    except DATABASE_UNAVAILABLE:
        log.warning("idempotency key: database unavailable", exc_info=True)
        raise RequestError(
            503, "SERVICE_UNAVAILABLE", "Busy; retry shortly.", {"Retry-After": "1"}
        ) from None
    if found is None:  # claimed and released under us, again and again: someone is at it
        raise _in_progress()
    return found


def _replay(found: queries.Existing, digest: str) -> Outcome:
    if found.request_hash != digest:
        raise RequestError(
            422,
            "IDEMPOTENCY_KEY_REUSED",
            "This Idempotency-Key was used for a different request; use a new key.",
        )
    stored = found.response
    if stored is None:
        raise _in_progress()
    if stored.get("withheld"):
        raise RequestError(
            409,
            "IDEMPOTENCY_RESPONSE_WITHHELD",
            "This request already ran; its response held a credential, which is shown only "
            "once and was not kept. Use a new Idempotency-Key to run it again.",
        )
    headers = {**stored.get("headers", {}), REPLAYED: "true"}
    return int(stored["status"]), headers, stored["body"]


def _in_progress() -> RequestError:
    return RequestError(
        409,
        "IDEMPOTENCY_KEY_IN_PROGRESS",
        "A request with this Idempotency-Key is still running; retry shortly.",
        {"Retry-After": "1"},
    )


async def _settle_failure(
    engine: Engine, claim_id: int, error: BaseException, *, wrote: bool
) -> None:
    """No response to store: release the key if nothing was written, else record the failure
    as the outcome (running the request again could write twice)."""
    if not wrote:
        await _release(engine, claim_id)
        return
    status = getattr(error, "status", None)
    code = getattr(error, "code", None)
    message = getattr(error, "message", None)
    if not (isinstance(status, int) and isinstance(code, str) and isinstance(message, str)):
        status, code = 500, "INTERNAL_SERVER_ERROR"
        message = "The request changed data, then failed before answering."
    body = {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}
    await _store(engine, claim_id, {"status": status, "headers": {}, "body": body})


async def _store(engine: Engine, claim_id: int, response: dict[str, Any]) -> None:
    try:
        async with engine.begin() as conn:
            await queries.store(conn, claim_id=claim_id, response=response)
    except DATABASE_UNAVAILABLE:
        # The key stays "in progress" until it expires: safer than running twice.
        log.warning("idempotency key %s: response not stored", claim_id, exc_info=True)


async def _release(engine: Engine, claim_id: int) -> None:
    try:
        async with engine.begin() as conn:
            await queries.release(conn, claim_id=claim_id)
    except DATABASE_UNAVAILABLE:
        log.warning("idempotency key %s: not released", claim_id, exc_info=True)


async def purge_expired(engine: Engine, *, now: dt.datetime) -> int:
    async with engine.begin() as conn:
        return await queries.purge_expired(conn, now=now)
