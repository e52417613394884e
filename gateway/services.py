"""The application's services: one typed object per app, built by ``create_app``.

``create_app`` (``gateway/app.py``) builds one :class:`AppServices` and stores it on the
Starlette app; :func:`services_of` is the one place that reads it back (``app.state`` is
touched nowhere else). The context of each request (``gateway/context.py``) carries it.

Lifetimes (the app's is the worker process's under Uvicorn):

- ``settings`` — read once, before the app is built; never changes.
- ``engine`` — the connection pool, for the app's life; disposed by the lifespan when the
  app made it (``owns_engine``), left open when the caller passed its own (tests).
- ``session_factory`` — made once on the engine; each request and each unit of work opens
  its own sessions from it (the idempotency guard may wrap it for one request).
- ``schema`` — built once per process (``build_schema`` is cached) and shared by every app
  in it; holds no request state (extensions are instantiated per request).
- ``throttle`` — the cost rate limit's buckets: in this process, or in Redis when
  ``CONEX_REDIS_URL`` is set; for the app's life.
- ``rate_limiter`` — log-in and password-reset attempt counters, same storage rule.
- ``query_store`` — the persisted-query safelist (read from ``CONEX_SAFELIST_PATH`` when the
  app is built) and the APQ cache (in-process LRU or Redis); for the app's life.
- ``catalog_cache`` — the catalog as last read, kept ``CONEX_CATALOG_CACHE_SECONDS``.
- ``payments`` — the payment processor of the environment; ``None`` where none is
  configured (production), so card mutations fail loudly (:meth:`payment_processor`).
- ``clock`` — the one clock of the app (aware UTC); read once per request for its ``now``.
  Tests replace it to stand on a given day.
- ``changes`` — the change broker (``gateway.live.broker``): committed changes to quotes,
  licenses and orders, fanned out to this process's subscriptions; fed by the lifespan, with
  ``CONEX_REDIS_URL`` through Redis pub/sub (every worker's commits, ``gateway.live.redis_fanout``,
  on a Redis client of its own), else by this process's commits alone.
- ``redis`` — the Redis client when ``CONEX_REDIS_URL`` is set (connections are made on
  first use, not when it is built); closed by the lifespan.

Mail is not a service of the app: resolvers queue it in the outbox in their unit of work;
with ``CONEX_MAIL_DELIVERY=inline`` the lifespan runs a deliverer task for the app's life
(``gateway.integrations.mail.inline_delivery``), else ``conex-gateway send-mail --watch``
delivers it, with the ``CONEX_MAIL_DIR``/``CONEX_SMTP_URL`` settings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from starlette.requests import HTTPConnection

from gateway.integrations.payments import ProcessorUnavailable
from gateway.live.broker import ChangeBroker

if TYPE_CHECKING:
    from redis.asyncio import Redis
    from starlette.applications import Starlette
    from strawberry import Schema

    from db.sessions import Engine, SessionFactory
    from gateway.auth.ratelimit import RateLimiter
    from gateway.integrations.payments import PaymentProcessor
    from gateway.loaders import CatalogCache
    from gateway.security.persisted import QueryStore
    from gateway.security.throttle import Throttle
    from gateway.settings import Settings


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(slots=True, kw_only=True)
class AppServices:
    settings: Settings
    engine: Engine
    session_factory: SessionFactory
    schema: Schema
    throttle: Throttle
    rate_limiter: RateLimiter
    query_store: QueryStore
    catalog_cache: CatalogCache
    payments: PaymentProcessor | None
    redis: Redis | None = None
    changes: ChangeBroker = field(default_factory=ChangeBroker)
    clock: Callable[[], dt.datetime] = utc_now
    owns_engine: bool = True

    def payment_processor(self) -> PaymentProcessor:
        """The processor, or ``ProcessorUnavailable`` where none is configured."""
        if self.payments is None:
            raise ProcessorUnavailable("no payment processor is configured for production")
        return self.payments

    async def aclose(self) -> None:
        """At the end of the app's life (the lifespan): what the app opened, it closes."""
        if self.owns_engine:
            await self.engine.dispose()
        if self.redis is not None:
            await self.redis.aclose()


def attach_services(app: Starlette, services: AppServices) -> None:
    app.state.services = services


def services_of(holder: Starlette | HTTPConnection) -> AppServices:
    """The services of the app that serves a request (or of the app itself)."""
    app = holder.app if isinstance(holder, HTTPConnection) else holder
    services: AppServices = app.state.services
    return services
