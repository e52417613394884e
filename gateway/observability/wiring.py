"""The few lines ``create_app`` calls: count each request's SQL statements and wrap the app in
the access middleware."""

from __future__ import annotations

from starlette.applications import Starlette

from db.events import on_statement
from gateway.observability import record as request_record
from gateway.observability.access import AccessMiddleware
from gateway.services import AppServices


def observe_app(app: Starlette, services: AppServices) -> None:
    on_statement(services.engine, request_record.count_statement)
    app.add_middleware(AccessMiddleware)
