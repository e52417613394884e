"""The Starlette application: /graphql, /healthz, /readyz."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL

from db.engine import create_engine, create_session_factory
from gateway.auth.authenticate import Unauthenticated, authenticate
from gateway.auth.principal import ANONYMOUS, Principal
from gateway.context import Context
from gateway.schema.schema import schema
from gateway.settings import Settings, load_settings

log = logging.getLogger(__name__)


class GatewayGraphQL(GraphQL[Context, None]):
    def __init__(self, settings: Settings) -> None:
        super().__init__(schema, graphql_ide="graphiql", allow_queries_via_get=True)
        self.settings = settings

    async def get_context(self, request: Request, response: Response) -> Context:  # type: ignore[override]
        state = request.app.state
        principal: Principal = request.scope.get("state", {}).get("principal", ANONYMOUS)
        return Context(
            request=request,
            response=response,
            settings=self.settings,
            principal=principal,
            engine=state.engine,
            session_factory=state.session_factory,
            now=state.clock(),
        )


def unauthenticated_response(message: str) -> JSONResponse:
    body = {
        "data": None,
        "errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}],
    }
    return JSONResponse(body, status_code=401, headers={"WWW-Authenticate": 'Bearer realm="conex"'})


class AuthenticatedGraphQL:
    """Turns the bearer token into a principal before Strawberry runs; a bad token is a 401."""

    def __init__(self, graphql: GatewayGraphQL, settings: Settings) -> None:
        self.graphql = graphql
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope)
        try:
            principal = await authenticate(
                request.headers.get("authorization"),
                engine=request.app.state.engine,
                key=self.settings.signing_key(),
                now=request.app.state.clock(),
            )
        except Unauthenticated as exc:
            await unauthenticated_response(str(exc))(scope, receive, send)
            return
        scope.setdefault("state", {})["principal"] = principal
        await self.graphql(scope, receive, send)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def healthz(_: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    engine: AsyncEngine = request.app.state.engine
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception:  # readiness must answer, whatever the database says
        log.warning("readiness check: database unreachable", exc_info=True)
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})


def create_app(settings: Settings | None = None, *, engine: AsyncEngine | None = None) -> Starlette:
    settings = settings or load_settings()
    owns_engine = engine is None

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        if owns_engine:
            await app.state.engine.dispose()

    graphql = AuthenticatedGraphQL(GatewayGraphQL(settings), settings)
    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    # The one clock of the app (aware UTC); tests replace it to stand on a given day.
    app.state.clock = utc_now
    app.state.engine = engine or create_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        pool_timeout=settings.db_pool_timeout,
    )
    app.state.session_factory = create_session_factory(app.state.engine)
    return app
