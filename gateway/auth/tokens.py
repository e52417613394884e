"""Bearer tokens: signed JWT access tokens for customers, opaque API tokens for partners/staff.

Opaque tokens look like ``cnxp_<30 random base62><6 base62 CRC32>``: the prefix says what
they are (and lets secret scanners find leaked ones), the checksum rejects typos without a
database look-up, and only their SHA-256 is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import zlib
from dataclasses import dataclass

import jwt

from gateway.domain.enums import TokenKind

ISSUER = "conex-gateway"
AUDIENCE = "my-conex"
ALGORITHMS = ["HS256"]  # fixed allow-list: never taken from the token header
PREFIXES = {TokenKind.PARTNER: "cnxp_", TokenKind.STAFF: "cnxs_"}
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_BODY_LEN = 30
_CHECK_LEN = 6


class InvalidToken(Exception):
    """The token is malformed, tampered with, expired or meant for someone else."""


def _base62(number: int, width: int) -> str:
    digits = []
    for _ in range(width):
        number, rest = divmod(number, 62)
        digits.append(_BASE62[rest])
    return "".join(reversed(digits))


def _checksum(body: str) -> str:
    return _base62(zlib.crc32(body.encode()), _CHECK_LEN)


def new_opaque_token(kind: TokenKind) -> str:
    body = "".join(secrets.choice(_BASE62) for _ in range(_BODY_LEN))
    return PREFIXES[kind] + body + _checksum(body)


def opaque_token_kind(token: str) -> TokenKind | None:
    """The kind of a well-formed opaque token (prefix and checksum), else None."""
    for kind, prefix in PREFIXES.items():
        if token.startswith(prefix):
            rest = token[len(prefix) :]
            if len(rest) != _BODY_LEN + _CHECK_LEN or any(c not in _BASE62 for c in rest):
                return None
            body, check = rest[:_BODY_LEN], rest[_BODY_LEN:]
            return kind if secrets.compare_digest(_checksum(body), check) else None
    return None


def token_hash(token: str) -> str:
    """What we store for any opaque secret (API, refresh and reset tokens)."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_secret() -> str:
    """An opaque secret for refresh and password-reset tokens."""
    return secrets.token_urlsafe(32)


@dataclass(frozen=True, slots=True)
class AccessClaims:
    account_id: int
    session_family: str
    expires_at: dt.datetime


def issue_access_token(
    *, account_id: int, session_family: str, key: str, now: dt.datetime, minutes: int
) -> tuple[str, dt.datetime]:
    expires_at = now + dt.timedelta(minutes=minutes)
    claims = {
        "sub": str(account_id),
        "sid": session_family,
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": int(now.timestamp()),
        "exp": int(expires_at.timestamp()),
    }
    return jwt.encode(claims, key, algorithm=ALGORITHMS[0]), expires_at


def read_access_token(token: str, *, key: str) -> AccessClaims:
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=ALGORITHMS,
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": ["exp", "iat", "iss", "aud", "sub", "sid"]},
        )
        return AccessClaims(
            account_id=int(claims["sub"]),
            session_family=str(claims["sid"]),
            expires_at=dt.datetime.fromtimestamp(claims["exp"], dt.UTC),
        )
    except (jwt.PyJWTError, ValueError, TypeError) as exc:
        raise InvalidToken(str(exc)) from None
