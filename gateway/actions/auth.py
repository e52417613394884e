"""Auth actions: sign-up, log-in, session refresh and log-out, password reset (R-ACC-2).

Log-in refuses an unknown email, a wrong password, an invited account (no password yet) and
a closed one (R-ACC-4) with one identical error after the same work: an argon2 verify runs
every time (against a dummy hash when there is no account). Password hashing runs on the
small thread pool of ``gateway.auth.passwords``. Passwords and tokens never reach logs, mail
bodies (except a reset link's own token) or audit events.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from db.queries import auth as queries
from db.rows import AccountRow
from db.sessions import IntegrityConflict
from gateway.actions import messages
from gateway.actions.invitation import new_set_password_link
from gateway.actions.unit import UnitOfWork
from gateway.auth import principal as principals
from gateway.auth import sessions
from gateway.auth.passwords import hash_password_off_loop, needs_rehash, verify_password_off_loop
from gateway.auth.principal import Principal
from gateway.auth.ratelimit import RESET_PER_ADDRESS, RESET_PER_EMAIL, RateLimiter
from gateway.auth.tokens import token_hash
from gateway.domain.account import check_new_password, normalise_email
from gateway.domain.account_input import SignUp
from gateway.domain.enums import AccountStatus
from gateway.domain.errors import DomainError, ErrorCode
from gateway.settings import Settings

log = logging.getLogger(__name__)

# Longer than any password sign-up accepts; verified as a wrong one without hashing megabytes.
PASSWORD_INPUT_MAX = 1024
PASSWORD_CHANGE = ("(hidden)", "(changed)")  # what the audit says of a password (R-SEC-3)
SIGN_UP_AUDITED = ("email", "name", "country", "status")

INVALID_CREDENTIALS = "The email or password is not correct."
INVALID_TOKEN = "This link or token is not valid any more."


def invalid_token(field: str) -> DomainError:
    return DomainError(ErrorCode.INVALID_TOKEN, INVALID_TOKEN, field=(field,))


def _email_taken() -> DomainError:
    # One answer whether the account is active or only invited: an invited contact sets its
    # password through its invitation link or "Forgot password", never through sign-up.
    return DomainError(
        ErrorCode.EMAIL_TAKEN,
        'An account with this email already exists. Log in, or use "Forgot password" to '
        "set a new password.",
        field=("email",),
    )


async def sign_up(*, uow: UnitOfWork, principal: Principal, command: SignUp) -> AccountRow:
    """A new ACTIVE account. An email that has a live account — active, or invited because
    someone named it as a contact — is taken: typing an address proves nothing, and an
    invited account already holds the quotes and licenses that name it
    (``gateway.actions.invitation``). A closed account's email is free again (R-ACC-4)."""
    if await queries.account_for_log_in(uow.session, email=command.email) is not None:
        raise _email_taken()
    password_hash = await hash_password_off_loop(command.password)
    try:
        row = await queries.insert_account(
            uow.session,
            email=command.email,
            name=command.name,
            country=command.country,
            password_hash=password_hash,
            now=uow.now,
        )
    except IntegrityConflict:  # a concurrent sign-up took the email (uq_accounts_email_live)
        raise _email_taken() from None
    changes = {column: (None, getattr(row, column)) for column in SIGN_UP_AUDITED}
    uow.audit(
        "signUp",
        "Account",
        row.id,
        {**changes, "password": PASSWORD_CHANGE},
        principal=principal if principal.is_customer else principals.customer(row.id, row.name),
    )
    return row


@dataclass(frozen=True, slots=True)
class LoggedIn:
    account: AccountRow
    issued: sessions.IssuedSession


async def log_in(
    *, uow: UnitOfWork, email: str | None, password: str, settings: Settings
) -> LoggedIn:
    """R-ACC-2, R-ACC-4: one refusal for every reason, after the same argon2 work."""
    row = await queries.account_for_log_in(uow.session, email=email) if email else None
    usable = row if row is not None and row.status == AccountStatus.ACTIVE else None
    if len(password) > PASSWORD_INPUT_MAX:
        usable, password = None, password[:PASSWORD_INPUT_MAX]
    stored_hash = usable.password_hash if usable is not None else None
    if not await verify_password_off_loop(stored_hash, password):
        raise DomainError(ErrorCode.INVALID_CREDENTIALS, INVALID_CREDENTIALS)
    assert usable is not None and stored_hash is not None
    if needs_rehash(stored_hash):
        new_hash = await hash_password_off_loop(password)
        await queries.set_password_hash(uow.session, account_id=usable.id, password_hash=new_hash)
    issued = await sessions.start_session(
        uow.session, account_id=usable.id, settings=settings, now=uow.now
    )
    uow.audit("logIn", "Account", usable.id, principal=principals.customer(usable.id, usable.name))
    return LoggedIn(account=usable, issued=issued)


async def refresh_session(
    *, uow: UnitOfWork, refresh_token: str, settings: Settings
) -> sessions.IssuedSession | None:
    """A rotated session, or None when the token was re-used: the family is revoked, and the
    refusal must be returned, not raised (raising would roll the revocation back)."""
    rotation = await sessions.rotate_session(
        uow.session, refresh_token=refresh_token, settings=settings, now=uow.now
    )
    if rotation.account_id is None:
        raise invalid_token("refreshToken")
    who = principals.customer(rotation.account_id, rotation.account_name)
    if rotation.issued is None:
        log.warning("refresh token re-used: session revoked (account %s)", rotation.account_id)
        uow.audit(
            "tokenRefresh",
            "Account",
            rotation.account_id,
            {"session": ("live", "revoked: refresh token re-used")},
            principal=who,
        )
        return None
    uow.audit("tokenRefresh", "Account", rotation.account_id, principal=who)
    return rotation.issued


async def log_out(*, uow: UnitOfWork, principal: Principal) -> None:
    """Ends the session of the access token used."""
    assert principal.account_id is not None
    ended = 0
    if principal.session_family is not None:
        ended = await sessions.end_session(
            uow.session, family=principal.session_family, now=uow.now
        )
    uow.audit("logOut", "Account", principal.account_id, {"session": ("live", "ended")})
    log.debug("log-out ended %d refresh token(s)", ended)


async def request_password_reset(
    *, uow: UnitOfWork, email: str, limiter: RateLimiter, address: str
) -> None:
    """R-ACC-2: the same answer, after the same look-up, whether the email has an account or
    not; over the rate limits (per email, per client) nothing is sent, silently."""
    email = normalise_email(email)  # a malformed email tells nothing about accounts
    within_email = await limiter.acquire(RESET_PER_EMAIL, email)
    within_address = await limiter.acquire(RESET_PER_ADDRESS, address)
    row = await queries.account_for_log_in(uow.session, email=email)
    if not (within_email and within_address) or row is None:
        return
    # An invited contact (no password yet) gets the same kind of link: it sets the first
    # password and activates the account, proving the address is theirs.
    invited = row.status == AccountStatus.INVITED
    link = await new_set_password_link(uow, account_id=row.id)
    message = messages.password_reset(name=row.name, email=row.email, link=link, invited=invited)
    uow.send(row.email, message)
    uow.audit("passwordResetRequest", "Account", row.id)


async def reset_password(*, uow: UnitOfWork, token: str, new_password: str) -> str:
    """R-ACC-2: a valid, unused, unexpired token sets the new password once; every session of
    the account ends. The token of an invited contact's account activates it. Returns the
    account's email."""
    found = await queries.usable_password_reset_token(
        uow.session, token_hash=token_hash(token), now=uow.now
    )
    if found is None:
        raise invalid_token("token")
    check_new_password(new_password, email=found.email)
    used = await queries.use_password_reset_token(
        uow.session, token_id=found.id, account_id=found.account_id, now=uow.now
    )
    if not used:
        raise invalid_token("token")
    password_hash = await hash_password_off_loop(new_password)
    activated = found.status == AccountStatus.INVITED  # the link proved the address
    await queries.set_password_hash(
        uow.session, account_id=found.account_id, password_hash=password_hash, activate=activated
    )
    ended = await sessions.end_all_sessions(uow.session, account_id=found.account_id, now=uow.now)
    if activated:
        message = messages.welcome(name=found.name, web_url=uow.web_url)
    else:
        message = messages.password_was_reset(name=found.name, at=uow.now, web_url=uow.web_url)
    uow.send(found.email, message)
    uow.audit(
        "passwordReset",
        "Account",
        found.account_id,
        {
            "password": PASSWORD_CHANGE,
            "liveSessions": (ended, 0),
            "status": (found.status, AccountStatus.ACTIVE),
        },
        principal=principals.customer(found.account_id, found.name),
    )
    return str(found.email)
