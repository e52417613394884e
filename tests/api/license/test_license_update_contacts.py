"""licenseUpdateContacts (ChangeLicenseContacts): R-ACC-3."""

from __future__ import annotations

from typing import Any

import pytest

from db.models import Account, License
from gateway.domain.enums import AccountStatus, PartnerScope
from tests import factories as f
from tests.api.client import ok, request_error, send, user_errors
from tests.api.world import World, audit_events, changes, dump, gid, mail_to, one, rows

FIELD = "licenseUpdateContacts"


async def update(
    client: Any,
    token: str | None,
    license_id: str,
    billing: str | None = None,
    technical: str | None = None,
) -> Any:
    variables = {"id": license_id, "billing": billing, "technical": technical}
    return await send(client, "ChangeLicenseContacts", variables, token)


def emails(body: dict[str, Any]) -> tuple[str | None, str | None]:
    license = ok(body, FIELD)["license"]
    return tuple(  # type: ignore[return-value]
        (license[role]["account"] or {}).get("email")
        for role in ("billingContact", "technicalContact")
    )


async def test_r_acc_3_contact_names_a_new_technical_contact(client: Any, world: World) -> None:
    pk = await world.license()
    body = await update(client, world.alice_token, gid("License", pk), technical="Bob@Example.com")
    assert emails(body) == ("alice@example.com", "bob@example.com")
    row = await one(world.engine, License, pk)
    assert (row.billing_account_id, row.technical_account_id) == (world.alice, world.bob)
    (event,) = await audit_events(world.engine, "licenseUpdateContacts")
    assert (event.entity_type, event.entity_id) == ("License", pk)
    assert changes(event) == {"technicalContact": ("alice@example.com", "bob@example.com")}
    # both the old and the new contacts hear of it (Alice is both old and still billing)
    assert len(await mail_to(world.engine, "alice@example.com")) == 1
    assert len(await mail_to(world.engine, "bob@example.com")) == 1


async def test_r_acc_3_unknown_email_gets_an_invited_account(client: Any, world: World) -> None:
    pk = await world.license()
    body = await update(
        client, world.alice_token, gid("License", pk), billing=" Carol@Library.example "
    )
    assert emails(body) == ("carol@library.example", "alice@example.com")
    (carol,) = await rows(world.engine, Account, Account.email == "carol@library.example")
    assert carol.status == AccountStatus.INVITED
    assert carol.password_hash is None
    assert carol.country == "FR"  # the licensee's country
    templates = sorted(m.template for m in await mail_to(world.engine, "carol@library.example"))
    assert templates == ["contact_invitation", "license_contacts_changed"]


async def test_r_acc_3_email_of_a_closed_account_invites_a_new_one(
    client: Any, world: World
) -> None:
    closed = await f.account(
        world.engine, "carol@example.com", status=AccountStatus.CLOSED, closed_at=f.NOW
    )
    pk = await world.license()
    ok(
        await update(client, world.alice_token, gid("License", pk), billing="carol@example.com"),
        FIELD,
    )
    row = await one(world.engine, License, pk)
    assert row.billing_account_id != closed
    assert (await one(world.engine, Account, row.billing_account_id)).status == (
        AccountStatus.INVITED
    )


async def test_r_acc_3_contact_may_hand_both_roles_over(client: Any, world: World) -> None:
    pk = await world.license()
    body = await update(
        client,
        world.alice_token,
        gid("License", pk),
        billing="bob@example.com",
        technical="bob@example.com",
    )
    # Alice is no contact any more: the license is not hers to see (the payload is null, as a
    # quote's is when a contact edits themselves off it) or change (R-QUOTE-6).
    assert ok(body, FIELD)["license"] is None
    row = await one(world.engine, License, pk)
    assert (row.billing_account_id, row.technical_account_id) == (world.bob, world.bob)
    again = await update(client, world.alice_token, gid("License", pk), billing="alice@example.com")
    assert user_errors(again, FIELD) == [(["id"], "NOT_FOUND")]


async def test_r_acc_3_technical_contact_may_change_them(client: Any, world: World) -> None:
    pk = await world.license(billing=world.bob, technical=world.alice)
    body = await update(client, world.alice_token, gid("License", pk), billing="alice@example.com")
    assert emails(body) == ("alice@example.com", "alice@example.com")


async def test_r_acc_3_staff_may_change_them(client: Any, world: World) -> None:
    pk = await world.license()
    body = await update(client, world.staff_token, gid("License", pk), billing="bob@example.com")
    assert emails(body) == ("bob@example.com", "alice@example.com")
    (event,) = await audit_events(world.engine, "licenseUpdateContacts")
    assert (event.principal_kind, event.principal_name) == ("STAFF", "ops")


async def test_r_acc_3_partner_with_write_scope_may_change_its_licenses(
    client: Any, world: World
) -> None:
    pk = await world.license(partner_id=world.partner)
    body = await update(
        client, world.partner_tokens["ALL"], gid("License", pk), technical="bob@example.com"
    )
    license = ok(body, FIELD)["license"]
    assert license["id"] == gid("License", pk)
    (event,) = await audit_events(world.engine, "licenseUpdateContacts")
    assert event.acting_partner_id == world.partner


@pytest.mark.parametrize(
    "scopes",
    [
        [PartnerScope.LICENSES_READ],
        [PartnerScope.LICENSES_WRITE],  # write without read sees nothing to write
        [PartnerScope.QUOTES_READ, PartnerScope.QUOTES_WRITE, PartnerScope.CUSTOMERS_READ],
    ],
)
async def test_r_sec_2_partner_without_licenses_write_gets_not_found(
    client: Any, world: World, scopes: list[PartnerScope]
) -> None:
    from gateway.domain.enums import TokenKind

    token = await f.api_token(
        world.engine, TokenKind.PARTNER, partner_id=world.partner, scopes=scopes
    )
    pk = await world.license(partner_id=world.partner)
    before = await dump(world.engine)
    body = await update(client, token, gid("License", pk), technical="bob@example.com")
    assert user_errors(body, FIELD) == [(["id"], "NOT_FOUND")]
    assert await dump(world.engine) == before


async def test_r_acc_3_partner_cannot_touch_another_partners_license(
    client: Any, world: World
) -> None:
    other = await f.partner(world.engine)
    pk = await world.license(partner_id=other)
    before = await dump(world.engine)
    body = await update(
        client, world.partner_tokens["ALL"], gid("License", pk), technical="bob@example.com"
    )
    assert user_errors(body, FIELD) == [(["id"], "NOT_FOUND")]
    assert await dump(world.engine) == before


async def test_r_quote_6_unrelated_customer_gets_not_found(client: Any, world: World) -> None:
    pk = await world.license()
    missing = gid("License", pk + 1000)
    before = await dump(world.engine)
    for license_id in (gid("License", pk), missing, gid("Quote", pk), "not-an-id", "x" * 10_000):
        body = await update(client, world.bob_token, license_id, billing="bob@example.com")
        assert user_errors(body, FIELD) == [(["id"], "NOT_FOUND")], license_id
    assert await dump(world.engine) == before


async def test_r_acc_3_one_contact_at_least_is_required(client: Any, world: World) -> None:
    pk = await world.license()
    before = await dump(world.engine)
    body = await update(client, world.alice_token, gid("License", pk))
    assert user_errors(body, FIELD) == [(["input", "billingContactEmail"], "REQUIRED")]
    assert await dump(world.engine) == before


@pytest.mark.parametrize(
    ("billing", "technical", "expected"),
    [
        ("", None, [(["input", "billingContactEmail"], "INVALID")]),
        ("bob", None, [(["input", "billingContactEmail"], "INVALID")]),
        (None, "x" * 10_000, [(["input", "technicalContactEmail"], "INVALID")]),
        (
            "a b@example.com",
            "bob@@example.com",
            [
                (["input", "billingContactEmail"], "INVALID"),
                (["input", "technicalContactEmail"], "INVALID"),
            ],
        ),
    ],
)
async def test_r_acc_3_bad_emails_change_nothing(
    client: Any, world: World, billing: str | None, technical: str | None, expected: Any
) -> None:
    pk = await world.license()
    before = await dump(world.engine)
    body = await update(client, world.alice_token, gid("License", pk), billing, technical)
    assert user_errors(body, FIELD) == expected
    assert await dump(world.engine) == before


async def test_r_acc_3_anonymous_is_unauthenticated(client: Any, world: World) -> None:
    pk = await world.license()
    before = await dump(world.engine)
    body = await update(client, None, gid("License", pk), billing="mallory@example.com")
    assert request_error(body) == "UNAUTHENTICATED"
    assert await dump(world.engine) == before
