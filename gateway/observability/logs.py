"""Logging: one handler on the root logger, text (dev) or one JSON object per line (prod).

The standard library, not structlog: Uvicorn's, SQLAlchemy's and the gateway's records all go
through ``logging`` already, so one formatter covers them all with no second API to learn.
Every record logged during a request carries its request id (and trace id when tracing is
on); the access line adds the request's fields (``gateway.observability.access``).
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
from typing import Any

import orjson

from gateway.observability import record as request_record
from gateway.observability import tracing

_HANDLER_NAME = "conex"
#: Attribute of a LogRecord holding the access line's fields (``extra={FIELDS: {...}}``).
FIELDS = "conex_fields"


def _context_fields(record: logging.LogRecord) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    request_id = request_record.current().request_id
    if request_id:
        fields["request_id"] = request_id
    trace_id = tracing.current_trace_id()
    if trace_id:
        fields["trace_id"] = trace_id
    fields.update(getattr(record, FIELDS, None) or {})
    return fields


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            **_context_fields(record),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        fields = _context_fields(record)
        if fields:
            text += " " + " ".join(f"{k}={v}" for k, v in fields.items() if v is not None)
        return text


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is when a record comes (test capture replaces it)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def configure_logging(*, level: str, fmt: str) -> None:
    """Install (or replace) the gateway's handler on the root logger; other handlers (pytest's
    caplog) stay. Uvicorn's loggers propagate to it (``serve`` passes ``log_config=None``)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == _HANDLER_NAME:
            root.removeHandler(handler)
    handler = _StderrHandler()
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root.addHandler(handler)
    root.setLevel(level.upper())
