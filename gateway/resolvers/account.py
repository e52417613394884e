"""Account mutations: the signed-in customer's own profile, username, password and closing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError

from db.queries import account as queries
from gateway.actions.unit import UnitOfWork
from gateway.auth import sessions
from gateway.auth.guards import require
from gateway.auth.passwords import hash_password_off_loop, verify_password_off_loop
from gateway.domain import account as rules
from gateway.domain.enums import AccountStatus, PrincipalKind, TaxIdKind
from gateway.domain.errors import DomainError, ErrorCode
from gateway.resolvers.mutate import DomainErrors, collect, mutate
from gateway.schema import payloads as p
from gateway.schema.account import Account
from gateway.schema.info import Info
from gateway.schema.mutation_inputs import (
    AccountChangeEmailInput,
    AccountChangePasswordInput,
    AccountCloseInput,
    AccountUpdateInput,
)
from gateway.schema.relay import encode_id

INPUT = ("input",)
PASSWORD_CHANGE = ("(hidden)", "(changed)")  # as signUp/passwordReset audit it (R-SEC-3)


def _tax_id_text(items: Sequence[tuple[TaxIdKind, str]]) -> list[str]:
    return [f"{kind.value} {value}" for kind, value in items]


async def _own_account(unit: UnitOfWork) -> Row[Any]:
    """The caller's account, locked for the rest of the transaction."""
    account_id = unit.principal.account_id
    row = None
    if account_id is not None:
        row = await queries.active_account(unit.session, account_id, for_update=True)
    if row is None:  # closed between authentication and now
        raise DomainError(ErrorCode.NOT_FOUND, "No such account.")
    return row


async def _check_password(row: Row[Any], password: str, field: str) -> None:
    """R-ACC-2: the current password; argon2 runs off the event loop."""
    if not await verify_password_off_loop(row.password_hash, password):
        raise DomainError(ErrorCode.WRONG_PASSWORD, "The password is not correct", field=(field,))


async def account_update(info: Info, input: AccountUpdateInput) -> p.AccountPayload:
    """R-ACC-5: only the fields given change; tax ids are replaced as a whole list."""
    require(info, PrincipalKind.CUSTOMER)

    async def work(unit: UnitOfWork) -> dict[str, Any]:
        errors: list[DomainError] = []
        values: dict[str, Any] = {}
        if input.name is not None:
            values["name"] = collect(errors, lambda: rules.check_account_name(input.name or ""))
        if input.phone is not None:
            values["phone"] = collect(errors, lambda: rules.check_phone(input.phone or ""))
        if input.country is not None:
            values["country"] = collect(
                errors, lambda: rules.check_country(input.country or "", ("country",))
            )
        if input.publicity_opt_out is not None:
            values["publicity_opt_out"] = input.publicity_opt_out
        tax_ids = None
        if input.tax_ids is not None:
            given = [(item.kind, item.value) for item in input.tax_ids]
            tax_ids = collect(errors, lambda: rules.check_tax_ids(given))
        if errors:
            raise DomainErrors(errors)

        row = await _own_account(unit)
        changes: dict[str, tuple[Any, Any]] = {
            _camel(name): (getattr(row, name), value) for name, value in values.items()
        }
        if any(before != after for before, after in changes.values()):
            row = await queries.update_account(unit.session, account_id=row.id, values=values)
        if tax_ids is not None:
            before = await queries.tax_ids_of(unit.session, row.id)
            if before != tax_ids:
                await queries.replace_tax_ids(unit.session, account_id=row.id, items=tax_ids)
            changes["taxIds"] = (_tax_id_text(before), _tax_id_text(tax_ids))
        unit.audit("accountUpdate", "Account", row.id, changes)
        return {"account": Account.from_row(row)}

    return await mutate(info, p.AccountPayload, work, field_prefix=INPUT)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


async def account_change_email(info: Info, input: AccountChangeEmailInput) -> p.AccountPayload:
    """R-ACC-1: the username changes; contact roles reference the account, so every license,
    quote and order role moves with it. An email held by another live account — active or
    merely invited as a contact — is taken (merging two accounts is a staff matter)."""
    require(info, PrincipalKind.CUSTOMER)

    async def work(unit: UnitOfWork) -> dict[str, Any]:
        row = await _own_account(unit)
        new_email = rules.check_new_email(input.new_email, current=row.email)
        await _check_password(row, input.password, "password")
        if await queries.live_account_by_email(unit.session, new_email) is not None:
            raise _email_taken()
        try:
            updated = await queries.update_account(
                unit.session, account_id=row.id, values={"email": new_email}
            )
        except IntegrityError:  # taken by a concurrent sign-up or change since the check
            raise _email_taken() from None
        unit.audit("accountChangeEmail", "Account", row.id, {"email": (row.email, new_email)})
        unit.mail(
            to=row.email,
            subject="Your My Conex email address was changed",
            body=f"The email address of your My Conex account is now {new_email}. "
            "If you did not make this change, contact Conex support at once.",
            template="account_email_changed_old",
        )
        unit.mail(
            to=new_email,
            subject="This is now your My Conex email address",
            body="You now sign in to My Conex with this address. Your licenses, quotes and "
            "orders moved with your account.",
            template="account_email_changed_new",
        )
        return {"account": Account.from_row(updated)}

    return await mutate(info, p.AccountPayload, work, field_prefix=INPUT)


def _email_taken() -> DomainError:
    return DomainError(
        ErrorCode.EMAIL_TAKEN, "Another account uses this email address", field=("newEmail",)
    )


async def account_change_password(info: Info, input: AccountChangePasswordInput) -> p.Payload:
    """R-ACC-2: needs the current password; every other session of the account ends, and so
    do pending reset links. When the current session cannot be told apart, all end."""
    require(info, PrincipalKind.CUSTOMER)

    async def work(unit: UnitOfWork) -> dict[str, Any]:
        row = await _own_account(unit)
        await _check_password(row, input.current_password, "currentPassword")
        rules.check_new_password(input.new_password, email=row.email)
        password_hash = await hash_password_off_loop(input.new_password)
        await queries.update_account(
            unit.session, account_id=row.id, values={"password_hash": password_hash}
        )
        revoked = await sessions.end_all_sessions(
            unit.session,
            account_id=row.id,
            now=unit.now,
            keep_family=getattr(unit.principal, "session_family", None),
        )
        await queries.expire_password_resets(unit.session, account_id=row.id, now=unit.now)
        unit.audit(
            "accountChangePassword",
            "Account",
            row.id,
            {"password": PASSWORD_CHANGE, "sessionsRevoked": (0, revoked)},
        )
        unit.mail(
            to=row.email,
            subject="Your My Conex password was changed",
            body="Your password was changed and your other sessions were signed out. "
            "If you did not make this change, reset your password and contact Conex support.",
            template="account_password_changed",
        )
        return {}

    return await mutate(info, p.Payload, work, field_prefix=INPUT)


async def account_close(info: Info, input: AccountCloseInput) -> p.AccountClosePayload:
    """R-ACC-4: only when no license and no open quote names the account as a contact. Orders
    keep the name and email printed on them; the email is free for a new sign-up."""
    require(info, PrincipalKind.CUSTOMER)

    async def work(unit: UnitOfWork) -> dict[str, Any]:
        row = await _own_account(unit)
        await _check_password(row, input.password, "password")
        sens, quote_numbers = await queries.contact_roles_blocking_close(
            unit.session, account_id=row.id, today=unit.today
        )
        rules.check_account_closable(license_ids=sens, open_quote_ids=quote_numbers)
        await queries.update_account(
            unit.session,
            account_id=row.id,
            values={"status": AccountStatus.CLOSED, "closed_at": unit.now, "password_hash": None},
        )
        await sessions.end_all_sessions(unit.session, account_id=row.id, now=unit.now)
        await queries.expire_password_resets(unit.session, account_id=row.id, now=unit.now)
        unit.audit(
            "accountClose",
            "Account",
            row.id,
            {"status": (row.status, AccountStatus.CLOSED), "closedAt": (None, unit.now)},
        )
        unit.mail(
            to=row.email,
            subject="Your My Conex account is closed",
            body="Your My Conex account was closed. Your paid invoices keep your name and "
            "email as printed. You may sign up again with this address at any time.",
            template="account_closed",
        )
        return {"closed_account_id": encode_id("Account", row.id)}

    return await mutate(info, p.AccountClosePayload, work, field_prefix=INPUT)
