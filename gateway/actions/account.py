"""Account actions: the signed-in customer's own profile, username, password and closing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from db.queries import account as queries
from db.rows import AccountRow
from db.sessions import IntegrityConflict
from gateway.actions import messages
from gateway.actions.unit import UnitOfWork
from gateway.auth import sessions
from gateway.auth.passwords import hash_password_off_loop, verify_password_off_loop
from gateway.auth.principal import Principal
from gateway.domain import account as rules
from gateway.domain.account_input import AccountChange
from gateway.domain.enums import AccountStatus, TaxIdKind
from gateway.domain.errors import DomainError, ErrorCode

PASSWORD_CHANGE = ("(hidden)", "(changed)")  # as signUp/passwordReset audit it (R-SEC-3)


def _tax_id_text(items: Sequence[tuple[TaxIdKind, str]]) -> list[str]:
    return [f"{kind.value} {value}" for kind, value in items]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


async def _own_account(uow: UnitOfWork, principal: Principal) -> AccountRow:
    """The caller's account, locked for the rest of the transaction."""
    row = None
    if principal.account_id is not None:
        row = await queries.active_account(uow.session, principal.account_id, for_update=True)
    if row is None:  # closed between authentication and now
        raise DomainError(ErrorCode.NOT_FOUND, "No such account.")
    return row


async def _check_password(row: AccountRow, password: str, field: str) -> None:
    """R-ACC-2: the current password; argon2 runs off the event loop."""
    if not await verify_password_off_loop(row.password_hash, password):
        raise DomainError(ErrorCode.WRONG_PASSWORD, "The password is not correct", field=(field,))


async def update_account(
    *, uow: UnitOfWork, principal: Principal, change: AccountChange
) -> AccountRow:
    """R-ACC-5: only the fields given change; tax ids are replaced as a whole list."""
    row = await _own_account(uow, principal)
    values = change.values
    changes: dict[str, tuple[Any, Any]] = {
        _camel(name): (getattr(row, name), value) for name, value in values.items()
    }
    if any(before != after for before, after in changes.values()):
        row = await queries.update_account(uow.session, account_id=row.id, values=values)
    if change.tax_ids is not None:
        before = await queries.tax_ids_of(uow.session, row.id)
        if before != change.tax_ids:
            await queries.replace_tax_ids(uow.session, account_id=row.id, items=change.tax_ids)
        changes["taxIds"] = (_tax_id_text(before), _tax_id_text(change.tax_ids))
    uow.audit("accountUpdate", "Account", row.id, changes)
    return row


async def change_email(
    *, uow: UnitOfWork, principal: Principal, new_email: str, password: str
) -> AccountRow:
    """R-ACC-1: the username changes; contact roles reference the account, so every license,
    quote and order role moves with it. An email held by another live account — active or
    merely invited as a contact — is taken (merging two accounts is a staff matter)."""
    row = await _own_account(uow, principal)
    checked = rules.check_new_email(new_email, current=row.email)
    await _check_password(row, password, "password")
    if await queries.live_account_by_email(uow.session, checked) is not None:
        raise _email_taken()
    try:
        updated = await queries.update_account(
            uow.session, account_id=row.id, values={"email": checked}
        )
    except IntegrityConflict:  # taken by a concurrent sign-up or change since the check
        raise _email_taken() from None
    uow.audit("accountChangeEmail", "Account", row.id, {"email": (row.email, checked)})
    uow.send(row.email, messages.email_changed_old(name=row.name, new_email=checked, at=uow.now))
    uow.send(checked, messages.email_changed_new(name=row.name, web_url=uow.web_url))
    return updated


def _email_taken() -> DomainError:
    return DomainError(
        ErrorCode.EMAIL_TAKEN, "Another account uses this email address", field=("newEmail",)
    )


async def change_password(
    *, uow: UnitOfWork, principal: Principal, current_password: str, new_password: str
) -> None:
    """R-ACC-2: needs the current password; every other session of the account ends, and so
    do pending reset links. When the current session cannot be told apart, all end."""
    row = await _own_account(uow, principal)
    await _check_password(row, current_password, "currentPassword")
    rules.check_new_password(new_password, email=row.email)
    password_hash = await hash_password_off_loop(new_password)
    await queries.update_account(
        uow.session, account_id=row.id, values={"password_hash": password_hash}
    )
    revoked = await sessions.end_all_sessions(
        uow.session,
        account_id=row.id,
        now=uow.now,
        keep_family=getattr(principal, "session_family", None),
    )
    await queries.expire_password_resets(uow.session, account_id=row.id, now=uow.now)
    uow.audit(
        "accountChangePassword",
        "Account",
        row.id,
        {"password": PASSWORD_CHANGE, "sessionsRevoked": (0, revoked)},
    )
    uow.send(row.email, messages.password_changed(name=row.name, at=uow.now, web_url=uow.web_url))


async def close_account(*, uow: UnitOfWork, principal: Principal, password: str) -> int:
    """R-ACC-4: only when no license and no open quote names the account as a contact. Orders
    keep the name and email printed on them; the email is free for a new sign-up."""
    row = await _own_account(uow, principal)
    await _check_password(row, password, "password")
    sens, quote_numbers = await queries.contact_roles_blocking_close(
        uow.session, account_id=row.id, today=uow.today
    )
    rules.check_account_closable(license_ids=sens, open_quote_ids=quote_numbers)
    await queries.update_account(
        uow.session,
        account_id=row.id,
        values={"status": AccountStatus.CLOSED, "closed_at": uow.now, "password_hash": None},
    )
    await sessions.end_all_sessions(uow.session, account_id=row.id, now=uow.now)
    await queries.expire_password_resets(uow.session, account_id=row.id, now=uow.now)
    uow.audit(
        "accountClose",
        "Account",
        row.id,
        {"status": (row.status, AccountStatus.CLOSED), "closedAt": (None, uow.now)},
    )
    uow.send(row.email, messages.account_closed(name=row.name, web_url=uow.web_url))
    return int(row.id)
