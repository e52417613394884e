"""The benchmark's servers: Uvicorn processes (the gateway, the baseline) on free ports."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from bench.fixtures import SECRET_KEY

ROOT = Path(__file__).resolve().parents[1]


def python_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONEX_")}
    env.update(
        CONEX_DATABASE_URL=database_url,
        CONEX_SECRET_KEY=SECRET_KEY,
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p),
        **extra,
    )
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """A Uvicorn process (the gateway or the baseline) on a free local port."""

    def __init__(self, app: str, url: str, workers: int, env: dict[str, str]) -> None:
        self.port = free_port()
        self.workers = workers
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            app,
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(workers),
            "--no-access-log",
            "--log-level",
            "warning",
        ]
        self.log_file = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed in stop)
            prefix="conex-bench-server-", suffix=".log", delete=False
        )
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=python_env(url, **env),
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, path: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"bench: the server exited:\n{self.output()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=1):
                    pass
                if len(self.worker_pids()) >= self.workers:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"bench: the server did not answer in {timeout:g} s:\n{self.output()}")

    def output(self) -> str:
        return Path(self.log_file.name).read_text(errors="replace")[-3000:]

    def worker_pids(self) -> list[int]:
        """The processes that serve requests: Uvicorn itself with one worker, else its
        spawned children (not multiprocessing's resource tracker)."""
        if self.workers == 1:
            return [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            pids = [int(p) for p in children.read_text().split()]
        except OSError:
            return []
        workers = []
        for pid in pids:
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if b"resource_tracker" not in cmdline:
                workers.append(pid)
        return workers

    def rss(self) -> int | None:
        """Bytes resident in the worker processes (VmRSS, summed over workers)."""
        total = 0
        for pid in self.worker_pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                return None
            found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
            if found is None:
                return None
            total += int(found.group(1)) * 1024
        return total or None

    def cpu_seconds(self) -> float | None:
        """User and system CPU time the worker processes used so far (/proc/<pid>/stat)."""
        total = 0.0
        tick = os.sysconf("SC_CLK_TCK")
        for pid in self.worker_pids():
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
            except OSError:
                return None
            fields = stat.rpartition(")")[2].split()  # after "pid (comm)": state is field 3
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        return total or None

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log_file.close()
        with contextlib.suppress(OSError):
            os.unlink(self.log_file.name)


@contextlib.contextmanager
def serving(app: str, url: str, workers: int, ready: str, **env: str) -> Iterator[Server]:
    server = Server(app, url, workers, env)
    try:
        server.wait_ready(ready)
        yield server
    finally:
        server.stop()


def gateway_env() -> dict[str, str]:
    return {
        "CONEX_ENV": "prod",
        # prod requires both bases; the benchmarks follow no link.
        "CONEX_PUBLIC_URL": "http://127.0.0.1",
        "CONEX_WEB_URL": "http://127.0.0.1",
        # The per-principal cost bucket would refuse a benchmark's rate: make it endless.
        "CONEX_RATE_LIMIT_CAPACITY": str(10**9),
        "CONEX_RATE_LIMIT_RESTORE_RATE": str(10**9),
        "CONEX_SAFELIST_PATH": str(Path(tempfile.gettempdir()) / "conex-bench-no-safelist.json"),
        "CONEX_MAIL_DIR": str(Path(tempfile.gettempdir()) / "conex-bench-mail"),
    }


# --- load ----------------------------------------------------------------------------------------
