"""Auth mutations: sign-up, log-in, session refresh and log-out, password reset (R-ACC-2).

Log-in refuses an unknown email, a wrong password, an invited account (no password yet) and
a closed one (R-ACC-4) with one identical error after the same work: an argon2 verify runs
every time (against a dummy hash when there is no account). Password hashing runs on the
small thread pool of ``gateway.auth.passwords``. Passwords and tokens never reach logs, mail
bodies (except a reset link's own token) or audit events.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.exc import IntegrityError

from db.queries import auth as queries
from gateway.actions.invitation import new_set_password_link
from gateway.actions.unit import UnitOfWork
from gateway.auth import principal as principals
from gateway.auth import sessions
from gateway.auth.guards import require
from gateway.auth.passwords import (
    hash_password_off_loop,
    needs_rehash,
    verify_password_off_loop,
)
from gateway.auth.ratelimit import (
    LOG_IN_PER_ADDRESS,
    LOG_IN_PER_EMAIL,
    RESET_PER_ADDRESS,
    RESET_PER_EMAIL,
    RateLimiter,
    rate_limiter,
)
from gateway.auth.tokens import token_hash
from gateway.domain.account import (
    check_account_name,
    check_country,
    check_new_password,
    check_password_strength,
    normalise_email,
)
from gateway.domain.enums import AccountStatus, PrincipalKind
from gateway.domain.errors import DomainError, ErrorCode
from gateway.resolvers.mutate import DomainErrors, collect, mutate
from gateway.schema import payloads as p
from gateway.schema.account import Account
from gateway.schema.common import UserError
from gateway.schema.info import Info
from gateway.schema.mutation_inputs import (
    LogInInput,
    PasswordResetInput,
    PasswordResetRequestInput,
    SignUpInput,
    TokenRefreshInput,
)

log = logging.getLogger(__name__)


# Anyone may sign up, log in or reset a password; a signed-in customer too (another account,
# a second device). Partner and staff tokens have no business here.
PUBLIC = (PrincipalKind.ANONYMOUS, PrincipalKind.CUSTOMER)
# Longer than any password sign-up accepts; verified as a wrong one without hashing megabytes.
PASSWORD_INPUT_MAX = 1024
PASSWORD_CHANGE = ("(hidden)", "(changed)")  # what the audit says of a password (R-SEC-3)
SIGN_UP_AUDITED = ("email", "name", "country", "status")

INVALID_CREDENTIALS = "The email or password is not correct."
RATE_LIMITED = "Too many attempts. Wait a few minutes and try again."
INVALID_TOKEN = "This link or token is not valid any more."


def _limiter(info: Info) -> RateLimiter:
    return rate_limiter(info.context.request.app.state)


def _client_address(info: Info) -> str:
    client = info.context.request.client
    return client.host if client is not None else "unknown"


# --- signUp -----------------------------------------------------------------------------------


def _sign_up_fields(input: SignUpInput) -> tuple[str, str, str]:
    """Every bad field at once."""
    errors: list[DomainError] = []
    email = collect(errors, lambda: normalise_email(input.email))
    name = collect(errors, lambda: check_account_name(input.name))
    country = collect(errors, lambda: check_country(input.country, ("country",)))
    collect(errors, lambda: check_password_strength(input.password, email=email))
    if errors:
        raise DomainErrors(errors)
    assert email is not None and name is not None and country is not None
    return email, name, country


def _email_taken() -> DomainError:
    # One answer whether the account is active or only invited: an invited contact sets its
    # password through its invitation link or "Forgot password", never through sign-up.
    return DomainError(
        ErrorCode.EMAIL_TAKEN,
        'An account with this email already exists. Log in, or use "Forgot password" to '
        "set a new password.",
        field=("email",),
    )


async def sign_up(info: Info, input: SignUpInput) -> p.SignUpPayload:
    """A new ACTIVE account. An email that has a live account — active, or invited because
    someone named it as a contact — is taken: typing an address proves nothing, and an
    invited account already holds the quotes and licenses that name it
    (``gateway.resolvers.invitation``). A closed account's email is free again (R-ACC-4)."""
    caller = require(info, *PUBLIC)

    async def work(unit: UnitOfWork) -> dict[str, Any]:
        email, name, country = _sign_up_fields(input)
        if await queries.account_for_log_in(unit.session, email=email) is not None:
            raise _email_taken()
        password_hash = await hash_password_off_loop(input.password)
        try:
            row = await queries.insert_account(
                unit.session,
                email=email,
                name=name,
                country=country,
                password_hash=password_hash,
                now=unit.now,
            )
        except IntegrityError:  # a concurrent sign-up took the email (uq_accounts_email_live)
            raise _email_taken() from None
        changes = {column: (None, getattr(row, column)) for column in SIGN_UP_AUDITED}
        unit.audit(
            "signUp",
            "Account",
            row.id,
            {**changes, "password": PASSWORD_CHANGE},
            principal=caller if caller.is_customer else principals.customer(row.id, row.name),
        )
        return {"account": Account.from_row(row)}

    return await mutate(info, p.SignUpPayload, work, field_prefix=("input",))


# --- logIn ------------------------------------------------------------------------------------


async def log_in(info: Info, input: LogInInput) -> p.LogInPayload:
    require(info, *PUBLIC)
    limiter = _limiter(info)
    address = _client_address(info)
    try:
        email: str | None = normalise_email(input.email)
    except DomainError:
        email = None  # cannot be anyone's: refused like an unknown email, not told apart
    subject = email or input.email.strip().lower()
    # Both slots are taken before any password is checked, so parallel guesses are counted.
    email_allowed = await limiter.acquire(LOG_IN_PER_EMAIL, subject)
    address_allowed = await limiter.acquire(LOG_IN_PER_ADDRESS, address)
    if not (email_allowed and address_allowed):
        log.info("log-in throttled for a client at %s", address)
        return p.LogInPayload(
            user_errors=[UserError(field=None, code=ErrorCode.RATE_LIMITED, message=RATE_LIMITED)]
        )

    async def work(unit: UnitOfWork) -> dict[str, Any]:
        row = await queries.account_for_log_in(unit.session, email=email) if email else None
        usable = row if row is not None and row.status == AccountStatus.ACTIVE else None
        password = input.password
        if len(password) > PASSWORD_INPUT_MAX:
            usable, password = None, password[:PASSWORD_INPUT_MAX]
        stored_hash = usable.password_hash if usable is not None else None
        if not await verify_password_off_loop(stored_hash, password):
            raise DomainError(ErrorCode.INVALID_CREDENTIALS, INVALID_CREDENTIALS)
        assert usable is not None and stored_hash is not None
        if needs_rehash(stored_hash):
            new_hash = await hash_password_off_loop(password)
            await queries.set_password_hash(
                unit.session, account_id=usable.id, password_hash=new_hash
            )
        issued = await sessions.start_session(
            unit.session, account_id=usable.id, settings=info.context.settings, now=unit.now
        )
        unit.audit(
            "logIn", "Account", usable.id, principal=principals.customer(usable.id, usable.name)
        )
        return {
            "access_token": issued.access_token,
            "refresh_token": issued.refresh_token,
            "expires_at": issued.expires_at,
            "account": Account.from_row(usable),
        }

    payload = await mutate(info, p.LogInPayload, work)
    if payload.user_errors:
        log.info("log-in refused for a client at %s", address)
    else:  # a success does not count as an attempt
        await limiter.reset(LOG_IN_PER_EMAIL, subject)
        await limiter.release(LOG_IN_PER_ADDRESS, address)
    return payload


# --- tokenRefresh, logOut ---------------------------------------------------------------------


def _invalid_token(field: str) -> DomainError:
    return DomainError(ErrorCode.INVALID_TOKEN, INVALID_TOKEN, field=(field,))


async def token_refresh(info: Info, input: TokenRefreshInput) -> p.TokenRefreshPayload:
    require(info, *PUBLIC)

    async def work(unit: UnitOfWork) -> dict[str, Any]:
        rotation = await sessions.rotate_session(
            unit.session,
            refresh_token=input.refresh_token,
            settings=info.context.settings,
            now=unit.now,
        )
        if rotation.account_id is None:
            raise _invalid_token("refreshToken")
        who = principals.customer(rotation.account_id, rotation.account_name)
        if rotation.issued is None:
            # Re-use of a rotated token: the family's revocation must be committed, so the
            # refusal is returned rather than raised (raising would roll it back).
            log.warning("refresh token re-used: session revoked (account %s)", rotation.account_id)
            unit.audit(
                "tokenRefresh",
                "Account",
                rotation.account_id,
                {"session": ("live", "revoked: refresh token re-used")},
                principal=who,
            )
            refusal = UserError(
                field=["input", "refreshToken"], code=ErrorCode.INVALID_TOKEN, message=INVALID_TOKEN
            )
            return {"user_errors": [refusal]}
        unit.audit("tokenRefresh", "Account", rotation.account_id, principal=who)
        return {
            "access_token": rotation.issued.access_token,
            "refresh_token": rotation.issued.refresh_token,
            "expires_at": rotation.issued.expires_at,
        }

    return await mutate(info, p.TokenRefreshPayload, work, field_prefix=("input",))


async def log_out(info: Info) -> p.LogOutPayload:
    """Ends the session of the access token used: its refresh tokens are revoked and the
    access token itself is refused from now on (HTTP 401)."""
    principal = require(info, PrincipalKind.CUSTOMER)
    account_id = principal.account_id
    assert account_id is not None

    async def work(unit: UnitOfWork) -> dict[str, Any]:
        ended = 0
        if principal.session_family is not None:
            ended = await sessions.end_session(
                unit.session, family=principal.session_family, now=unit.now
            )
        unit.audit("logOut", "Account", account_id, {"session": ("live", "ended")})
        log.debug("log-out ended %d refresh token(s)", ended)
        return {}

    return await mutate(info, p.LogOutPayload, work)


# --- password reset (R-ACC-2) -----------------------------------------------------------------


def _reset_mail_body(name: str, link: str, *, invited: bool) -> str:
    asked = (
        "Someone, probably you, asked to set the password of the My Conex account this\n"
        "address was invited to (a Conex quote or license names it as a contact).\n"
        if invited
        else "Someone, probably you, asked to reset the password of your My Conex account.\n"
    )
    return (
        f"Hello {name},\n\n"
        f"{asked}"
        "To choose a new password, open this link within the next hour:\n\n"
        f"{link}\n\n"
        "The link works once. If you did not ask for it, ignore this message: your password\n"
        "stays as it is.\n\n"
        "-- My Conex\n"
    )


def _password_changed_body(name: str) -> str:
    return (
        f"Hello {name},\n\n"
        "The password of your My Conex account was just reset, and every device signed in\n"
        "to it was signed out. If this was not you, reset your password again right away\n"
        "and contact Conex support.\n\n"
        "-- My Conex\n"
    )


def _welcome_body(name: str) -> str:
    return (
        f"Hello {name},\n\n"
        "Your My Conex account is ready: log in with this address and the password you just\n"
        "chose to see the quotes and licenses that name you as a contact.\n\n"
        "-- My Conex\n"
    )


async def password_reset_request(info: Info, input: PasswordResetRequestInput) -> p.Payload:
    """R-ACC-2: the same answer, after the same look-up, whether the email has an account or
    not; over the rate limits (per email, per client) nothing is sent, silently."""
    require(info, *PUBLIC)
    limiter = _limiter(info)
    address = _client_address(info)

    async def work(unit: UnitOfWork) -> dict[str, Any]:
        email = normalise_email(input.email)  # a malformed email tells nothing about accounts
        within_email = await limiter.acquire(RESET_PER_EMAIL, email)
        within_address = await limiter.acquire(RESET_PER_ADDRESS, address)
        row = await queries.account_for_log_in(unit.session, email=email)
        if not (within_email and within_address) or row is None:
            return {}
        # An invited contact (no password yet) gets the same kind of link: it sets the first
        # password and activates the account, proving the address is theirs.
        invited = row.status == AccountStatus.INVITED
        link = await new_set_password_link(unit, account_id=row.id)
        unit.mail(
            to=row.email,
            subject="Set your My Conex password" if invited else "Reset your My Conex password",
            body=_reset_mail_body(row.name, link, invited=invited),
            template="password_reset",
        )
        unit.audit("passwordResetRequest", "Account", row.id)
        return {}

    return await mutate(info, p.Payload, work, field_prefix=("input",))


async def password_reset(info: Info, input: PasswordResetInput) -> p.Payload:
    """R-ACC-2: a valid, unused, unexpired token sets the new password once; every session of
    the account ends (whoever knew the old password is signed out). The token of an invited
    contact's account (its invitation, or a reset it asked for) activates the account."""
    require(info, *PUBLIC)
    reset_email: list[str] = []

    async def work(unit: UnitOfWork) -> dict[str, Any]:
        found = await queries.usable_password_reset_token(
            unit.session, token_hash=token_hash(input.token), now=unit.now
        )
        if found is None:
            raise _invalid_token("token")
        check_new_password(input.new_password, email=found.email)
        used = await queries.use_password_reset_token(
            unit.session, token_id=found.id, account_id=found.account_id, now=unit.now
        )
        if not used:
            raise _invalid_token("token")
        password_hash = await hash_password_off_loop(input.new_password)
        activated = found.status == AccountStatus.INVITED  # the link proved the address
        await queries.set_password_hash(
            unit.session,
            account_id=found.account_id,
            password_hash=password_hash,
            activate=activated,
        )
        ended = await sessions.end_all_sessions(
            unit.session, account_id=found.account_id, now=unit.now
        )
        unit.mail(
            to=found.email,
            subject="Welcome to My Conex" if activated else "Your My Conex password was changed",
            body=_welcome_body(found.name) if activated else _password_changed_body(found.name),
            template="account_activated" if activated else "password_changed",
        )
        unit.audit(
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
        reset_email.append(found.email)
        return {}

    payload = await mutate(info, p.Payload, work, field_prefix=("input",))
    if reset_email:  # whoever was locked out by failed log-ins may log in with the new password
        await _limiter(info).reset(LOG_IN_PER_EMAIL, reset_email[0])
    return payload
