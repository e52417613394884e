"""accountUpdate (UpdateProfile): R-ACC-5."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from db.models import Account, TaxId
from tests import factories as f
from tests.api.client import Answer, ok, request_error, send, user_errors
from tests.api.world import World, audit_events, changes, dump, one, rows

FIELD = "accountUpdate"


async def update(client: Any, token: str | None, **input: Any) -> Answer:
    return await send(client, "UpdateProfile", {"input": input}, token)


async def test_r_acc_5_customer_updates_every_profile_field(client: Any, world: World) -> None:
    body = await update(
        client,
        world.alice_token,
        name="  Alice Dupont ",
        phone="+33 (0)4 72 10 30 30",
        country="be",
        publicityOptOut=True,
        taxIds=[
            {"kind": "VAT", "value": "BE0123456789"},
            {"kind": "GST", "value": "27AAPFU0939F1ZV"},
        ],
    )
    account = ok(body, FIELD)["account"]
    assert account["name"] == "Alice Dupont"
    assert account["phone"] == "+33 (0)4 72 10 30 30"
    assert account["country"] == "BE"
    assert account["publicityOptOut"] is True
    assert account["taxIds"] == [
        {"kind": "VAT", "value": "BE0123456789"},
        {"kind": "GST", "value": "27AAPFU0939F1ZV"},
    ]
    row = await one(world.engine, Account, world.alice)
    assert (row.name, row.phone, row.country, row.publicity_opt_out) == (
        "Alice Dupont",
        "+33 (0)4 72 10 30 30",
        "BE",
        True,
    )
    (event,) = await audit_events(world.engine, "accountUpdate")
    assert (event.entity_type, event.entity_id, event.principal_id) == (
        "Account",
        world.alice,
        str(world.alice),
    )
    assert changes(event) == {
        "name": ("Alice Martin", "Alice Dupont"),
        "phone": (None, "+33 (0)4 72 10 30 30"),
        "country": ("FR", "BE"),
        "publicityOptOut": (False, True),
        "taxIds": ([], ["VAT BE0123456789", "GST 27AAPFU0939F1ZV"]),
    }


async def test_r_acc_5_only_the_given_fields_change(client: Any, world: World) -> None:
    await f.tax_id(world.engine, world.alice, "VAT", "FR12345678901")
    body = await update(client, world.alice_token, phone="0472103030")
    account = ok(body, FIELD)["account"]
    assert account["name"] == "Alice Martin"
    assert account["taxIds"] == [{"kind": "VAT", "value": "FR12345678901"}]
    (event,) = await audit_events(world.engine, "accountUpdate")
    assert changes(event) == {"phone": (None, "0472103030")}


async def test_r_acc_5_tax_ids_are_replaced_as_a_whole(client: Any, world: World) -> None:
    await f.tax_id(world.engine, world.alice, "VAT", "FR12345678901")
    body = await update(
        client,
        world.alice_token,
        taxIds=[{"kind": "PAN", "value": "AAAPL1234C"}, {"kind": "CIN", "value": "U12345"}],
    )
    assert ok(body, FIELD)["account"]["taxIds"] == [
        {"kind": "PAN", "value": "AAAPL1234C"},
        {"kind": "CIN", "value": "U12345"},
    ]
    body = await update(client, world.alice_token, taxIds=[])
    assert ok(body, FIELD)["account"]["taxIds"] == []
    assert await rows(world.engine, TaxId, TaxId.account_id == world.alice) == []


async def test_r_acc_5_empty_phone_clears_it(client: Any, world: World) -> None:
    await update(client, world.alice_token, phone="0472103030")
    body = await update(client, world.alice_token, phone="")
    assert ok(body, FIELD)["account"]["phone"] is None


async def test_r_acc_5_update_touches_only_the_callers_account(client: Any, world: World) -> None:
    before = await one(world.engine, Account, world.alice)
    ok(await update(client, world.bob_token, name="Robert"), FIELD)
    assert await one(world.engine, Account, world.alice) == before
    assert (await one(world.engine, Account, world.bob)).name == "Robert"


LONG = "x" * 10_000


@pytest.mark.parametrize(
    ("input", "expected"),
    [
        ({"name": ""}, [(["input", "name"], "REQUIRED")]),
        ({"name": "   "}, [(["input", "name"], "REQUIRED")]),
        ({"name": LONG}, [(["input", "name"], "TOO_LONG")]),
        ({"name": "Al\u0007ice"}, [(["input", "name"], "INVALID")]),
        ({"phone": "call me maybe"}, [(["input", "phone"], "INVALID")]),
        ({"phone": "1" * 41}, [(["input", "phone"], "TOO_LONG")]),
        ({"phone": LONG}, [(["input", "phone"], "TOO_LONG")]),
        ({"country": "XX"}, [(["input", "country"], "INVALID")]),
        ({"country": "France"}, [(["input", "country"], "INVALID")]),
        ({"country": LONG}, [(["input", "country"], "INVALID")]),
        (
            {"taxIds": [{"kind": "VAT", "value": ""}]},
            [(["input", "taxIds", "0", "value"], "REQUIRED")],
        ),
        (
            {"taxIds": [{"kind": "VAT", "value": LONG}]},
            [(["input", "taxIds", "0", "value"], "TOO_LONG")],
        ),
        (
            {"taxIds": [{"kind": "VAT", "value": "FR1"}, {"kind": "VAT", "value": "fr 1"}]},
            [(["input", "taxIds", "1"], "INVALID")],
        ),
        (
            {"taxIds": [{"kind": "VAT", "value": f"FR{i}"} for i in range(11)]},
            [(["input", "taxIds"], "TOO_LONG")],
        ),
        (
            {"name": "", "country": "XX", "phone": "abc", "publicityOptOut": True},
            [
                (["input", "name"], "REQUIRED"),
                (["input", "phone"], "INVALID"),
                (["input", "country"], "INVALID"),
            ],
        ),
    ],
)
async def test_r_acc_5_bad_input_is_refused_and_changes_nothing(
    client: Any, world: World, input: dict[str, Any], expected: list[Any]
) -> None:
    await f.tax_id(world.engine, world.alice, "VAT", "FR12345678901")
    before = await dump(world.engine)
    body = await update(client, world.alice_token, **input)
    assert user_errors(body, FIELD) == expected
    assert payload_account(body) is None
    assert await dump(world.engine) == before


def payload_account(body: Mapping[str, Any]) -> Any:
    return body["data"][FIELD]["account"]


@pytest.mark.parametrize(
    "input",
    [
        {"publicityOptOut": "yes"},
        {"taxIds": [{"kind": "SSN", "value": "1"}]},
        {"name": 42},
        {"taxIds": {"kind": "VAT"}},
    ],
)
async def test_r_acc_5_wrong_types_are_request_errors(
    client: Any, world: World, input: dict[str, Any]
) -> None:
    before = await dump(world.engine)
    body = await update(client, world.alice_token, **input)
    assert body.get("errors") and body.get("data") is None
    assert await dump(world.engine) == before


async def test_r_acc_5_anonymous_is_unauthenticated(client: Any, world: World) -> None:
    before = await dump(world.engine)
    body = await update(client, None, name="Mallory")
    assert request_error(body) == "UNAUTHENTICATED"
    assert body.status == 401
    assert await dump(world.engine) == before


@pytest.mark.parametrize("who", ["staff", "partner"])
async def test_r_acc_5_only_customers_have_a_profile(client: Any, world: World, who: str) -> None:
    token = world.staff_token if who == "staff" else world.partner_tokens["ALL"]
    before = await dump(world.engine)
    assert request_error(await update(client, token, name="Mallory")) == "FORBIDDEN"
    assert await dump(world.engine) == before
