"""Mail from a served gateway, as ``make run`` serves it: ``conex-gateway serve`` in a
subprocess on a free loopback port, its outbox delivered inline (the dev default) or left
to ``conex-gateway send-mail`` (``CONEX_MAIL_DELIVERY=worker``)."""

from __future__ import annotations

import contextlib
import email
import email.policy
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

START_SECONDS = 60
DELIVERY_SECONDS = 10  # "within seconds": the nudge makes it well under one
EMAIL = "nadia@example.com"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _environment(work: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONEX_")}
    env.update(
        CONEX_ENV="dev",
        CONEX_DATABASE_URL=f"sqlite+aiosqlite:///{work / 'conex.sqlite3'}",
        CONEX_SECRET_KEY="mail-test-only-secret-key-0123456789abcdef",
        CONEX_MAIL_DIR=str(work / "mail"),
        **extra,
    )
    return env


def _cli(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=START_SECONDS,
        check=True,
    )


Served = Callable[..., str]


@pytest.fixture
def served(tmp_path: Path, sqlite_template: Path) -> Iterator[Served]:
    """``served(**CONEX_settings)``: a migrated database (a copy of the worker's template,
    tests/conftest.py: ``conex-gateway migrate`` is tested in tests/test_cli.py) and ``serve``
    on it; its base URL."""
    servers: list[subprocess.Popen[bytes]] = []

    def serve(**extra: str) -> str:
        env = _environment(tmp_path, **extra)
        shutil.copyfile(sqlite_template, tmp_path / "conex.sqlite3")
        port = _free_port()
        command = [sys.executable, "-m", "gateway", "serve", "--host", "127.0.0.1"]
        with (tmp_path / "serve.log").open("ab") as log:  # the child keeps its own copy
            server = subprocess.Popen(
                [*command, "--port", str(port)],
                env=env,
                cwd=tmp_path,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        servers.append(server)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            assert server.poll() is None, (tmp_path / "serve.log").read_text()[-2000:]
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    return url
            time.sleep(0.2)
        pytest.fail(f"the gateway did not answer within {START_SECONDS}s", pytrace=False)

    yield serve
    for server in servers:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def graphql(url: str, query: str, **variables: object) -> dict[str, object]:
    response = httpx.post(
        f"{url}/graphql", json={"query": query, "variables": variables}, timeout=10
    )
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    assert "errors" not in body, body
    return body


def sign_up_and_ask_for_a_reset(url: str) -> None:
    graphql(
        url,
        "mutation ($input: SignUpInput!) { signUp(input: $input) { userErrors { code } } }",
        input={
            "email": EMAIL,
            "password": "a long passphrase 4 mail",
            "name": "Nadia",
            "country": "DZ",
        },
    )
    graphql(
        url,
        "mutation ($email: String!) { passwordResetRequest(input: { email: $email }) "
        "{ userErrors { code } } }",
        email=EMAIL,
    )


def resets(mail_dir: Path) -> list[email.message.EmailMessage]:
    found = []
    for path in sorted(mail_dir.glob("*-password_reset.eml")):
        parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(parsed, email.message.EmailMessage)
        found.append(parsed)
    return found


def wait_for_reset(mail_dir: Path, seconds: float) -> list[email.message.EmailMessage]:
    deadline = time.monotonic() + seconds
    while not (found := resets(mail_dir)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return found


def test_a_password_reset_in_a_served_dev_gateway_writes_an_eml_by_itself(
    served: Served, tmp_path: Path
) -> None:
    url = served()  # CONEX_MAIL_DELIVERY unset: inline in dev
    started = time.monotonic()
    sign_up_and_ask_for_a_reset(url)
    (message,) = wait_for_reset(tmp_path / "mail", DELIVERY_SECONDS)
    assert time.monotonic() - started < DELIVERY_SECONDS
    assert message["To"] == EMAIL
    assert message["Subject"] == "Reset your My Conex password"
    assert f"{url}/reset-password?token=" in message.get_content()


def test_with_worker_delivery_the_mail_waits_for_send_mail(served: Served, tmp_path: Path) -> None:
    url = served(CONEX_MAIL_DELIVERY="worker")
    sign_up_and_ask_for_a_reset(url)
    assert wait_for_reset(tmp_path / "mail", 5) == []  # two polls and more: nobody sends it
    env = _environment(tmp_path, CONEX_MAIL_DELIVERY="worker")
    done = _cli(env, tmp_path, "send-mail")
    assert "Sent 1 message(s)" in done.stdout
    (message,) = resets(tmp_path / "mail")
    assert message["To"] == EMAIL


def test_send_mail_watch_delivers_until_sigterm(served: Served, tmp_path: Path) -> None:
    url = served(CONEX_MAIL_DELIVERY="worker")
    env = _environment(tmp_path, CONEX_MAIL_DELIVERY="worker")
    worker = subprocess.Popen(
        [sys.executable, "-m", "gateway", "send-mail", "--watch", "--interval", "0.5"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        sign_up_and_ask_for_a_reset(url)
        (message,) = wait_for_reset(tmp_path / "mail", START_SECONDS)
        assert message["To"] == EMAIL
        worker.send_signal(signal.SIGTERM)
        _, stderr = worker.communicate(timeout=20)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert worker.returncode == 0, stderr
    assert "Delivering the outbox to files in" in stderr
    assert "Stopped" in stderr and "Traceback" not in stderr
