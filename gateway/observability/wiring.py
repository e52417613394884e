"""The few lines ``create_app`` calls: count each request's SQL statements, follow the pool,
wrap the app in the access middleware (access line, metrics) and, when
``CONEX_OTEL_EXPORTER_OTLP_ENDPOINT`` is set, in the tracing middleware outside it; serve
``/metrics``."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Route

from db.events import on_statement
from gateway.observability import record as request_record
from gateway.observability import tracing
from gateway.observability.access import AccessMiddleware
from gateway.observability.metrics import (
    MetricsPage,
    forget_dead_workers,
    observe_engine,
    observe_request,
)
from gateway.services import AppServices


def observe_app(app: Starlette, services: AppServices) -> None:
    on_statement(services.engine, request_record.count_statement)
    observe_engine(services.engine)
    forget_dead_workers()
    app.router.routes.append(Route("/metrics", MetricsPage(services).endpoint, methods=["GET"]))
    app.add_middleware(AccessMiddleware, observers=(observe_request,))
    endpoint = services.settings.otel_exporter_otlp_endpoint
    if endpoint:
        # Added last, so outermost: the access line is written inside the request's span.
        tracing.enable(app, services.engine, endpoint=endpoint)
