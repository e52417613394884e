"""JSON logs: one access line per request with its fields, never a credential; the gateway's
own records (log-in throttling, masked errors) shown with their request id."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.domain.enums import TokenKind
from gateway.observability.logs import configure_logging
from tests import factories as f
from tests.api.auth.support import sign_up
from tests.helpers import count_statements, gql
from tests.observability.conftest import access


async def test_one_json_access_line_per_request_with_its_fields(
    client: httpx.AsyncClient, engine: AsyncEngine, json_lines: Callable[[], list[dict[str, Any]]]
) -> None:
    token = await f.api_token(engine, TokenKind.STAFF, name="ops")
    response = await client.post(
        "/graphql",
        json={"query": "query Plans { supportPlans { tier } }"},
        headers={"Authorization": f"Bearer {token}", "X-Request-Id": "req-0123456789"},
    )
    assert response.status_code == 200
    lines = json_lines()
    (line,) = access(lines)
    assert line["request_id"] == "req-0123456789"
    assert line["status"] == 200 and line["method"] == "POST" and line["path"] == "/graphql"
    assert line["principal_kind"] == "staff" and isinstance(line["principal_id"], int)
    assert line["operation"] == "Plans"
    assert isinstance(line["cost"], int) and line["cost"] > 0
    assert line["statements"] >= 1 and line["duration_ms"] >= 0
    everything = json.dumps(lines)
    assert token not in everything and "Bearer" not in everything


async def test_statements_counted_per_request(
    client: httpx.AsyncClient, engine: AsyncEngine, json_lines: Callable[[], list[dict[str, Any]]]
) -> None:
    await client.get("/healthz")
    with count_statements(engine) as counted:
        await gql(client, "query Products { products { id } }")  # the catalog, read by loaders
    first, second = access(json_lines())
    assert first["statements"] == 0 and first["path"] == "/healthz"
    assert second["statements"] == counted.count >= 1
    assert second["operation"] == "Products"


async def test_a_throttled_log_in_leaves_a_record(
    client: httpx.AsyncClient, json_lines: Callable[[], list[dict[str, Any]]]
) -> None:
    await sign_up(client, "nadia@example.com")
    login = "mutation LogIn($i: LogInInput!) { logIn(input: $i) { userErrors { code } } }"
    for _ in range(6):
        answer = await gql(
            client, login, {"i": {"email": "nadia@example.com", "password": "wrong wrong wrong"}}
        )
    assert answer["data"]["logIn"]["userErrors"][0]["code"] == "RATE_LIMITED"
    lines = json_lines()
    throttled = [line for line in lines if "throttled" in line["message"]]
    assert throttled and throttled[-1]["level"] == "info"
    assert throttled[-1]["request_id"] == access(lines)[-1]["request_id"]
    assert "wrong wrong wrong" not in json.dumps(lines)


async def test_a_masked_error_is_logged_with_its_request_id(
    client: httpx.AsyncClient,
    json_lines: Callable[[], list[dict[str, Any]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from gateway.domain import support

    def explode(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("kaput")

    monkeypatch.setattr(support, "support_channels", explode)
    response = await client.post("/graphql", json={"query": "{ supportPlans { tier channels } }"})
    request_id = response.headers["X-Request-Id"]
    lines = json_lines()
    (error,) = [line for line in lines if line["level"] == "error"]
    assert error["request_id"] == request_id and "kaput" in error["exception"]
    (line,) = access(lines)
    assert line["request_id"] == request_id and "INTERNAL_SERVER_ERROR" in line["error_codes"]


async def test_text_format_in_dev(
    capsys: pytest.CaptureFixture[str], client: httpx.AsyncClient
) -> None:
    configure_logging(level="info", fmt="text")
    try:
        await client.get("/healthz", headers={"X-Request-Id": "req-abcdefghij"})
        err = capsys.readouterr().err
    finally:
        root = logging.getLogger()
        for handler in list(root.handlers):
            if handler.get_name() == "conex":
                root.removeHandler(handler)
    assert "INFO gateway.access: GET /healthz 200" in err


def test_log_settings_default_to_text_in_dev_and_json_in_prod(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from gateway.settings import load_settings

    assert load_settings().effective_log_format == "text"
    prod = load_settings(
        env="prod",
        secret_key="k" * 32,
        public_url="https://api.conex.example",
        web_url="https://my.conex.example",
    )
    assert prod.effective_log_format == "json"
    monkeypatch.setenv("CONEX_LOG_FORMAT", "json")
    monkeypatch.setenv("CONEX_LOG_LEVEL", "warning")
    settings = load_settings()
    assert (settings.effective_log_format, settings.log_level) == ("json", "warning")
