"""Auth mutations: sign-up, log-in, session refresh and log-out, password reset (R-ACC-2).

The workflows are in ``gateway.actions.auth``; here: who may call, the log-in and reset
throttles of the request's client (``gateway.auth.ratelimit``), and the payloads.
"""

from __future__ import annotations

import logging
from typing import Any

from gateway.actions import auth as actions
from gateway.actions.unit import UnitOfWork
from gateway.auth.ratelimit import LOG_IN_PER_ADDRESS, LOG_IN_PER_EMAIL, RateLimiter
from gateway.domain.account import normalise_email
from gateway.domain.account_input import parse_sign_up
from gateway.domain.enums import PrincipalKind
from gateway.domain.errors import DomainError, ErrorCode
from gateway.observability import metrics
from gateway.resolvers.mutate import mutate
from gateway.schema import payloads as p
from gateway.schema.account import Account
from gateway.schema.common import UserError
from gateway.schema.info import Info, require
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
RATE_LIMITED = "Too many attempts. Wait a few minutes and try again."


def _limiter(info: Info) -> RateLimiter:
    return info.context.services.rate_limiter


def _client_address(info: Info) -> str:
    client = info.context.request.client
    return client.host if client is not None else "unknown"


async def sign_up(info: Info, input: SignUpInput) -> p.SignUpPayload:
    """R-ACC-1, R-ACC-4 (see actions.auth.sign_up)."""
    caller = require(info, *PUBLIC)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        command = parse_sign_up(
            email=input.email, name=input.name, country=input.country, password=input.password
        )
        row = await actions.sign_up(uow=uow, principal=caller, command=command)
        return {"account": Account.from_row(row)}

    return await mutate(info, p.SignUpPayload, work, field_prefix=("input",))


async def log_in(info: Info, input: LogInInput) -> p.LogInPayload:
    """R-ACC-2 (see actions.auth.log_in); throttled per email and per client address."""
    require(info, *PUBLIC)
    limiter, address = _limiter(info), _client_address(info)
    try:
        email: str | None = normalise_email(input.email)
    except DomainError:
        email = None  # cannot be anyone's: refused like an unknown email, not told apart
    subject = email or input.email.strip().lower()
    if not await _log_in_allowed(limiter, subject, address):
        log.info("log-in throttled for a client at %s", address)
        metrics.log_in_throttled()
        refusal = UserError(field=None, code=ErrorCode.RATE_LIMITED, message=RATE_LIMITED)
        return p.LogInPayload(user_errors=[refusal])

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        done = await actions.log_in(
            uow=uow, email=email, password=input.password, settings=info.context.settings
        )
        return {
            "access_token": done.issued.access_token,
            "refresh_token": done.issued.refresh_token,
            "expires_at": done.issued.expires_at,
            "account": Account.from_row(done.account),
        }

    payload = await mutate(info, p.LogInPayload, work)
    await _after_log_in(limiter, subject, address, refused=bool(payload.user_errors))
    return payload


async def _log_in_allowed(limiter: RateLimiter, subject: str, address: str) -> bool:
    # Both slots are taken before any password is checked, so parallel guesses are counted.
    email_allowed = await limiter.acquire(LOG_IN_PER_EMAIL, subject)
    address_allowed = await limiter.acquire(LOG_IN_PER_ADDRESS, address)
    return email_allowed and address_allowed


async def _after_log_in(limiter: RateLimiter, subject: str, address: str, *, refused: bool) -> None:
    if refused:
        log.info("log-in refused for a client at %s", address)
    else:  # a success does not count as an attempt
        await limiter.reset(LOG_IN_PER_EMAIL, subject)
        await limiter.release(LOG_IN_PER_ADDRESS, address)


async def token_refresh(info: Info, input: TokenRefreshInput) -> p.TokenRefreshPayload:
    """A rotated session; a re-used refresh token revokes its family (committed)."""
    require(info, *PUBLIC)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        issued = await actions.refresh_session(
            uow=uow, refresh_token=input.refresh_token, settings=info.context.settings
        )
        if issued is None:
            field = ["input", "refreshToken"]
            refusal = UserError(
                field=field, code=ErrorCode.INVALID_TOKEN, message=actions.INVALID_TOKEN
            )
            return {"user_errors": [refusal]}
        return {
            "access_token": issued.access_token,
            "refresh_token": issued.refresh_token,
            "expires_at": issued.expires_at,
        }

    return await mutate(info, p.TokenRefreshPayload, work, field_prefix=("input",))


async def log_out(info: Info) -> p.LogOutPayload:
    """Ends the session of the access token used: its refresh tokens are revoked and the
    access token itself is refused from now on (HTTP 401)."""
    principal = require(info, PrincipalKind.CUSTOMER)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        await actions.log_out(uow=uow, principal=principal)
        return {}

    return await mutate(info, p.LogOutPayload, work)


async def password_reset_request(info: Info, input: PasswordResetRequestInput) -> p.Payload:
    """R-ACC-2 (see actions.auth.request_password_reset)."""
    require(info, *PUBLIC)
    limiter, address = _limiter(info), _client_address(info)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        await actions.request_password_reset(
            uow=uow, email=input.email, limiter=limiter, address=address
        )
        return {}

    return await mutate(info, p.Payload, work, field_prefix=("input",))


async def password_reset(info: Info, input: PasswordResetInput) -> p.Payload:
    """R-ACC-2 (see actions.auth.reset_password); the new password also lifts the log-in
    throttle of the address that was locked out."""
    require(info, *PUBLIC)
    reset_email: list[str] = []

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        reset_email.append(
            await actions.reset_password(
                uow=uow, token=input.token, new_password=input.new_password
            )
        )
        return {}

    payload = await mutate(info, p.Payload, work, field_prefix=("input",))
    if reset_email and not payload.user_errors:
        await _limiter(info).reset(LOG_IN_PER_EMAIL, reset_email[0])
    return payload
