"""Drives a load job with wrk (and ``bench/wrk.lua``) when installed, else ``bench/loadgen.py``."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from bench.loadgen import Job, LoadGenerator, Outcome

WRK_SCRIPT = Path(__file__).with_name("wrk.lua")


class Driver:
    """Sends a job with wrk (when asked or found) or with the Python load generator."""

    def __init__(self, choice: str, processes: int) -> None:
        wrk = shutil.which("wrk")
        if choice == "wrk" and wrk is None:
            raise SystemExit("bench: --loadgen wrk, but wrk is not installed")
        self.wrk = wrk if choice in ("auto", "wrk") else None
        self.processes = processes
        self.python: LoadGenerator | None = None
        if self.wrk is None:
            self.python = LoadGenerator(processes)

    @property
    def name(self) -> str:
        if self.wrk:
            return f"wrk ({self.processes} threads)"
        return f"bench/loadgen.py ({self.processes} processes)"

    def close(self) -> None:
        if self.python is not None:
            self.python.close()

    def run(self, job: Job) -> Outcome:
        if self.wrk is None:
            assert self.python is not None
            return self.python.run(job)
        return self._run_wrk(job)

    def _run_wrk(self, job: Job) -> Outcome:
        assert self.wrk is not None
        threads = max(1, min(self.processes, job.connections))
        config = _wrk_config(job, threads)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
            file.write(config)
        try:
            duration = job.duration if job.duration is not None else 3600.0
            command = [
                self.wrk,
                "-t",
                str(threads),
                "-c",
                str(job.connections),
                "-d",
                f"{max(1, round(duration))}s",
                "--timeout",
                "30s",
                "-s",
                str(WRK_SCRIPT),
                f"http://{job.target.host}:{job.target.port}{job.target.path}",
            ]
            env = {**os.environ, "BENCH_WRK_CONFIG": file.name}
            done = subprocess.run(command, env=env, capture_output=True, text=True)
        finally:
            os.unlink(file.name)
        found = re.search(r"^BENCH-RESULT (.*)$", done.stdout, re.MULTILINE)
        if done.returncode != 0 or found is None:
            raise SystemExit(f"bench: wrk failed:\n{done.stdout}\n{done.stderr}")
        outcome = _WrkOutcome(json.loads(found.group(1)))
        outcome.connections = job.connections
        return outcome


class _WrkOutcome(Outcome):
    """wrk's summary in the shape of the Python generator's Outcome."""

    def __init__(self, result: dict[str, Any]) -> None:
        super().__init__()
        self.result = result
        self.elapsed = result["duration_us"] / 1e6
        self.ok = result["ok"]
        self.http_errors = result["http_errors"] + result["socket_errors"]
        self.graphql_errors = result["graphql_errors"]
        self.stale = result["stale"]
        self.not_implemented = result["not_implemented"]
        self.rate_limited = result["rate_limited"]
        self.sample = result["sample"].encode()

    @property
    def requests(self) -> int:
        return int(self.result["requests"])

    def percentile_ms(self, p: float) -> float | None:
        return float(self.result[f"p{int(p)}_us"]) / 1000


def _lua_string(value: str) -> str:
    # A JSON string without \u escapes is a valid Lua string literal.
    return json.dumps(value, ensure_ascii=False)


def _wrk_config(job: Job, threads: int) -> str:
    headers = {**job.target.headers}
    if job.method == "POST":
        headers["Content-Type"] = "application/json"
    lines = [
        "return {",
        f"  kind = {_lua_string(job.kind)},",
        f"  method = {_lua_string(job.method)},",
        f"  path = {_lua_string(job.target.path)},",
        f"  threads = {threads},",
        "  headers = {"
        + ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in headers.items())
        + "},",
    ]
    if job.kind == "static" and job.body is not None:
        lines.append(f"  body = {_lua_string(json.dumps(job.body))},")
    if job.kind == "set-po":
        template = json.dumps(
            {
                "query": job.set_po_query,
                "operationName": "SetQuotePoNumber",
                "variables": {"id": "@ID@", "poNumber": "@PO@", "expectedVersion": 123456789},
            }
        )
        head, rest = template.split('"@ID@"')
        middle, rest = rest.split('"@PO@"')
        middle2, tail = rest.split("123456789")
        parts = [head, middle, middle2, tail]
        lines.append("  parts = {" + ", ".join(_lua_string(p) for p in parts) + "},")
        lines.append(
            "  quotes = {"
            + ", ".join(f"{{{_lua_string(gid)}, {version}}}" for gid, version in job.quotes)
            + "},"
        )
    if job.kind == "log-in":
        template = json.dumps(
            {
                "query": job.log_in_query,
                "operationName": "LogIn",
                "variables": {"email": "@EMAIL@", "password": job.password},
            }
        )
        head, tail = template.split('"@EMAIL@"')
        lines.append(f"  parts = {{{_lua_string(head)}, {_lua_string(tail)}}},")
        lines.append("  emails = {" + ", ".join(_lua_string(e) for e in job.emails) + "},")
    lines.append("}")
    return "\n".join(lines) + "\n"
