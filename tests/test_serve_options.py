"""``serve``'s operating options as Uvicorn receives them, and their one-line refusals (the
served behaviour: tests/test_serve_proxy.py, tests/test_serve_shutdown.py)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from gateway.cli import commands, main


def uvicorn_arguments(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *argv: str
) -> dict[str, Any]:
    """What ``conex-gateway serve ARGV`` hands ``uvicorn.run`` (no database, no server)."""
    seen: dict[str, Any] = {}

    async def no_database_check(_settings: object) -> None:
        return None

    def fake_run(*_args: object, **kwargs: Any) -> None:
        seen.update(kwargs)

    import uvicorn

    monkeypatch.chdir(tmp_path)
    # serve writes the workers' settings into the environment: keep them out of other tests.
    monkeypatch.setattr(os, "environ", os.environ.copy())
    os.environ["FORWARDED_ALLOW_IPS"] = "*"  # Uvicorn's own variable: never read
    monkeypatch.setattr(commands, "_check_database", no_database_check)
    monkeypatch.setattr(uvicorn, "run", fake_run)
    assert main(["serve", "--port", str(_free_port()), *argv]) == 0
    return seen


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_by_default_no_proxy_is_believed_and_shutdown_waits_30_seconds(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen = uvicorn_arguments(monkeypatch, tmp_path)
    assert seen["proxy_headers"] is False
    assert seen["forwarded_allow_ips"] == ["127.0.0.1", "::1"]
    assert seen["timeout_graceful_shutdown"] == 30
    assert seen["timeout_keep_alive"] == 5


def test_proxy_headers_alone_trust_a_proxy_on_this_host(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen = uvicorn_arguments(monkeypatch, tmp_path, "--proxy-headers")
    assert seen["proxy_headers"] is True
    assert seen["forwarded_allow_ips"] == ["127.0.0.1", "::1"]


def test_the_trusted_proxies_and_the_graceful_timeout_are_passed_on(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen = uvicorn_arguments(
        monkeypatch,
        tmp_path,
        "--proxy-headers",
        "--forwarded-allow-ips",
        " 10.0.0.0/8, 192.0.2.7,fd00::/8 ",
        "--graceful-timeout",
        "45",
        "--timeout-keep-alive",
        "75",
        "--workers",
        "3",
    )
    assert seen["forwarded_allow_ips"] == ["10.0.0.0/8", "192.0.2.7", "fd00::/8"]
    assert seen["timeout_graceful_shutdown"] == 45
    assert seen["timeout_keep_alive"] == 75
    assert seen["workers"] == 3


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--proxy-headers", "--forwarded-allow-ips", "*"], "would let any client choose"),
        (["--proxy-headers", "--forwarded-allow-ips", "10.0.0.5/8"], "has host bits set"),
        (["--proxy-headers", "--forwarded-allow-ips", "proxy.internal"], "'proxy.internal'"),
        (["--proxy-headers", "--forwarded-allow-ips", " , "], "name the proxies"),
        (["--forwarded-allow-ips", "10.0.0.0/8"], "--forwarded-allow-ips needs --proxy-headers"),
        (["--graceful-timeout", "0"], "must be between 1 and 3600"),
        (["--graceful-timeout", "2.5"], "not a whole number of seconds"),
        (["--timeout-keep-alive", "3601"], "must be between 1 and 3600"),
    ],
)
def test_bad_operating_options_are_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    assert main(["serve", *argv]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1, err
    assert err.startswith("conex-gateway: ") and expected in err, err
