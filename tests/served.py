"""``conex-gateway serve`` as an operator runs it: a real Uvicorn in a subprocess, on a free
loopback port, its JSON log lines read back from a file (tests/test_serve_*.py)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

START_SECONDS = 60.0  # a 2-core machine under load: `--workers 2` took over 30 s to answer
SECRET_KEY = "serve-test-only-secret-key-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environment(work: Path, **settings: str) -> dict[str, str]:
    """The test's environment without its CONEX_* variables, on a SQLite file in ``work``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONEX_")}
    env.update(
        CONEX_ENV="dev",
        CONEX_DATABASE_URL=f"sqlite+aiosqlite:///{work / 'conex.sqlite3'}",
        CONEX_SECRET_KEY=SECRET_KEY,
        CONEX_MAIL_DIR=str(work / "mail"),
        CONEX_LOG_FORMAT="json",
    )
    env.update(settings)
    return env


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def records(self) -> list[dict[str, Any]]:
        """The JSON log lines written so far (serve's own plain lines left out)."""
        found = []
        for line in self.log.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                with contextlib.suppress(json.JSONDecodeError):
                    found.append(json.loads(line))
        return found

    def wait_for_record(
        self, matches: Callable[[dict[str, Any]], bool], timeout: float = 10.0
    ) -> dict[str, Any]:
        """The first record that ``matches``: lines are written after the answer has gone."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for record in self.records():
                if matches(record):
                    return record
            time.sleep(0.05)
        raise AssertionError(f"no such log record in:\n{self.log.read_text()[-3000:]}")

    def terminate(self) -> None:
        self.process.send_signal(signal.SIGTERM)


def _wait_until_up(served: Served) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if served.process.poll() is not None:
            raise AssertionError(f"serve stopped at start: {served.log.read_text()[-3000:]}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{served.url}/healthz", timeout=2).status_code == 200:
                return
        time.sleep(0.1)
    raise AssertionError(f"serve did not answer within {START_SECONDS:g} s")


@contextlib.contextmanager
def serve(
    database: Path | None, work: Path, *options: str, settings: dict[str, str] | None = None
) -> Iterator[Served]:
    """``conex-gateway serve OPTIONS`` on a copy of ``database``, in ``work``; stopped after.
    ``database`` None: the one ``settings`` name (``CONEX_DATABASE_URL``), shared as it is."""
    work.mkdir(parents=True, exist_ok=True)
    if database is not None:
        shutil.copyfile(database, work / "conex.sqlite3")
    port = free_port()
    log = work / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gateway", "serve", "--port", str(port), *options],
            cwd=work,
            env=environment(work, **(settings or {})),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: --workers children are killed too
        )
    served = Served(process=process, port=port, log=log)
    try:
        _wait_until_up(served)
        yield served
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # whatever is left of it, workers included
        process.wait(timeout=10)
