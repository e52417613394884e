"""Invitations: how a contact who has no password yet proves the email is theirs.

Naming an unknown email as a contact (a quote, a license) creates an INVITED account. That
account is activated only through a single-use link mailed to the address — the same kind of
token a password reset uses (R-ACC-2), so the web UI's reset page (``ResetPassword``) sets
the first password and activates the account. Signing up with an invited email does not
activate it: whoever types the address into the sign-up form has proved nothing, and the
account already holds the quotes and licenses that name it.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from db.queries import auth as queries
from gateway.actions import messages
from gateway.actions.unit import UnitOfWork
from gateway.auth.tokens import new_secret, token_hash

# Long enough for a colleague to read a quote mail after a holiday; a lapsed link is
# replaced by asking for a password reset with the same address.
INVITATION_LIFETIME = dt.timedelta(days=7)
RESET_TOKEN_LIFETIME = dt.timedelta(hours=1)  # R-ACC-2


def set_password_link(web_url: str, token: str) -> str:
    return f"{web_url.rstrip('/')}/reset-password?token={quote(token, safe='')}"


async def new_set_password_link(
    unit: UnitOfWork, *, account_id: int, lifetime: dt.timedelta = RESET_TOKEN_LIFETIME
) -> str:
    """A single-use link that sets the account's password (and activates an invited one);
    only the token's hash is stored."""
    token = new_secret()
    await queries.insert_password_reset_token(
        unit.session,
        account_id=account_id,
        token_hash=token_hash(token),
        now=unit.now,
        expires_at=unit.now + lifetime,
    )
    return set_password_link(unit.web_url, token)


async def invite_contact(
    unit: UnitOfWork, *, account_id: int, email: str, subject: str, reason: str
) -> None:
    """Queue the invitation of a newly invited contact, with its set-password link."""
    link = await new_set_password_link(unit, account_id=account_id, lifetime=INVITATION_LIFETIME)
    unit.send(email, messages.contact_invitation(subject=subject, reason=reason, link=link))
