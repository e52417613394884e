"""Fixtures of the observability tests: the gateway's JSON log lines, as written to stderr."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from gateway.observability.logs import configure_logging

#: The ``json_lines`` fixture: every JSON line written since the last call.
JsonLines = Callable[[], list[dict[str, Any]]]


@pytest.fixture
def json_lines(capsys: pytest.CaptureFixture[str]) -> Iterator[JsonLines]:
    configure_logging(level="info", fmt="json")

    def lines() -> list[dict[str, Any]]:
        return [json.loads(line) for line in capsys.readouterr().err.splitlines() if line]

    yield lines
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == "conex":
            root.removeHandler(handler)
    root.setLevel(logging.WARNING)


def access(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The access lines (``gateway.access``) among ``lines``."""
    return [line for line in lines if line["logger"] == "gateway.access"]
