"""From an ``Authorization`` header to a ``Principal``; anything wrong is ``Unauthenticated``."""

from __future__ import annotations

import datetime as dt

from db.queries import auth as queries
from db.sessions import Engine
from gateway.auth import principal as principals
from gateway.auth.principal import ANONYMOUS, Principal
from gateway.auth.tokens import InvalidToken, opaque_token_kind, read_access_token, token_hash
from gateway.domain.enums import PartnerScope, TokenKind


class Unauthenticated(Exception):
    """A credential was sent and it is not good: missing, malformed, expired or revoked."""


async def authenticate(
    authorization: str | None, *, engine: Engine, key: str, now: dt.datetime
) -> Principal:
    if authorization is None:
        return ANONYMOUS
    scheme, _, credential = authorization.partition(" ")
    credential = credential.strip()
    if scheme.lower() != "bearer" or not credential:
        raise Unauthenticated("use 'Authorization: Bearer <token>'")
    kind = opaque_token_kind(credential)
    async with engine.connect() as conn:
        if kind is None:
            if credential.startswith(("cnxp_", "cnxs_")):
                raise Unauthenticated("the token is not valid")
            try:
                claims = read_access_token(credential, key=key)
            except InvalidToken:
                raise Unauthenticated("the token is not valid or has expired") from None
            found = await queries.live_session_account(
                conn, account_id=claims.account_id, session_family=claims.session_family
            )
            if found is None:
                raise Unauthenticated("the session has ended")
            return principals.customer(found[0], found[1], session_family=claims.session_family)
        usable = await queries.usable_api_token(conn, token_hash=token_hash(credential), now=now)
    if usable is None:
        raise Unauthenticated("the token is not valid, has expired or was revoked")
    if kind is TokenKind.STAFF and usable.kind is TokenKind.STAFF:
        return principals.staff(usable.id, usable.name)
    if kind is TokenKind.PARTNER and usable.partner_id is not None:
        scopes = frozenset(PartnerScope(s) for s in usable.scopes if s in PartnerScope.__members__)
        return principals.partner(usable.partner_id, usable.id, scopes, usable.partner_name or "")
    raise Unauthenticated("the token is not valid")
