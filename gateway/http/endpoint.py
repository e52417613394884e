"""``/graphql`` over HTTP: transport rules, authentication, persisted queries, execution,
and one place that turns every error into a typed, masked response.

- POST bodies must be JSON (``application/json``): a browser form cannot send that without a
  CORS preflight, so no cross-site request can forge a mutation (CSRF). Mutations run only
  over POST; GET serves queries and, to a browser, GraphiQL.
- Bodies over ``max_body_bytes`` are refused before they are read; documents over
  ``max_tokens`` before they are parsed; batches only when ``max_batch_operations`` > 0.
- A POSTed mutation with an ``Idempotency-Key`` runs once; retries get the stored response
  (``gateway.http.idempotency``).
- Every response carries ``X-Request-Id``; an unexpected error is logged with it and, in
  prod, answered as INTERNAL_SERVER_ERROR with that id and nothing else.
- Who calls: the bearer token, else the staff session cookie with its header
  (``gateway.http.principal``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import uuid
from typing import Any

import orjson
from graphql import GraphQLError, GraphQLSyntaxError
from graphql.language import Lexer, Source, TokenKind
from starlette.requests import Request
from starlette.responses import Response
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from db.sessions import PoolTimeout, SessionFactory
from gateway.auth.principal import Principal
from gateway.context import Context, ResponseMeta
from gateway.http import idempotency
from gateway.http.errors import RequestError
from gateway.http.graphiql import graphiql_response
from gateway.http.principal import request_principal
from gateway.observability import record as request_record
from gateway.security.persisted import sha256
from gateway.services import services_of
from gateway.settings import Settings

log = logging.getLogger("gateway.http.endpoint")

REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
ESCAPED_NUL = re.compile(r"\\u(0000|\{0+\})")
SUGGESTION = re.compile(r"\s*Did you mean .*\?$")
JSON = "application/json"


def _json_response(
    body: Any, *, status: int = 200, request_id: str, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        orjson.dumps(body),
        status_code=status,
        media_type=JSON,
        headers={"X-Request-Id": request_id, **(headers or {})},
    )


def _error_body(code: str, message: str, **extensions: Any) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise RequestError(413, "PAYLOAD_TOO_LARGE", f"The body is over {limit} bytes.")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise RequestError(413, "PAYLOAD_TOO_LARGE", f"The body is over {limit} bytes.")
    return bytes(body)


def _json_param(value: str | None, name: str) -> Any:
    if value is None:
        return None
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:
        raise RequestError(400, "BAD_REQUEST", f"`{name}` is not valid JSON.") from None


async def _request_data(request: Request, settings: Settings) -> Any:
    if request.method == "GET":
        params = request.query_params
        return {
            "query": params.get("query"),
            "operationName": params.get("operationName"),
            "variables": _json_param(params.get("variables"), "variables"),
            "extensions": _json_param(params.get("extensions"), "extensions"),
        }
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != JSON:
        raise RequestError(
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            "POST a JSON body with Content-Type: application/json.",
        )
    body = await _read_body(request, settings.max_body_bytes)
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        raise RequestError(400, "BAD_REQUEST", "The body is not valid JSON.") from None


def check_tokens(query: str, limit: int) -> None:
    """Count lexer tokens up to the limit: an oversized document is refused unparsed."""
    lexer = Lexer(Source(query))
    count = 0
    try:
        while lexer.advance().kind is not TokenKind.EOF:
            count += 1
            if count > limit:
                raise RequestError(
                    400,
                    "MAX_TOKENS_EXCEEDED",
                    f"The document has more than {limit} tokens.",
                )
    except GraphQLSyntaxError:
        return  # the parser reports it, with its location


class GraphQLEndpoint:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.known_small: set[str] = set()  # queries already under the token limit

    async def handle(self, request: Request) -> Response:
        incoming = request.headers.get("x-request-id", "")
        request_id = incoming if REQUEST_ID.match(incoming) else uuid.uuid4().hex
        observed = request_record.current()
        observed.request_id = request_id
        try:
            principal = await self._principal(request)
            observed.note_principal(principal)
            if request.method == "GET" and self._wants_ide(request):
                return self._ide(request, principal, request_id)
            data = await _request_data(request, self.settings)
            if isinstance(data, list):
                return await self._batch(request, principal, data, request_id)
            if not isinstance(data, dict):
                raise RequestError(400, "BAD_REQUEST", "The body must be a JSON object.")
            status, headers, body = await self._single(request, principal, data, request_id)
        except RequestError as error:
            observed.note_error(error.code)
            headers = {**error.headers}
            if error.status == 401:
                headers["WWW-Authenticate"] = 'Bearer realm="conex"'
            return _json_response(
                {"data": None, **_error_body(error.code, error.message)},
                status=error.status,
                request_id=request_id,
                headers=headers,
            )
        return _json_response(body, status=status, request_id=request_id, headers=headers)

    async def _principal(self, request: Request) -> Principal:
        """The bearer token, else the staff session cookie (``gateway.http.principal``)."""
        return await request_principal(request)

    def _wants_ide(self, request: Request) -> bool:
        accept = request.headers.get("accept", "")
        return "text/html" in accept and "query" not in request.query_params

    def _ide(self, request: Request, principal: Principal, request_id: str) -> Response:
        # Prod: a page load cannot carry the staff session's header, so everyone but a bearer
        # of a staff token gets the sign-in page; GraphiQL loads only once signed in.
        sign_in = self.settings.env == "prod" and not principal.is_staff
        return graphiql_response(sign_in=sign_in, headers={"X-Request-Id": request_id})

    async def _batch(
        self, request: Request, principal: Principal, items: list[Any], request_id: str
    ) -> Response:
        limit = self.settings.max_batch_operations
        if limit == 0:
            raise RequestError(400, "BATCHING_DISABLED", "Send one operation per request.")
        if len(items) > limit or not items:
            raise RequestError(400, "MAX_BATCH_EXCEEDED", f"A batch holds 1 to {limit} operations.")
        idempotency.check_batch(request)
        bodies = []
        for item in items:
            if not isinstance(item, dict):
                raise RequestError(400, "BAD_REQUEST", "Each operation must be a JSON object.")
            _, _, body = await self._single(request, principal, item, request_id)
            bodies.append(body)
        return _json_response(bodies, request_id=request_id)

    async def _query_text(
        self, request: Request, principal: Principal, data: dict[str, Any]
    ) -> str:
        query = data.get("query")
        extensions = data.get("extensions") or {}
        if not isinstance(extensions, dict):
            raise RequestError(400, "BAD_REQUEST", "`extensions` must be an object.")
        persisted = extensions.get("persistedQuery")
        store = services_of(request).query_store
        if isinstance(persisted, dict):
            digest = persisted.get("sha256Hash")
            if not isinstance(digest, str) or not re.fullmatch(r"[0-9a-f]{64}", digest):
                raise RequestError(400, "BAD_REQUEST", "`sha256Hash` must be 64 hex digits.")
            if query is None:
                found = await store.get(digest)
                if found is None:
                    raise RequestError(200, "PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound")
                query = found
            elif not isinstance(query, str) or sha256(query) != digest:
                raise RequestError(
                    400, "PERSISTED_QUERY_HASH_MISMATCH", "The hash does not match the query."
                )
            else:
                await store.put(digest, query)
        if not isinstance(query, str) or not query.strip():
            raise RequestError(400, "BAD_REQUEST", "No GraphQL query found in the request.")
        restricted = self.settings.safelist_enforced and self._safelisted_client(request, principal)
        if restricted and sha256(query) not in store.safelist:
            raise RequestError(
                403,
                "OPERATION_NOT_SAFELISTED",
                "This client may run only the published operations, by hash.",
            )
        return query

    @staticmethod
    def _safelisted_client(request: Request, principal: Principal) -> bool:
        return principal.is_partner or request.headers.get("x-conex-client", "") == "mobile"

    async def _single(
        self, request: Request, principal: Principal, data: dict[str, Any], request_id: str
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        query = await self._query_text(request, principal, data)
        if query not in self.known_small:
            check_tokens(query, self.settings.max_tokens)
            if len(self.known_small) < 10_000:
                self.known_small.add(query)
        variables = data.get("variables")
        operation_name = data.get("operationName")
        request_record.current().note_operation(operation_name, query)
        if "\x00" in query or ESCAPED_NUL.search(query) or (variables and _has_nul(variables)):
            # No text column takes a NUL (PostgreSQL refuses it): a typed refusal, not a 500.
            raise RequestError(400, "BAD_REQUEST", "Strings may not contain NUL characters.")
        if variables is not None and not isinstance(variables, dict):
            raise RequestError(400, "BAD_REQUEST", "`variables` must be an object.")
        if operation_name is not None and not isinstance(operation_name, str):
            raise RequestError(400, "BAD_REQUEST", "`operationName` must be a string.")
        return await idempotency.guarded(
            request,
            principal,
            query=query,
            operation_name=operation_name,
            variables=variables,
            run=lambda sessions: self._execute(
                request, principal, query, variables, operation_name, request_id, sessions
            ),
        )

    async def _execute(
        self,
        request: Request,
        principal: Principal,
        query: str,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        request_id: str,
        session_factory: SessionFactory,
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        services = services_of(request)
        context = Context(
            request=request,
            principal=principal,
            services=services,
            session_factory=session_factory,
            now=services.clock(),
            request_id=request_id,
            response=ResponseMeta(),
        )
        allowed = (
            {OperationType.QUERY}
            if request.method == "GET"
            else {OperationType.QUERY, OperationType.MUTATION}
        )
        try:
            result = await asyncio.wait_for(
                services.schema.execute(
                    query,
                    variable_values=variables,
                    context_value=context,
                    operation_name=operation_name,
                    allowed_operation_types=allowed,
                ),
                timeout=self.settings.request_timeout,
            )
        except CannotGetOperationTypeError:
            raise RequestError(
                400, "BAD_REQUEST", "`operationName` names no operation of the document."
            ) from None
        except InvalidOperationTypeError as error:
            if error.operation_type is OperationType.SUBSCRIPTION:
                # Subscriptions are served over WebSocket (gateway/http/websocket.py).
                raise RequestError(
                    400,
                    "SUBSCRIPTION_OVER_HTTP",
                    "Subscriptions are served over WebSocket (graphql-transport-ws on "
                    "/graphql), not over HTTP.",
                ) from None
            raise RequestError(
                405, "METHOD_NOT_ALLOWED", "Mutations are sent with POST.", {"Allow": "POST"}
            ) from None
        except TimeoutError:
            log.warning("request %s timed out after %ss", request_id, self.settings.request_timeout)
            raise RequestError(
                504, "TIMEOUT", "The request took too long and was stopped."
            ) from None
        finally:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(context.drain_loaders(), self.settings.request_timeout)
        body = self._format(result, context)
        return context.response.status_code, context.response.headers, body

    def _format(self, result: ExecutionResult, context: Context) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if result.errors:
            body["errors"] = [self._format_error(error, context) for error in result.errors]
        if result.data is not None or not result.errors or "data" in body:
            body["data"] = result.data
        elif any(e.path for e in result.errors):
            body["data"] = None
        extensions: dict[str, Any] = {}
        if context.cost is not None:
            extensions["cost"] = context.cost.as_extension()
            request_record.current().cost = context.cost.requested
        if extensions:
            body["extensions"] = extensions
        return body

    def _format_error(self, error: GraphQLError, context: Context) -> dict[str, Any]:
        formatted: dict[str, Any] = dict(error.formatted)
        extensions = dict(formatted.get("extensions") or {})
        original = error.original_error
        prod = self.settings.env == "prod"
        if original is not None and not isinstance(original, GraphQLError):
            if isinstance(original, PoolTimeout) or _is_statement_timeout(original):
                context.response.status_code = 503
                context.response.headers["Retry-After"] = "1"
                extensions["code"] = "SERVICE_UNAVAILABLE"
                formatted["message"] = "The service is busy; retry shortly."
            else:
                log.error("request %s: unexpected error", context.request_id, exc_info=original)
                extensions["code"] = "INTERNAL_SERVER_ERROR"
                extensions["requestId"] = context.request_id
                if prod:
                    formatted["message"] = "Internal server error."
        elif "code" not in extensions:
            if isinstance(error, GraphQLSyntaxError) or error.message.startswith("Syntax Error"):
                extensions["code"] = "GRAPHQL_PARSE_FAILED"
            elif error.path is None:
                extensions["code"] = "GRAPHQL_VALIDATION_FAILED"
            else:
                extensions["code"] = "INTERNAL_SERVER_ERROR"
        if prod:
            formatted["message"] = SUGGESTION.sub("", formatted["message"])
        formatted["extensions"] = extensions
        request_record.current().note_error(extensions.get("code"))
        return formatted


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _is_statement_timeout(error: BaseException) -> bool:
    # asyncpg's QueryCanceledError (SQLSTATE 57014), wrapped by SQLAlchemy's DBAPIError
    # (db.sessions.DatabaseError).
    original = getattr(error, "orig", None)
    return getattr(original, "sqlstate", None) == "57014" or "57014" in str(original or "")
