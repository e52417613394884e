"""Account mutations."""

from __future__ import annotations

from gateway.resolvers.mutate import pending
from gateway.schema import payloads as p
from gateway.schema.info import Info
from gateway.schema.mutation_inputs import (
    AccountChangeEmailInput,
    AccountChangePasswordInput,
    AccountCloseInput,
    AccountUpdateInput,
)


async def account_update(info: Info, input: AccountUpdateInput) -> p.AccountPayload:
    raise pending("accountUpdate")


async def account_change_email(info: Info, input: AccountChangeEmailInput) -> p.AccountPayload:
    raise pending("accountChangeEmail")


async def account_change_password(info: Info, input: AccountChangePasswordInput) -> p.Payload:
    raise pending("accountChangePassword")


async def account_close(info: Info, input: AccountCloseInput) -> p.AccountClosePayload:
    raise pending("accountClose")
