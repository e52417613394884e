"""``/graphql`` over WebSocket: subscriptions by the graphql-transport-ws protocol (issue #15).

Strawberry's own protocol handler (``BaseGraphQLTransportWSHandler``, through
``strawberry.asgi.GraphQL``) runs the protocol — message order, ``connection_init`` timeout
(4408), subscribe before ack (4401), duplicate ids (4409), a second init (4429), bad
messages (4400), ``complete`` — so we do not keep a second implementation of it. This module
adds, as its documented hooks and small overrides, what the gateway needs on top:

- **Authentication** in ``connection_init`` (``on_ws_connect``): ``Authorization: Bearer …``
  in the payload (key case-insensitive), the same tokens as over HTTP; or, for GraphiQL, the
  staff session cookie — only when the handshake's ``Origin`` is the gateway's own
  (``CONEX_PUBLIC_URL``), so no other site's page can ride a staff session (cross-site
  WebSocket hijacking). No credential or a bad one: closed with 4403. Handshakes from an
  origin that is neither the gateway's, the web UI's nor a CORS origin are refused (403).
- Before each event the credential is checked again (``gateway.live.session``): gone, the
  socket is closed with 4403 (R-LIVE-1).
- Each ``subscribe``: the persisted / safelisted documents as over HTTP (and required where
  HTTP requires them: partner tokens, the mobile app), the token limit, then the schema's
  operation guard (depth, aliases, root fields, cost) as for any request; only subscriptions
  (queries and mutations go over HTTP); at most ``CONEX_WS_MAX_SUBSCRIPTIONS`` per connection
  and ``CONEX_WS_MAX_SUBSCRIPTIONS_PER_PRINCIPAL`` per principal in this worker.
- Messages over ``CONEX_WS_MAX_MESSAGE_BYTES``: closed with 1009 (RFC 6455, message too big).
- A server ``ping`` every ``CONEX_WS_PING_INTERVAL`` seconds after the ack (keepalive for
  proxies that drop idle connections; Uvicorn's protocol-level pings find dead peers).
- Errors are ``error`` messages with ``extensions.code``; an unexpected error is logged and
  sent as INTERNAL_SERVER_ERROR, never its text or a stack trace.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import datetime as dt
import logging
import re
from collections.abc import AsyncGenerator, Mapping
from typing import Any, cast

import orjson
from graphql import GraphQLError
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http.exceptions import NonJsonMessageReceived, NonTextMessageReceived
from strawberry.http.websocket_origin import normalize_origin
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    ErrorMessage,
    NextMessage,
    SubscribeMessage,
)
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET, UnsetType
from strawberry.utils.aio import aclosing

from gateway.auth.principal import ANONYMOUS, Principal
from gateway.auth.staff_session import COOKIE_NAME
from gateway.context import Context
from gateway.http.endpoint import check_tokens
from gateway.http.errors import RequestError
from gateway.live.session import LiveSession
from gateway.schema.schema import build_schema
from gateway.security.persisted import sha256
from gateway.services import services_of
from gateway.settings import Settings

log = logging.getLogger("gateway.http.websocket")

MESSAGE_TOO_BIG = 1009  # RFC 6455


def refusal(code: str, message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code})


def error_message(operation_id: str, errors: list[dict[str, Any]]) -> ErrorMessage:
    return cast(ErrorMessage, {"id": operation_id, "type": "error", "payload": errors})


def format_error(error: GraphQLError) -> dict[str, Any]:
    """As over HTTP: a code on every error, nothing of an unexpected one but its code."""
    formatted: dict[str, Any] = dict(error.formatted)
    extensions = dict(formatted.get("extensions") or {})
    original = error.original_error
    if isinstance(original, InvalidOperationTypeError):
        extensions["code"] = "OPERATION_NOT_ALLOWED"
        formatted["message"] = "Only subscriptions go over WebSocket; send the rest over HTTP."
    elif original is not None and not isinstance(original, GraphQLError):
        log.error("subscription: unexpected error", exc_info=original)
        extensions["code"] = "INTERNAL_SERVER_ERROR"
        formatted["message"] = "Internal server error."
    elif "code" not in extensions:
        validation = error.path is None
        extensions["code"] = "GRAPHQL_VALIDATION_FAILED" if validation else "INTERNAL_SERVER_ERROR"
    formatted["extensions"] = extensions
    return formatted


class LiveAdapter(ASGIWebSocketAdapter):
    """Strawberry's adapter, with the message size limit and orjson."""

    async def iter_json(
        self, *, ignore_parsing_errors: bool = False
    ) -> AsyncGenerator[object, None]:
        limit = cast(LiveView, self.view).settings.ws_max_message_bytes
        try:
            while self.ws.application_state != WebSocketState.DISCONNECTED:
                text = await self.ws.receive_text()
                if len(text) > limit // 4 and len(text.encode()) > limit:
                    await self.close(MESSAGE_TOO_BIG, f"Messages are at most {limit} bytes")
                    return
                try:
                    yield orjson.loads(text)
                except orjson.JSONDecodeError as error:
                    if not ignore_parsing_errors:
                        raise NonJsonMessageReceived from error
        except KeyError as error:
            raise NonTextMessageReceived from error
        except WebSocketDisconnect:
            pass


class LiveHandler(BaseGraphQLTransportWSHandler[Context, None]):
    view: LiveView

    ping_task: asyncio.Task[None] | None = None
    principal_key: str = ""

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        await super().handle_connection_init(message)
        interval = self.view.settings.ws_ping_interval
        if self.connection_acknowledged and interval > 0 and self.ping_task is None:
            self.ping_task = asyncio.create_task(self._ping(interval))
        self.principal_key = _principal_key(self.context.principal)

    async def _ping(self, interval: float) -> None:
        with contextlib.suppress(Exception):
            while True:
                await asyncio.sleep(interval)
                await self.send_message({"type": "ping"})

    async def shutdown(self) -> None:
        if self.ping_task is not None:
            self.ping_task.cancel()
        await super().shutdown()

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if not self.connection_acknowledged or message["id"] in self.operations:
            await super().handle_subscribe(message)  # 4401, 4409
            return
        try:
            query = await self._document(message)
            self._check_caps()
        except GraphQLError as error:
            await self.send_message(error_message(message["id"], [format_error(error)]))
            return
        message["payload"]["query"] = query
        await super().handle_subscribe(message)
        task = self.operations[message["id"]].task
        assert task is not None
        self.view.subscribed[self.principal_key] += 1
        # A done callback, not a ``finally``: a task cancelled before it started runs none.
        task.add_done_callback(lambda _: self._release())

    def _release(self) -> None:
        subscribed = self.view.subscribed
        subscribed[self.principal_key] -= 1
        if subscribed[self.principal_key] <= 0:
            del subscribed[self.principal_key]

    def _check_caps(self) -> None:
        settings = self.view.settings
        if len(self.operations) >= settings.ws_max_subscriptions:
            raise refusal(
                "TOO_MANY_SUBSCRIPTIONS",
                f"At most {settings.ws_max_subscriptions} subscriptions per connection.",
            )
        if self.view.subscribed[self.principal_key] >= settings.ws_max_subscriptions_per_principal:
            raise refusal(
                "TOO_MANY_SUBSCRIPTIONS",
                f"At most {settings.ws_max_subscriptions_per_principal} subscriptions at once.",
            )

    async def _document(self, message: SubscribeMessage) -> str:
        """The subscription's text: sent, or by hash (APQ or the safelist); checked as an
        HTTP request's document is."""
        payload = cast(Mapping[str, Any], message["payload"])
        if not isinstance(payload, Mapping):
            raise refusal("BAD_REQUEST", "`payload` must be an object.")
        query = payload.get("query")
        extensions = payload.get("extensions") or {}
        persisted = extensions.get("persistedQuery") if isinstance(extensions, Mapping) else None
        store = self.context.services.query_store
        if isinstance(persisted, Mapping):
            digest = persisted.get("sha256Hash")
            if not isinstance(digest, str) or not re.fullmatch(r"[0-9a-f]{64}", digest):
                raise refusal("BAD_REQUEST", "`sha256Hash` must be 64 hex digits.")
            if query is None:
                query = await store.get(digest)
                if query is None:
                    raise refusal("PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound")
            elif not isinstance(query, str) or sha256(query) != digest:
                raise refusal("PERSISTED_QUERY_HASH_MISMATCH", "The hash does not match the query.")
            else:
                await store.put(digest, query)
        if not isinstance(query, str) or not query.strip():
            raise refusal("BAD_REQUEST", "No GraphQL query found in the message.")
        if self._safelisted_client() and sha256(query) not in store.safelist:
            raise refusal(
                "OPERATION_NOT_SAFELISTED",
                "This client may run only the published operations, by hash.",
            )
        try:
            check_tokens(query, self.view.settings.max_tokens)
        except RequestError as error:
            raise refusal(error.code, error.message) from None
        return query

    def _safelisted_client(self) -> bool:
        if not self.view.settings.safelist_enforced:
            return False
        params = {k.lower(): v for k, v in (self.context.connection_params or {}).items()}
        client = self.context.request.headers.get("x-conex-client") or params.get("x-conex-client")
        return self.context.principal.is_partner or client == "mobile"

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        """Strawberry's, with a context of its own per subscription (its own loaders, renewed
        for each event) and subscriptions only."""
        context = dataclasses.replace(self.context, _loaders=None, _retired=[], cost=None)
        try:
            result_source = await self.schema.stream(
                operation.query,
                variable_values=operation.variables,
                context_value=context,
                operation_name=operation.operation_name,
                allowed_operation_types={OperationType.SUBSCRIPTION},
            )
            async with aclosing(result_source):
                await self._send_results(operation, result_source)
            await operation.send_operation_message({"id": operation.id, "type": "complete"})
        except Exception as error:  # the operation ends; the connection stays
            log.error("subscription %s failed", operation.id, exc_info=error)
            with contextlib.suppress(Exception):
                internal = refusal("INTERNAL_SERVER_ERROR", "Internal server error.")
                await operation.send_operation_message(
                    error_message(operation.id, [format_error(internal)])
                )
            self.operations.pop(operation.id, None)
        finally:
            with contextlib.suppress(Exception):
                await context.drain_loaders()

    async def _send_results(self, operation: Operation[Context, None], source: Any) -> None:
        """``next`` for each answer; an answer with no data (refused by the guard, a pre-execution
        error, a subscription that failed) is the operation's ``error`` and its end."""
        async for result in source:
            if isinstance(result, PreExecutionError) or (
                isinstance(result, ExecutionResult) and result.data is None and result.errors
            ):
                errors = [format_error(e) for e in result.errors or []]
                await operation.send_operation_message(error_message(operation.id, errors))
                return
            if not isinstance(result, ExecutionResult):
                raise TypeError("incremental delivery is not served over WebSocket")
            payload: dict[str, Any] = {"data": result.data}
            if result.errors:
                payload["errors"] = [format_error(e) for e in result.errors]
            next_message = {"id": operation.id, "type": "next", "payload": payload}
            await operation.send_operation_message(cast(NextMessage, next_message))


def _principal_key(principal: Principal) -> str:
    if principal.account_id is not None:
        return f"account:{principal.account_id}"
    return f"token:{principal.token_id}"


def _origin(url: str | None) -> str | None:
    return normalize_origin(url) if url else None


class LiveView(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = LiveHandler
    websocket_adapter_class = LiveAdapter  # type: ignore[assignment]

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.own_origin = _origin(settings.public_url)
        origins = [settings.public_url, settings.web_url, *settings.cors_origins]
        super().__init__(
            build_schema(),  # the app's (cached: one schema per process)
            graphql_ide=None,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=dt.timedelta(seconds=settings.ws_init_timeout),
            max_subscriptions_per_connection=None,  # ours, with a code (LiveHandler)
            allowed_origins=[o for o in origins if o],
        )
        #: Open subscriptions per principal in this worker.
        self.subscribed: collections.Counter[str] = collections.Counter()

    def encode_json(self, data: object) -> str:
        return orjson.dumps(data).decode()

    async def get_context(self, request: Any, response: Any) -> Context:
        websocket = cast(WebSocket, request)
        services = services_of(websocket)
        same_site = _origin(websocket.headers.get("origin")) == self.own_origin
        live = LiveSession(
            services=services,
            authorization=None,
            staff_cookie=websocket.cookies.get(COOKIE_NAME) if same_site else None,
            close=cast(WebSocket, response).close,
        )
        return Context(
            request=websocket,
            principal=ANONYMOUS,
            services=services,
            session_factory=services.session_factory,
            now=services.clock(),
            live=live,
            connection_params={},
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """``connection_init``: who connects; refused (4403) without a good credential."""
        live = context.live
        assert live is not None
        params = {str(k).lower(): v for k, v in (context.connection_params or {}).items()}
        authorization = params.get("authorization")
        live.authorization = authorization if isinstance(authorization, str) else None
        principal = await live.authenticate()
        if principal is None or principal.is_anonymous:
            raise ConnectionRejectionError({"code": "UNAUTHENTICATED"})
        live.principal = context.principal = principal
        ack: UnsetType = UNSET
        return ack
