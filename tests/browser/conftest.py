"""A real browser against a real gateway: Debian's Chromium, driven by Playwright for
Python, and the gateway served by Uvicorn in a subprocess on a free loopback port.

Nothing downloads a browser (no ``playwright install``): the tests use /usr/bin/chromium
(``apt-get install chromium``). Without it, or without the ``playwright`` package, they are
skipped with the reason (``make test`` prints it, pytest runs with ``-ra``); with
``CONEX_REQUIRE_BROWSER=1`` (as in ``.ci/run``) they fail instead.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest

CHROMIUM = Path(os.environ.get("CONEX_TEST_CHROMIUM", "/usr/bin/chromium"))
# Read at import: the suite's autouse fixture removes CONEX_ variables before each test.
REQUIRED = os.environ.get("CONEX_REQUIRE_BROWSER") == "1"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_SECONDS = 60
DEMO_ACCOUNTS = 10


def _not_run(reason: str) -> NoReturn:
    if REQUIRED:
        pytest.fail(f"CONEX_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(f"browser test not run: {reason}")


@pytest.fixture(scope="session")
def browser_available() -> None:
    """Skip (or fail) before anything is set up when the browser cannot run."""
    if not CHROMIUM.exists():
        _not_run(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _not_run("the playwright package is missing (make test-deps)")


@pytest.fixture(scope="module")
def chromium(browser_available: None) -> Iterator[Any]:
    """A headless Chromium (a Playwright ``Browser``) for one test module.

    Not for the session: Playwright's sync API keeps an event loop running in the main
    thread while it is open, and the async tests that follow could not run theirs.
    Browser tests are therefore plain (sync) functions.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _gateway(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "gateway", *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=SERVER_START_SECONDS,
    )
    return done.stdout


@dataclasses.dataclass(frozen=True)
class Gateway:
    url: str  # http://127.0.0.1:PORT
    env: dict[str, str]

    def cli(self, *args: str) -> str:
        """Run ``conex-gateway ARGS`` on this gateway's database; its output."""
        return _gateway(self.env, *args)


def _wait_until_up(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the gateway stopped: {log.read_text()[-2000:]}", pytrace=False)
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{url}/healthz", timeout=2) as response,
        ):
            if response.status == 200:
                return
        time.sleep(0.2)
    pytest.fail(f"the gateway did not answer within {SERVER_START_SECONDS}s", pytrace=False)


def _serve(work: Path, env: dict[str, str], port: int | None = None) -> Iterator[Gateway]:
    """``conex-gateway serve`` with ``env`` on ``port`` (a free loopback one by default)
    until the session ends."""
    port = port or _free_port()
    log = work / "serve.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "gateway", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, server, log)
        yield Gateway(url=url, env=env)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _demo_database(work: Path) -> dict[str, str]:
    """The environment of a gateway on a fresh SQLite database with the demo dataset."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONEX_")}
    env.update(
        CONEX_ENV="dev",
        CONEX_DATABASE_URL=f"sqlite+aiosqlite:///{work / 'conex.sqlite3'}",
        CONEX_SECRET_KEY="browser-test-only-secret-key-0123456789abcdef",
        CONEX_MAIL_DIR=str(work / "mail"),
    )
    _gateway(env, "migrate")
    _gateway(env, "demo-data", "--accounts", str(DEMO_ACCOUNTS))
    return env


@pytest.fixture(scope="session")
def dev_gateway(
    browser_available: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Gateway]:
    """``make run`` in small: dev settings, a fresh SQLite database with the demo dataset,
    ``conex-gateway serve`` on a free loopback port."""
    work = tmp_path_factory.mktemp("browser-gateway")
    yield from _serve(work, _demo_database(work))


@pytest.fixture(scope="session")
def prod_gateway(
    browser_available: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Gateway]:
    """The same with ``CONEX_ENV=prod`` (the demo data loaded in dev first). Its public URL is
    http://127.0.0.1:PORT, the page's own origin (the one Origin whose WebSocket handshake
    may carry the staff cookie): Chromium counts loopback as a secure context, so it keeps
    the staff session's ``Secure`` cookie there as it would over https."""
    work = tmp_path_factory.mktemp("browser-prod-gateway")
    env = _demo_database(work)
    port = _free_port()
    env.update(
        CONEX_ENV="prod",
        CONEX_PUBLIC_URL=f"http://127.0.0.1:{port}",
        CONEX_WEB_URL="http://127.0.0.1",
    )
    yield from _serve(work, env, port)
