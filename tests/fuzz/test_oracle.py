"""The rights oracle of the fuzzers, on rows made by hand: if it were wrong, the fuzzers
would miss leaks (too lenient) or fail on rightful answers (too strict)."""

from __future__ import annotations

from types import SimpleNamespace as Row

import pytest

from tests.fuzz.support import (
    Caller,
    Snapshot,
    assert_no_self_granted_rights,
    forbidden_values,
    leaked,
    visible_values,
)

ALICE, BOB, CAROL, ATLAS, OTHER = 1, 2, 3, 10, 11


def world(*, bob_is_contact: bool = False) -> Snapshot:
    return Snapshot(
        licenses=[
            Row(
                sen="SEN-A1",
                license_key="KEY-A1",
                card_token=None,
                billing_account_id=ALICE,
                technical_account_id=BOB if bob_is_contact else CAROL,
                partner_id=ATLAS,
            ),
            Row(
                sen="SEN-B1",
                license_key="KEY-B1",
                card_token="tok_secret",
                billing_account_id=BOB,
                technical_account_id=BOB,
                partner_id=OTHER,
            ),
        ],
        quotes=[
            Row(
                number="Q-A1",
                billing_account_id=ALICE,
                technical_account_id=ALICE,
                partner_id=ATLAS,
            )
        ],
        orders=[
            Row(
                number="O-B1",
                invoice_number="INV-B1",
                billing_account_id=BOB,
                technical_account_id=BOB,
                partner_id=OTHER,
            )
        ],
        accounts=[
            Row(id=ALICE, email="alice@example.com", phone="+33 1", password_hash="$argon2id$a"),
            Row(id=BOB, email="bob@example.com", phone=None, password_hash=None),
            Row(id=CAROL, email="carol@example.com", phone="+213 5", password_hash=None),
        ],
        tax_ids=[Row(account_id=BOB, value="DZ99")],
        secrets={"$argon2id$a", "tok_secret", "f" * 64},
    )


ALICE_C = Caller("alice", "customer", account_id=ALICE)
BOB_C = Caller("bob", "customer", account_id=BOB)
ANONYMOUS = Caller("anonymous", "anonymous")
STAFF = Caller("staff", "staff")
QUOTES_ONLY = Caller("p", "partner", partner_id=ATLAS, scopes=frozenset({"QUOTES_READ"}))
LICENSES_ONLY = Caller("p", "partner", partner_id=ATLAS, scopes=frozenset({"LICENSES_READ"}))


@pytest.mark.parametrize(
    ("caller", "hidden", "shown"),
    [
        # a customer: their own things and the contacts on them, never others' private fields
        (
            ALICE_C,
            {"SEN-B1", "KEY-B1", "O-B1", "INV-B1", "bob@example.com", "DZ99", "+213 5"},
            {"SEN-A1", "KEY-A1", "Q-A1", "carol@example.com", "+33 1"},
        ),
        (BOB_C, {"SEN-A1", "KEY-A1", "Q-A1", "alice@example.com", "+33 1"}, {"SEN-B1", "DZ99"}),
        (ANONYMOUS, {"SEN-A1", "Q-A1", "O-B1", "alice@example.com", "bob@example.com"}, set()),
        # staff read everything but license keys (R-SEC-3) and secrets
        (STAFF, {"KEY-A1", "KEY-B1", "$argon2id$a", "tok_secret"}, {"SEN-B1", "DZ99", "+33 1"}),
        # a partner: its own customers' rows, only with the scope (R-SEC-2), no keys
        (QUOTES_ONLY, {"SEN-A1", "KEY-A1", "SEN-B1", "O-B1", "carol@example.com"}, {"Q-A1"}),
        (LICENSES_ONLY, {"Q-A1", "KEY-A1", "SEN-B1"}, {"SEN-A1", "carol@example.com"}),
    ],
)
def test_forbidden_values_follow_the_spec(
    caller: Caller, hidden: set[str], shown: set[str]
) -> None:
    forbidden = forbidden_values(caller, world())
    assert hidden <= forbidden
    assert not shown & forbidden
    assert {"$argon2id$a", "tok_secret", "f" * 64} <= forbidden


def test_visible_values_are_what_the_caller_may_read() -> None:
    assert visible_values(ALICE_C, world()) == {"SEN-A1", "Q-A1"}
    assert visible_values(QUOTES_ONLY, world()) == {"Q-A1"}
    assert visible_values(ANONYMOUS, world()) == set()


def test_leaks_are_whole_tokens() -> None:
    assert leaked('{"sen":"SEN-A1"}', {"SEN-A1"}) == ["SEN-A1"]
    assert leaked('{"key":"KEY-A12"}', {"KEY-A1"}) == []
    assert leaked('{"email":"malice@example.com"}', {"alice@example.com"}) == []


def test_a_caller_may_not_grant_itself_rights() -> None:
    with pytest.raises(AssertionError, match="SEN-A1"):
        assert_no_self_granted_rights(BOB_C, "mutation {}", world(), world(bob_is_contact=True))
    # what the caller typed itself is not counted
    assert_no_self_granted_rights(
        BOB_C, '"SEN-A1" "KEY-A1" "Q-A1" "alice@example.com"', world(), world(bob_is_contact=True)
    )
