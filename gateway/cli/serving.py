"""What ``serve`` tells Uvicorn besides the app: whose proxy headers to believe, how long a
shutdown may wait for requests in flight, and the exit status of a stop by SIGTERM.

Proxy headers are Uvicorn's own (``ProxyHeadersMiddleware``): with ``--proxy-headers`` a
request whose peer is one of ``--forwarded-allow-ips`` gets its client address (and scheme)
from ``X-Forwarded-For`` (``X-Forwarded-Proto``), and everything that keys on the client
address follows: the cost throttle of anonymous requests, the log-in limit per address, the
access line's ``client``. Off by default — unlike Uvicorn, which believes 127.0.0.1 unless
told otherwise: a gateway reached directly must not let its callers choose their address.
``*`` is refused: Uvicorn then takes the left-most address of the header, which the client
writes itself, so anyone could pick a fresh address per request and escape the per-address
limits. Naming the proxies' addresses or networks makes Uvicorn take the nearest address no
trusted proxy wrote.

Graceful shutdown is Uvicorn's ``timeout_graceful_shutdown``: on SIGTERM the listening
socket is closed (new connections are refused), idle keep-alive connections are closed,
requests in flight finish and their connections close after the answer; whatever still runs
after ``--graceful-timeout`` seconds is cancelled (its client gets a 500), then the app shuts
down. Uvicorn ends by raising the signal again, so a process it stopped on SIGTERM would die
of it (status 143 in a shell); a stop that was asked for and completed is a success, so
``serve`` exits 0, as it already does after Ctrl-C.

``--timeout-keep-alive`` is Uvicorn's too: behind a load balancer that keeps idle connections
to the gateway open longer than the gateway does, the balancer may send a request on a
connection the gateway is closing that very moment (a 502 for the client); the gateway's
keep-alive must then outlast the balancer's idle timeout.
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import signal
from collections.abc import Iterator
from types import FrameType
from typing import Any

from gateway.cli.base import ConfigurationError

#: ``--forwarded-allow-ips`` when ``--proxy-headers`` is given alone: a proxy on this host.
LOCAL_PROXIES = ("127.0.0.1", "::1")
#: Seconds a shutdown waits for requests in flight (above CONEX_REQUEST_TIMEOUT's default).
GRACEFUL_TIMEOUT = 30
#: Seconds an idle keep-alive connection stays open (Uvicorn's default).
KEEP_ALIVE_TIMEOUT = 5
MAX_TIMEOUT = 3600


def trusted_proxies(text: str) -> list[str]:
    """``--forwarded-allow-ips``: comma-separated IP addresses and networks (``10.0.0.0/8``)."""
    entries = [part.strip() for part in text.split(",") if part.strip()]
    if not entries:
        raise argparse.ArgumentTypeError("name the proxies' IP addresses or networks")
    for entry in entries:
        if entry == "*":
            raise argparse.ArgumentTypeError(
                "'*' would let any client choose its address; "
                "name the proxies' addresses or networks (e.g. 10.0.0.0/8)"
            )
        try:
            if "/" in entry:
                ipaddress.ip_network(entry)  # strict, as Uvicorn reads it: no host bits set
            else:
                ipaddress.ip_address(entry)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(f"{entry!r}: {exc}") from None
    return entries


def whole_seconds(text: str) -> int:
    """``--graceful-timeout``, ``--timeout-keep-alive``: whole seconds, as Uvicorn takes them."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of seconds: {text!r}") from None
    if not 1 <= value <= MAX_TIMEOUT:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_TIMEOUT}, got {value}")
    return value


def uvicorn_options(args: argparse.Namespace) -> dict[str, Any]:
    """The keyword arguments of ``uvicorn.run`` that come from ``serve``'s operating options."""
    proxy_headers = bool(getattr(args, "proxy_headers", False))
    allowed: list[str] | None = getattr(args, "forwarded_allow_ips", None)
    if allowed is not None and not proxy_headers:
        raise ConfigurationError("--forwarded-allow-ips needs --proxy-headers")
    return {
        "proxy_headers": proxy_headers,
        # Always given: Uvicorn would otherwise read FORWARDED_ALLOW_IPS from the environment.
        "forwarded_allow_ips": list(allowed or LOCAL_PROXIES),
        "timeout_graceful_shutdown": getattr(args, "graceful_timeout", None) or GRACEFUL_TIMEOUT,
        "timeout_keep_alive": getattr(args, "timeout_keep_alive", None) or KEEP_ALIVE_TIMEOUT,
    }


class _Terminated(Exception):
    """SIGTERM arrived: Uvicorn has shut down (or had not started yet)."""


def _terminated(_signum: int, _frame: FrameType | None) -> None:
    raise _Terminated


@contextlib.contextmanager
def sigterm_exits_cleanly() -> Iterator[None]:
    """Around ``uvicorn.run``: a SIGTERM that Uvicorn handled (and raises again once it has
    shut down) ends the block normally. With ``--workers`` Uvicorn's supervisor installs its
    own handlers and returns by itself once its workers have stopped."""
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        yield
    except _Terminated:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
