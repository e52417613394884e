"""The app factory ``serve`` hands Uvicorn: each worker process configures its logging from
the settings (``CONEX_LOG_LEVEL``, ``CONEX_LOG_FORMAT``, which ``serve`` sets from its
options) before it builds the app."""

from __future__ import annotations

from starlette.applications import Starlette

from gateway.app import create_app
from gateway.observability.logs import configure_logging
from gateway.settings import load_settings


def create_served_app() -> Starlette:
    settings = load_settings()
    configure_logging(level=settings.log_level, fmt=settings.effective_log_format)
    return create_app(settings)
