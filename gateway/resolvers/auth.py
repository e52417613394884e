"""Auth mutations."""

from __future__ import annotations

from gateway.resolvers.mutate import pending
from gateway.schema import payloads as p
from gateway.schema.info import Info
from gateway.schema.mutation_inputs import (
    LogInInput,
    PasswordResetInput,
    PasswordResetRequestInput,
    SignUpInput,
    TokenRefreshInput,
)


async def sign_up(info: Info, input: SignUpInput) -> p.SignUpPayload:
    raise pending("signUp")


async def log_in(info: Info, input: LogInInput) -> p.LogInPayload:
    raise pending("logIn")


async def token_refresh(info: Info, input: TokenRefreshInput) -> p.TokenRefreshPayload:
    raise pending("tokenRefresh")


async def log_out(info: Info) -> p.LogOutPayload:
    raise pending("logOut")


async def password_reset_request(info: Info, input: PasswordResetRequestInput) -> p.Payload:
    raise pending("passwordResetRequest")


async def password_reset(info: Info, input: PasswordResetInput) -> p.Payload:
    raise pending("passwordReset")
