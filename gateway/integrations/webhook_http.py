"""Posting one webhook under the address rule of R-LIVE-2 (issue #15).

In ``prod``: https only; the host is resolved here, at delivery time, and every address it
resolves to must be public (``gateway.domain.webhook.is_public_address``: no private,
loopback, link-local, multicast, reserved or unspecified address, IPv4 or IPv6, mapped ones
included), else nothing is sent. The request then goes to the address that was checked —
the URL's host is replaced by it, the name kept in ``Host`` and as the TLS server name
(``sni_hostname``, which the certificate is verified against) — so a second resolution
cannot swap in another address (DNS rebinding). No proxy from the environment, no redirect
followed (a 3xx is a failure), a short timeout, and at most ``MAX_RESPONSE_BYTES`` of the
answer read. In ``dev`` any address and plain http are allowed (a receiver on 127.0.0.1).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx

from gateway.domain.webhook import is_public_address

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[Address]]]

TIMEOUT = httpx.Timeout(10.0, connect=5.0)  # seconds
MAX_RESPONSE_BYTES = 64 * 1024
USER_AGENT = "Conex-Webhooks/1"


class AddressRefused(Exception):
    """The endpoint's URL or address breaks the rule: nothing was sent."""


@dataclass(frozen=True, slots=True)
class PostResult:
    status: int | None  # the HTTP status; None: no answer
    error: str | None  # why it is not a success (None for a 2xx)

    @property
    def ok(self) -> bool:
        return self.error is None


async def system_resolve(host: str, port: int) -> list[Address]:
    """Every address ``host`` resolves to (the event loop's getaddrinfo)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    found: list[Address] = []
    for *_, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).partition("%")[0])
        if address not in found:
            found.append(address)
    return found


async def checked_address(url: str, *, prod: bool, resolve: Resolver) -> Address:
    """The address to connect to, resolved now; ``AddressRefused`` when the rule forbids it."""
    parts = urlsplit(url)
    host = parts.hostname
    if host is None or parts.scheme not in ("http", "https"):
        raise AddressRefused("not an http(s) URL")
    if prod and parts.scheme != "https":
        raise AddressRefused("https only")
    try:
        addresses: list[Address] = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            addresses = await resolve(host, parts.port or _default_port(parts.scheme))
        except OSError as error:
            raise AddressRefused(f"{host} does not resolve: {error}") from error
    if not addresses:
        raise AddressRefused(f"{host} does not resolve")
    if prod and not all(is_public_address(a) for a in addresses):
        raise AddressRefused(f"{host} resolves to a private, loopback or reserved address")
    return addresses[0]


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def _pinned(url: str, address: Address) -> tuple[str, str, str]:
    """The URL aimed at ``address``, the ``Host`` header, the TLS server name."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or _default_port(parts.scheme)
    literal = f"[{address}]" if address.version == 6 else str(address)
    netloc = f"{literal}:{port}"
    host_header = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=netloc)), host_header, host


async def _read_some(response: httpx.Response) -> None:
    """At most ``MAX_RESPONSE_BYTES`` of the answer (not needed): the rest is left unread."""
    read = 0
    async for chunk in response.aiter_raw():
        read += len(chunk)
        if read >= MAX_RESPONSE_BYTES:
            return


async def post_webhook(
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    prod: bool,
    resolve: Resolver = system_resolve,
    transport: httpx.AsyncBaseTransport | None = None,
) -> PostResult:
    """POST ``body`` to ``url`` under the rule above; a 2xx is a success."""
    try:
        address = await checked_address(url, prod=prod, resolve=resolve)
    except AddressRefused as refused:
        return PostResult(None, f"refused: {refused}")
    target, host_header, server_name = _pinned(url, address)
    sent = {**headers, "Host": host_header, "User-Agent": USER_AGENT}
    extensions = {"sni_hostname": server_name} if target.startswith("https:") else {}
    try:
        async with (
            httpx.AsyncClient(
                transport=transport, timeout=TIMEOUT, follow_redirects=False, trust_env=False
            ) as client,
            client.stream(
                "POST", target, content=body, headers=sent, extensions=extensions
            ) as response,
        ):
            if not response.is_stream_consumed:  # (a test's transport read it already)
                await _read_some(response)
            status = response.status_code
    except httpx.HTTPError as error:
        return PostResult(None, f"{type(error).__name__}: {error}"[:500])
    if 200 <= status < 300:
        return PostResult(status, None)
    return PostResult(status, f"HTTP {status}")
