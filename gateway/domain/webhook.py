"""Partner webhooks (issue #15, R-LIVE-2): the endpoint's input, who may receive what, the
address rule of ``prod``, the retry schedule and the signing secret. Pure: no I/O.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import ipaddress
import random
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from gateway.domain.account import normalise_email_at
from gateway.domain.enums import PartnerScope, WebhookEvent
from gateway.domain.errors import DomainError, ErrorCode, Refusals

MAX_ENDPOINTS = 10  # per partner, disabled ones included (delete them to make room)
MAX_URL_LENGTH = 2000
RETRY_FOR = dt.timedelta(hours=24)  # a delivery is retried, and an endpoint may fail, this long
FIRST_RETRY = dt.timedelta(seconds=10)
LAST_RETRY = dt.timedelta(hours=2)

# The scope a token needs to read what an event is about (R-SEC-2): an endpoint receives only
# what the token that created it may read.
READ_SCOPE: dict[WebhookEvent, PartnerScope] = {
    WebhookEvent.QUOTE_CREATED: PartnerScope.QUOTES_READ,
    WebhookEvent.QUOTE_UPDATED: PartnerScope.QUOTES_READ,
    WebhookEvent.QUOTE_PAID: PartnerScope.QUOTES_READ,
    WebhookEvent.ORDER_CREATED: PartnerScope.ORDERS_READ,
    WebhookEvent.LICENSE_ISSUED: PartnerScope.LICENSES_READ,
    WebhookEvent.LICENSE_UPDATED: PartnerScope.LICENSES_READ,
}


@dataclass(frozen=True, slots=True)
class EndpointCreate:
    url: str
    events: tuple[WebhookEvent, ...]  # distinct, in the enum's order
    alert_email: str | None

    @property
    def events_column(self) -> str:
        """``,A,B,``: what ``webhook_endpoints.events`` holds (one LIKE matches an event)."""
        return "," + ",".join(self.events) + ","


def check_url(url: str, *, prod: bool) -> str:
    """An absolute http(s) URL without credentials; ``https`` in prod, where a literal address
    must also be public (a host name is checked at each delivery, ``is_public_address``)."""
    field = ("url",)
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise DomainError(ErrorCode.TOO_LONG, f"At most {MAX_URL_LENGTH} characters", field=field)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError as error:
        raise DomainError(ErrorCode.INVALID, "Not a URL", field=field) from error
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DomainError(ErrorCode.INVALID, "An absolute https:// URL", field=field)
    if parts.username is not None or parts.password is not None or parts.fragment:
        raise DomainError(ErrorCode.INVALID, "No credentials or fragment in the URL", field=field)
    if prod and parts.scheme != "https":
        raise DomainError(ErrorCode.HTTPS_REQUIRED, "Webhook endpoints use https", field=field)
    if prod:
        literal = _literal_address(parts.hostname)
        if literal is not None and not is_public_address(literal):
            raise DomainError(ErrorCode.ADDRESS_NOT_ALLOWED, "Not a public address", field=field)
    return url


def parse_endpoint_create(
    *,
    url: str,
    events: Sequence[WebhookEvent],
    alert_email: str | None,
    scopes: frozenset[PartnerScope],
    prod: bool,
) -> EndpointCreate:
    """R-LIVE-2: every bad field at once, under ``input``."""
    refusals = Refusals()
    checked_url = refusals.check(lambda: check_url(url, prod=prod))
    chosen = tuple(e for e in WebhookEvent if e in set(events))
    if not chosen:
        refusals.add(DomainError(ErrorCode.REQUIRED, "Name one event or more", field=("events",)))
    unreadable = [e for e in chosen if READ_SCOPE[e] not in scopes]
    if unreadable:
        needed = sorted({READ_SCOPE[e].value for e in unreadable})
        refusals.add(
            DomainError(
                ErrorCode.SCOPE_REQUIRED,
                f"This token may not read what {', '.join(unreadable)} are about "
                f"(needs {', '.join(needed)})",
                field=("events",),
            )
        )
    email = None
    if alert_email is not None:
        email = refusals.check(lambda: normalise_email_at(alert_email, field=("alertEmail",)))
    refusals.raise_any(("input",))
    assert checked_url is not None
    return EndpointCreate(url=checked_url, events=chosen, alert_email=email)


def check_endpoint_room(existing: int) -> None:
    if existing >= MAX_ENDPOINTS:
        raise DomainError(
            ErrorCode.TOO_MANY_ENDPOINTS,
            f"At most {MAX_ENDPOINTS} webhook endpoints per partner: delete one first",
            field=("input", "url"),
        )


def _literal_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def is_public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """R-LIVE-2 (prod): a global unicast address. Refused: private, loopback, link-local,
    multicast, reserved, unspecified, shared (100.64/10) and documentation ranges, on IPv4 and
    IPv6; an IPv4-mapped or IPv4-translated IPv6 address (``::ffff:10.0.0.1``) is judged by
    its IPv4 address, 6to4 and Teredo by the IPv4 they embed."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:  # the IPv4 address itself, on a dual stack
            return is_public_address(address.ipv4_mapped)
        if address in _NAT64:  # translated to the IPv4 address it embeds
            return is_public_address(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        embedded = address.sixtofour or (address.teredo[1] if address.teredo else None)
        if embedded is not None and not is_public_address(embedded):
            return False
    return not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def retry_delay(attempts: int, *, rand: random.Random | None = None) -> dt.timedelta:
    """Exponential back-off with jitter after the ``attempts``-th failure: 10 s doubling to at
    most two hours, each drawn between half and all of it (so that receivers coming back up
    are not hit by every sender at once)."""
    ceiling: dt.timedelta = min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LAST_RETRY)
    fraction = (rand or random).uniform(0.5, 1.0)
    return ceiling * fraction


def gives_up(created_at: dt.datetime, now: dt.datetime) -> bool:
    """A delivery is tried for 24 hours from the event (at least once)."""
    return now - created_at >= RETRY_FOR


def endpoint_fails_too_long(failing_since: dt.datetime | None, now: dt.datetime) -> bool:
    """R-LIVE-2: an endpoint failing for 24 hours is disabled."""
    return failing_since is not None and now - failing_since >= RETRY_FOR


def signing_secret(secret_key: str, salt: str) -> str:
    """The endpoint's Standard Webhooks secret, ``whsec_`` + base64 of 32 bytes: derived from
    the app's ``CONEX_SECRET_KEY`` and the endpoint's random salt (HMAC-SHA256), so that only
    a process holding the key can sign, and what the database holds (the salt) signs nothing."""
    key = hmac.new(
        secret_key.encode(), b"conex webhook signing secret\x00" + salt.encode(), hashlib.sha256
    ).digest()
    return "whsec_" + base64.b64encode(key).decode()
