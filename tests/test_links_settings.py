"""CONEX_PUBLIC_URL and CONEX_WEB_URL: absolute http(s) URLs, required in prod; `serve --port`
feeds the default of CONEX_PUBLIC_URL."""

from __future__ import annotations

import argparse
import os
import socket
from pathlib import Path

import pytest

from gateway.cli import commands
from gateway.settings import SettingsError, listen_url, load_settings

GOOD_KEY = "k" * 40


@pytest.mark.parametrize("variable", ["CONEX_PUBLIC_URL", "CONEX_WEB_URL"])
@pytest.mark.parametrize(
    "value", ["not-a-url", "/reset", "ftp://files.example", "https://h:port", "https://h/?a=1"]
)
def test_a_bad_base_url_is_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=rf"^{variable}: "):
        load_settings()


def test_base_urls_lose_their_trailing_slash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONEX_PUBLIC_URL", "https://api.conex.example/")
    monkeypatch.setenv("CONEX_WEB_URL", "https://my.conex.example/portal/")
    settings = load_settings()
    assert settings.public_url == "https://api.conex.example"
    assert settings.web_base_url == "https://my.conex.example/portal"


@pytest.mark.parametrize("missing", ["CONEX_PUBLIC_URL", "CONEX_WEB_URL"])
def test_prod_requires_both_base_urls(monkeypatch: pytest.MonkeyPatch, missing: str) -> None:
    monkeypatch.setenv("CONEX_ENV", "prod")
    monkeypatch.setenv("CONEX_SECRET_KEY", GOOD_KEY)
    monkeypatch.setenv("CONEX_PUBLIC_URL", "https://api.conex.example")
    monkeypatch.setenv("CONEX_WEB_URL", "https://my.conex.example")
    monkeypatch.delenv(missing)
    with pytest.raises(SettingsError, match=rf"^{missing}: required when CONEX_ENV=prod"):
        load_settings()


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("127.0.0.1", "http://127.0.0.1:8300"),
        ("0.0.0.0", "http://127.0.0.1:8300"),
        ("::1", "http://[::1]:8300"),
        ("api.internal", "http://api.internal:8300"),
    ],
)
def test_the_listen_url(host: str, url: str) -> None:
    assert listen_url(host, 8300) == url


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_environment(monkeypatch: pytest.MonkeyPatch, port: int) -> dict[str, str]:
    """What the Uvicorn workers would see after ``serve --port PORT``."""
    seen: dict[str, str] = {}

    async def no_database_check(_settings: object) -> None:
        return None

    def fake_run(*_args: object, **_kwargs: object) -> None:
        seen.update(os.environ)

    import uvicorn

    monkeypatch.setattr(commands, "_check_database", no_database_check)
    monkeypatch.setattr(uvicorn, "run", fake_run)
    args = argparse.Namespace(host="127.0.0.1", port=port, workers=1)
    assert commands.serve(args) == 0
    return seen


def test_serve_port_is_the_default_public_url(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CONEX_PUBLIC_URL", raising=False)
    port = free_port()
    seen = serve_environment(monkeypatch, port)
    assert seen["CONEX_PUBLIC_URL"] == f"http://127.0.0.1:{port}"
    monkeypatch.setenv("CONEX_PUBLIC_URL", seen["CONEX_PUBLIC_URL"])
    assert load_settings().public_url == f"http://127.0.0.1:{port}"


def test_serve_keeps_an_explicit_public_url(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CONEX_PUBLIC_URL", "https://api.conex.example")
    seen = serve_environment(monkeypatch, free_port())
    assert seen["CONEX_PUBLIC_URL"] == "https://api.conex.example"


def test_serve_says_where_graphiql_is_only_where_anyone_may_open_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    port = free_port()
    serve_environment(monkeypatch, port)
    assert f"GraphiQL at http://127.0.0.1:{port}/graphql" in capsys.readouterr().err
    monkeypatch.setenv("CONEX_ENV", "prod")
    monkeypatch.setenv("CONEX_SECRET_KEY", "k" * 40)
    monkeypatch.setenv("CONEX_PUBLIC_URL", "https://api.conex.example")
    monkeypatch.setenv("CONEX_WEB_URL", "https://my.conex.example")
    serve_environment(monkeypatch, port)
    err = capsys.readouterr().err
    assert "GraphiQL at" not in err
    assert "(GraphiQL: staff sign in there with a staff token)" in err
