"""The Starlette application: /graphql (HTTP; subscriptions over WebSocket), /graphiql/ (its
assets), /staff/session (staff sign-in for GraphiQL), /documents (PDFs), /webhooks/payments
(the payment processor's), /healthz, /readyz (the database and, when configured, Redis); its
lifespan runs the outbox deliverer when mail is delivered inline (``CONEX_MAIL_DELIVERY``), the
partner webhook deliverer likewise (``CONEX_WEBHOOK_DELIVERY``), and feeds committed changes
to the live listeners (through Redis pub/sub when ``CONEX_REDIS_URL`` is set,
gateway/live/redis_fanout.py)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute

from db.engine import create_engine, create_session_factory
from db.queries.health import ping
from db.sessions import Engine
from gateway.auth.ratelimit import MemoryCounter, RateLimiter, RedisCounter
from gateway.http.cors import cors_middleware
from gateway.http.documents import document_endpoint
from gateway.http.endpoint import GraphQLEndpoint
from gateway.http.graphiql import asset_route
from gateway.http.staff_session import staff_session_route
from gateway.http.webhooks import payment_webhook
from gateway.http.websocket import LiveView
from gateway.integrations.mail import inline_delivery
from gateway.integrations.payments import PaymentProcessor, ProcessorUnavailable, processor_for
from gateway.integrations.webhooks import inline_webhook_delivery
from gateway.live.broker import live_updates
from gateway.live.redis_fanout import channel_name, redis_fanout
from gateway.loaders import CatalogCache
from gateway.observability.wiring import observe_app
from gateway.schema.schema import build_schema
from gateway.security.persisted import QueryStore, load_safelist
from gateway.security.throttle import MemoryThrottle, RedisThrottle, Throttle
from gateway.services import AppServices, attach_services, services_of
from gateway.settings import Settings, load_settings

log = logging.getLogger(__name__)


async def healthz(_: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    engine = services_of(request).engine
    try:
        async with engine.connect() as conn:
            await ping(conn=conn)
    except Exception:  # readiness must answer, whatever the database says
        log.warning("readiness check: database unreachable", exc_info=True)
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    redis = services_of(request).redis
    if redis is None:
        return JSONResponse({"status": "ok", "database": "ok"})
    if not await _redis_answers(redis):
        body = {"status": "unavailable", "database": "ok", "redis": "unreachable"}
        return JSONResponse(body, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok", "redis": "ok"})


REDIS_PING_TIMEOUT = 1.0  # seconds: a load balancer's probe must not hang on a dead Redis


async def _redis_answers(redis: Any) -> bool:
    try:
        await asyncio.wait_for(redis.ping(), REDIS_PING_TIMEOUT)
    except Exception:  # readiness must answer, whatever Redis says
        log.warning("readiness check: Redis unreachable", exc_info=True)
        return False
    return True


REDIS_CONNECT_TIMEOUT = 1.0  # seconds; a request must not hang on a Redis that is gone
REDIS_SOCKET_TIMEOUT = 2.0


def _redis(settings: Settings) -> Any | None:
    if not settings.redis_url:
        return None
    from redis.asyncio import Redis
    from redis.asyncio.retry import Retry
    from redis.backoff import ExponentialWithJitterBackoff

    # One retry, not redis-py's ten: while Redis is down each request would wait seconds.
    return Redis.from_url(
        settings.redis_url,
        socket_connect_timeout=REDIS_CONNECT_TIMEOUT,
        socket_timeout=REDIS_SOCKET_TIMEOUT,
        retry=Retry(ExponentialWithJitterBackoff(base=0.01, cap=0.1), 1),
    )


def _live_updates(services: AppServices) -> contextlib.AbstractAsyncContextManager[Any]:
    """Committed changes to this process's listeners: through Redis pub/sub when
    ``CONEX_REDIS_URL`` is set (every worker and host hears every commit), else in-process."""
    settings = services.settings
    if not settings.redis_url:
        return live_updates(services.engine, services.changes)
    return redis_fanout(
        url=settings.redis_url,
        channel=channel_name(settings.redis_channel_prefix),
        engine=services.engine,
        session_factory=services.session_factory,
        broker=services.changes,
    )


def _throttle(settings: Settings, redis: Any | None) -> Throttle:
    if redis is not None:
        return RedisThrottle(redis, settings.rate_limit_capacity, settings.rate_limit_restore_rate)
    return MemoryThrottle(settings.rate_limit_capacity, settings.rate_limit_restore_rate)


def _payments(settings: Settings) -> PaymentProcessor | None:
    try:
        return processor_for(settings)
    except ProcessorUnavailable:
        return None


def build_services(settings: Settings, *, engine: Engine | None = None) -> AppServices:
    """Everything the app holds for its life (gateway/services.py says how long each lives).
    Nothing here opens a connection: the engine and Redis connect on first use."""
    redis = _redis(settings)
    owned = engine is None
    engine = engine or create_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        pool_timeout=settings.db_pool_timeout,
        statement_timeout_ms=settings.statement_timeout_ms,
    )
    return AppServices(
        settings=settings,
        engine=engine,
        session_factory=create_session_factory(engine),
        schema=build_schema(),
        throttle=_throttle(settings, redis),
        rate_limiter=RateLimiter(RedisCounter(redis) if redis is not None else MemoryCounter()),
        query_store=QueryStore(load_safelist(settings.safelist_path), redis),
        catalog_cache=CatalogCache(settings.catalog_cache_seconds),
        payments=_payments(settings),
        redis=redis,
        owns_engine=owned,
    )


_gc_tuned = False


def tune_gc() -> None:
    """Once per process, when the app is built and before it serves: move every object alive
    now (the schema, the models, SQLAlchemy's metadata: ~200 000 objects that are never
    garbage) out of the collector's sight.

    Measured under AccountHome load (bench/RESULTS.md): the collector took a third of the
    worker's time and paused it up to 240 ms, since every full collection scanned those
    objects again. The thresholds stay Python's: raised to (2000, 20, 50), the worker's RSS
    grew 68 % over 16 000 requests (garbage cycles kept longer under concurrent load),
    against a flat RSS with the freeze alone.
    """
    global _gc_tuned
    if _gc_tuned:
        return
    _gc_tuned = True
    gc.collect()
    gc.freeze()


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> Starlette:
    settings = settings or load_settings()
    # Built here, not in the lifespan: an app under httpx's ASGITransport (the tests) runs none.
    services = build_services(settings, engine=engine)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        tune_gc()  # in each Uvicorn worker, once the app is built
        async with (
            inline_delivery(services.engine, settings),  # CONEX_MAIL_DELIVERY=inline
            inline_webhook_delivery(services.engine, settings),  # CONEX_WEBHOOK_DELIVERY
            _live_updates(services),
        ):
            yield
        await services_of(app).aclose()

    app = Starlette(
        routes=[
            Route("/graphql", GraphQLEndpoint(settings).handle, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", LiveView(settings)),  # subscriptions (issue #15)
            Route("/documents/{kind}/{pk}", document_endpoint, methods=["GET"]),
            Route("/webhooks/payments", payment_webhook, methods=["POST"]),
            asset_route(),
            staff_session_route(),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
        ],
        lifespan=lifespan,
        middleware=cors_middleware(settings.cors_origins),
    )
    attach_services(app, services)
    observe_app(app, services)
    return app
