"""Account mutations: decode the input, run one action, map the account to the payload."""

from __future__ import annotations

from typing import Any

from gateway.actions import account as actions
from gateway.actions.unit import UnitOfWork
from gateway.domain.account_input import parse_account_update
from gateway.domain.enums import PrincipalKind
from gateway.resolvers.mutate import mutate
from gateway.schema import payloads as p
from gateway.schema.account import Account
from gateway.schema.info import Info, require
from gateway.schema.mutation_inputs import (
    AccountChangeEmailInput,
    AccountChangePasswordInput,
    AccountCloseInput,
    AccountUpdateInput,
)
from gateway.schema.relay import encode_id

INPUT = ("input",)


async def account_update(info: Info, input: AccountUpdateInput) -> p.AccountPayload:
    """R-ACC-5 (see actions.account.update_account)."""
    require(info, PrincipalKind.CUSTOMER)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        change = parse_account_update(
            name=input.name,
            phone=input.phone,
            country=input.country,
            publicity_opt_out=input.publicity_opt_out,
            tax_ids=None if input.tax_ids is None else [(t.kind, t.value) for t in input.tax_ids],
        )
        row = await actions.update_account(uow=uow, principal=uow.principal, change=change)
        return {"account": Account.from_row(row)}

    return await mutate(info, p.AccountPayload, work, field_prefix=INPUT)


async def account_change_email(info: Info, input: AccountChangeEmailInput) -> p.AccountPayload:
    """R-ACC-1 (see actions.account.change_email)."""
    require(info, PrincipalKind.CUSTOMER)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        row = await actions.change_email(
            uow=uow, principal=uow.principal, new_email=input.new_email, password=input.password
        )
        return {"account": Account.from_row(row)}

    return await mutate(info, p.AccountPayload, work, field_prefix=INPUT)


async def account_change_password(info: Info, input: AccountChangePasswordInput) -> p.Payload:
    """R-ACC-2 (see actions.account.change_password)."""
    require(info, PrincipalKind.CUSTOMER)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        await actions.change_password(
            uow=uow,
            principal=uow.principal,
            current_password=input.current_password,
            new_password=input.new_password,
        )
        return {}

    return await mutate(info, p.Payload, work, field_prefix=INPUT)


async def account_close(info: Info, input: AccountCloseInput) -> p.AccountClosePayload:
    """R-ACC-4 (see actions.account.close_account)."""
    require(info, PrincipalKind.CUSTOMER)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        pk = await actions.close_account(uow=uow, principal=uow.principal, password=input.password)
        return {"closed_account_id": encode_id("Account", pk)}

    return await mutate(info, p.AccountClosePayload, work, field_prefix=INPUT)
