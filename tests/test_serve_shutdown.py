"""``serve --graceful-timeout``: on SIGTERM the gateway stops taking connections, lets the
requests in flight finish and exits 0; a request still running after the timeout is cut.

A request is held in flight from the outside, with no hook in the gateway: the test sends the
headers of a POST /graphql and half of its body (``Content-Length`` says how much is missing),
so the app is running, waiting for the rest, when SIGTERM comes. That the server has read
what was sent is seen from outside too: its socket's receive queue in /proc/net/tcp is empty.
"""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path
from typing import Any

import pytest

from tests import served
from tests.served import Served

QUERY = "{ supportPlans { tier } }"
TCP_TABLE = Path("/proc/net/tcp")


@pytest.fixture
def database(sqlite_template: Path) -> Path:
    """The worker's migrated SQLite template (tests/conftest.py): each server gets a copy."""
    return sqlite_template


class HalfSentPost:
    """A POST /graphql whose body is half sent: in flight until ``finish``."""

    def __init__(self, gateway: Served) -> None:
        body = json.dumps({"query": QUERY}).encode()
        self._rest = body[len(body) // 2 :]
        head = (
            f"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1:{gateway.port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        self.sock = socket.create_connection(("127.0.0.1", gateway.port), timeout=30)
        self.sock.sendall(head + body[: len(body) // 2])
        _wait_until_read(server_port=gateway.port, client_port=self.sock.getsockname()[1])

    def finish(self) -> None:
        self.sock.sendall(self._rest)

    def response(self) -> tuple[int, dict[str, str], bytes]:
        """Status, headers and body, read until the server closes the connection."""
        data = b""
        while chunk := self.sock.recv(65536):
            data += chunk
        self.sock.close()
        head, _, body = data.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return int(status_line.split()[1]), headers, body


def _wait_until_read(*, server_port: int, client_port: int, timeout: float = 10.0) -> None:
    """Until the server's end of the connection has no unread bytes (Linux's TCP table)."""
    if not TCP_TABLE.exists():  # not Linux: the server reads loopback data in well under this
        time.sleep(1.0)
        return
    local, remote = f":{server_port:04X}", f":{client_port:04X}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in TCP_TABLE.read_text().splitlines()[1:]:
            fields = line.split()  # sl local rem st tx_queue:rx_queue …
            ours = fields[1].endswith(local) and fields[2].endswith(remote)
            if ours and int(fields[4].split(":")[1], 16) == 0:
                return
        time.sleep(0.02)
    raise AssertionError("the server did not read the request's headers")


def connection_refused(gateway: Served, within: float = 10.0) -> bool:
    """Whether a new connection is refused within ``within`` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", gateway.port), timeout=1).close()
        except ConnectionRefusedError:
            return True
        time.sleep(0.05)
    return False


def exit_status(gateway: Served, *, signalled: float, within: float) -> int:
    """The exit status, once the process has ended within ``within`` s of ``signalled``."""
    status = gateway.process.wait(timeout=within)
    assert time.monotonic() - signalled < within
    return status


def plans(body: bytes) -> Any:
    return json.loads(body)["data"]["supportPlans"]


def test_sigterm_lets_the_request_in_flight_finish_and_refuses_new_ones(
    database: Path, tmp_path: Path
) -> None:
    with served.serve(database, tmp_path, "--graceful-timeout", "20") as gateway:
        in_flight = HalfSentPost(gateway)
        gateway.terminate()
        signalled = time.monotonic()
        assert connection_refused(gateway), "the gateway still takes connections after SIGTERM"
        assert gateway.process.poll() is None, "it did not wait for the request in flight"
        in_flight.finish()
        status, headers, body = in_flight.response()
        assert status == 200, body
        assert headers["connection"] == "close"
        assert [plan["tier"] for plan in plans(body)] == [
            "STARTER",
            "EXPRESS",
            "PROFESSIONAL",
            "ENTERPRISE",
        ]
        code = exit_status(gateway, signalled=signalled, within=20)
        assert code == 0, gateway.log.read_text()[-3000:]


def test_a_request_still_in_flight_after_the_timeout_is_cut(database: Path, tmp_path: Path) -> None:
    with served.serve(database, tmp_path, "--graceful-timeout", "2") as gateway:
        in_flight = HalfSentPost(gateway)
        gateway.terminate()
        signalled = time.monotonic()
        assert connection_refused(gateway)
        code = exit_status(gateway, signalled=signalled, within=15)  # the rest never comes
        assert code == 0, gateway.log.read_text()[-3000:]
        assert time.monotonic() - signalled >= 2.0  # it waited for the request, then no longer
        status, _, _ = in_flight.response()
        assert status == 500
        gateway.wait_for_record(
            lambda r: "timeout graceful shutdown exceeded" in str(r.get("message", ""))
        )


def test_with_workers_sigterm_still_finishes_the_request_in_flight(
    database: Path, tmp_path: Path
) -> None:
    # With --workers the supervisor keeps the listening socket until its workers have
    # stopped (new connections wait, unanswered): the load balancer's drain comes first.
    with served.serve(database, tmp_path, "--workers", "2", "--graceful-timeout", "20") as gateway:
        in_flight = HalfSentPost(gateway)
        gateway.terminate()
        signalled = time.monotonic()
        time.sleep(0.5)
        assert gateway.process.poll() is None
        in_flight.finish()
        status, _, body = in_flight.response()
        assert status == 200, body
        assert len(plans(body)) == 4
        code = exit_status(gateway, signalled=signalled, within=20)
        assert code == 0, gateway.log.read_text()[-3000:]
