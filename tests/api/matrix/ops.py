"""How each contract operation is sent in the matrix, and what a success must change.

``variables`` name the world's objects; ``missing`` names objects that do not exist (a hidden
object must answer exactly like them); ``effect`` says which tables a success writes (and no
others) and checks the rows it wrote.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from graphql import OperationDefinitionNode, OperationType, parse

from gateway.schema.relay import decode_id, encode_cursor, encode_id
from tests.api.world import EMAILS, P_QUOTES_WRITE, PASSWORD, World
from tests.contract import document, operations

Rows = dict[str, list[dict[str, Any]]]
NO_SUCH = 987_654  # a primary key no table reaches
NEW_PASSWORD = "Another-Strong-Passphrase-2026"
# The objects whose reach the matrix follows (products and quote lines are not tracked).
TRACKED_TYPES = {"Account", "License", "Quote", "Order", "Organization", "AuditEvent", "Partner"}


@dataclass(frozen=True)
class Change:
    """What one successful mutation did: the rows before and after, its payload."""

    world: World
    principal: str
    before: Rows
    after: Rows
    payload: dict[str, Any]

    def row(self, table: str, pk: int) -> dict[str, Any]:
        (found,) = [r for r in self.after[table] if r["id"] == pk]
        return found

    def was(self, table: str, pk: int) -> dict[str, Any]:
        (found,) = [r for r in self.before[table] if r["id"] == pk]
        return found

    def added(self, table: str) -> list[dict[str, Any]]:
        return [r for r in self.after[table] if r not in self.before[table]]

    def only_new(self, table: str) -> dict[str, Any]:
        """The one row ``table`` gained (none of its other rows changed)."""
        gone = [r for r in self.before[table] if r not in self.after[table]]
        assert gone == [], f"{table}: rows changed or removed: {gone}"
        (new,) = self.added(table)
        return new

    def changed_row(self, table: str, pk: int) -> dict[str, Any]:
        """``pk``'s row, the only one of ``table`` that changed; {column: (before, after)}."""
        before = {r["id"]: r for r in self.before[table]}
        after = {r["id"]: r for r in self.after[table]}
        assert before.keys() == after.keys(), f"{table}: rows added or removed"
        changed = [k for k in after if after[k] != before[k]]
        assert changed == [pk], f"{table}: changed {changed}, expected only {pk}"
        return {
            c: (before[pk][c], after[pk][c]) for c in after[pk] if after[pk][c] != before[pk][c]
        }

    def account(self) -> int:
        return self.world.pk(self.principal.split("_")[0])


@dataclass(frozen=True)
class Effect:
    must: frozenset[str]  # tables a success writes
    check: Callable[[Change], None]
    may: frozenset[str] = frozenset()  # tables it may write too


def effect(must: set[str], check: Callable[[Change], None], may: set[str] | None = None) -> Effect:
    # R-SEC-1: every mutation is audited
    return Effect(frozenset(must | {"audit_events"}), check, frozenset(may or ()))


@dataclass(frozen=True)
class Op:
    variables: Callable[[World], dict[str, Any]]
    missing: Callable[[World], dict[str, Any]] | None = None
    effect: Effect | None = None
    shows: str | None = None  # the payload field that is null when the caller may not see it
    extra: Callable[[World, dict[str, Any]], set[str]] = field(default=lambda _w, _data: set())


@cache
def is_mutation(name: str) -> bool:
    for definition in parse(document(operations()[name])).definitions:
        if isinstance(definition, OperationDefinitionNode) and definition.name:
            found = definition.name.value == name
            if found:
                return definition.operation is OperationType.MUTATION
    raise KeyError(name)


def gid(type_name: str, pk: int) -> str:
    return str(encode_id(type_name, pk))


def labels(world: World, data: Any) -> set[str]:
    """The private objects an answer reaches: labels of every global id in it."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            global_id = value.get("id")
            decoded = decode_id(global_id) if isinstance(global_id, str) else None
            if decoded is not None and decoded[0] in TRACKED_TYPES:
                label = world.label_of(str(global_id))
                found.add(f"{label}+key" if value.get("licenseKey") else str(label))
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(data)
    return found


def without_throttle(body: Mapping[str, Any]) -> dict[str, Any]:
    """The body without what the caller's rate-limit bucket holds now (it drains as the
    caller sends requests, whatever they ask for)."""
    cost = body.get("extensions", {}).get("cost", {})
    cost.get("throttleStatus", {}).pop("currentlyAvailable", None)
    return dict(body)


# --- checks of successful mutations ----------------------------------------------------------


def _new_quote(c: Change, *, kind: str, partner: bool, reseller: bool) -> None:
    quote = c.only_new("quotes")
    assert (quote["billing_account_id"], quote["technical_account_id"]) == (
        c.world.pk("carol"),
        c.world.pk("alice"),
    )
    assert quote["partner_id"] == (c.world.pk("Atlas") if partner else None)
    assert quote["is_reseller"] is reseller
    (line,) = [r for r in c.added("quote_lines") if r["quote_id"] == quote["id"]]
    assert line["kind"] == kind
    if kind != "NEW":
        assert line["license_id"] == c.world.pk("LIC")


def _created_quote(c: Change) -> None:
    by_partner = c.principal == P_QUOTES_WRITE  # R-QUOTE-5
    _new_quote(c, kind="NEW", partner=by_partner, reseller=by_partner)


def _requested_quote(kind: str) -> Callable[[Change], None]:
    def check(c: Change) -> None:
        # R-MAINT-8: for LIC's contacts whoever asked; the partner that resold it stays on it,
        # and one asking with quotes:write resells it (R-QUOTE-5).
        _new_quote(c, kind=kind, partner=True, reseller=c.principal == P_QUOTES_WRITE)
        assert {m["to_address"] for m in c.added("outgoing_mail")} == {
            EMAILS["alice"],
            EMAILS["carol_billing_only"],
        }

    return check


def _quote_po(c: Change) -> None:
    change = c.changed_row("quotes", c.world.pk("Q_OPEN"))
    assert change["po_number"] == (None, "PO-MATRIX-7")
    assert change["version"] == (1, 2)  # R-QUOTE-7


def _quote_edited(c: Change) -> None:
    change = c.changed_row("quotes", c.world.pk("Q_OPEN"))
    assert change["currency"][1] == "USD"
    assert change["version"] == (1, 2)


def _quote_deleted(c: Change) -> None:
    change = c.changed_row("quotes", c.world.pk("Q_OPEN"))
    assert change["status"] == ("OPEN", "DELETED")  # R-QUOTE-2


def _order_po(c: Change) -> None:
    assert c.changed_row("orders", c.world.pk("ORDER")) == {"po_number": (None, "PO-ORDER-9")}


def _license_contacts(c: Change) -> None:
    change = c.changed_row("licenses", c.world.pk("LIC"))
    assert change == {"billing_account_id": (c.world.pk("carol"), c.world.pk("alice"))}


def _cloud_card(c: Change) -> None:
    change = c.changed_row("licenses", c.world.pk("CLOUD"))
    assert change["card_brand"] == ("visa", "mastercard")
    assert change["card_last4"] == ("4242", "4444")


def _assigned(c: Change) -> None:
    change = c.changed_row("licenses", c.world.pk("LIC"))
    assert change == {"organization_id": (c.world.pk("ORG"), c.world.pk("ORG_BOB"))}


def _paid(c: Change) -> None:
    change = c.changed_row("quotes", c.world.pk("Q_OPEN"))
    assert change["status"] == ("OPEN", "PAID")
    order = c.only_new("orders")
    assert order["quote_id"] == c.world.pk("Q_OPEN")
    (issued,) = c.payload["order"]["licenses"]
    assert issued["licenseKey"] is None  # R-SEC-3: staff are not the license's contacts


def _token_created(c: Change) -> None:
    token = c.only_new("api_tokens")
    assert (token["partner_id"], token["scopes"]) == (c.world.pk("Atlas"), ["QUOTES_READ"])


def _token_revoked(c: Change) -> None:
    change = c.changed_row("api_tokens", c.world.pk("SPARE_TOKEN"))
    assert change["revoked_at"][0] is None and change["revoked_at"][1] is not None


def _signed_up(c: Change) -> None:
    account = c.only_new("accounts")
    assert (account["email"], account["status"]) == ("newcomer@example.com", "ACTIVE")


def _session_started(c: Change) -> None:
    assert c.only_new("refresh_tokens")["account_id"] == c.world.pk("alice")


def _session_rotated(c: Change) -> None:
    new = c.added("refresh_tokens")
    assert [r["account_id"] for r in new] == [c.world.pk("alice")] * len(new) and new


def _session_ended(c: Change) -> None:
    ended = [r for r in c.added("refresh_tokens") if r["revoked_at"] is not None]
    assert [r["account_id"] for r in ended] == [c.account()]


def _own_account_changed(column: str, value: Any = None) -> Callable[[Change], None]:
    def check(c: Change) -> None:
        change = c.changed_row("accounts", c.account())
        assert column in change
        if value is not None:
            assert change[column][1] == value

    return check


def _reset_requested(c: Change) -> None:
    assert c.only_new("password_reset_tokens")["account_id"] == c.world.pk("alice")
    assert [m["to_address"] for m in c.added("outgoing_mail")] == [EMAILS["alice"]]


def _password_reset(c: Change) -> None:
    assert "password_hash" in c.changed_row("accounts", c.world.pk("alice"))


def _evaluation(c: Change) -> None:
    new = c.only_new("licenses")
    assert new["license_type"] == "EVALUATION"
    assert new["billing_account_id"] == new["technical_account_id"] == c.account()
    assert c.payload["license"]["licenseKey"]  # the caller is its contact


def _closed(c: Change) -> None:
    assert c.changed_row("accounts", c.world.pk("bob"))["status"] == ("ACTIVE", "CLOSED")


# --- the operations ----------------------------------------------------------------------------


def _quote_input(w: World) -> dict[str, Any]:
    return {
        "input": {
            "currency": "EUR",
            "organization": {"name": "Bibliothèque de Lyon", "country": "FR"},
            "billingContactEmail": EMAILS["carol_billing_only"],
            "technicalContactEmail": EMAILS["alice"],
            "lines": [
                {
                    "product": gid("Product", _server(w)),
                    "tier": "PROFESSIONAL",
                    "licenseType": "COMMERCIAL",
                    "deploymentEntity": "Matrix Hall",
                }
            ],
        }
    }


def _server(w: World) -> int:
    return w.pk("SERVER")


def _po(poNumber: str) -> Callable[[World], dict[str, Any]]:
    def variables(w: World) -> dict[str, Any]:
        return {"id": w.gid("Q_OPEN"), "poNumber": poNumber, "expectedVersion": 1}

    return variables


def _po_missing(w: World) -> dict[str, Any]:
    return {"id": gid("Quote", NO_SUCH), "poNumber": "PO-MATRIX-7", "expectedVersion": 1}


QUOTE_CREATED = effect(
    {"quotes", "quote_lines", "outgoing_mail", "number_sequences"},
    _created_quote,
    may={"organizations"},  # a partner without customers:read does not see ORG: a new one
)
QUOTE_PO = effect({"quotes"}, _quote_po)
RENEWAL = effect(
    {"quotes", "quote_lines", "outgoing_mail", "number_sequences"}, _requested_quote("RENEWAL")
)
UPGRADE = effect(
    {"quotes", "quote_lines", "outgoing_mail", "number_sequences"}, _requested_quote("UPGRADE")
)


def _node(label: str, type_name: str) -> tuple[Any, Any]:
    return (
        lambda w: {"id": w.gid(label)},
        lambda w: {"id": gid(type_name, NO_SUCH)},
    )


def _account_lookup_counts(w: World, data: dict[str, Any]) -> set[str]:
    edges = ((data.get("accounts") or {}).get("edges")) or []
    return {
        f"{w.label_of(e['node']['id'])}.licenses={e['node']['licenses']['totalCount']}"
        for e in edges
    }


OPS: dict[str, Op] = {
    "Catalog": Op(
        lambda w: {}, extra=lambda w, data: {"catalog"} if data.get("products") else set()
    ),
    "PartnerDirectory": Op(lambda w: {"region": None}),
    "SignUp": Op(
        lambda w: {
            "input": {
                "email": "newcomer@example.com",
                "password": NEW_PASSWORD,
                "name": "New Comer",
                "country": "FR",
            }
        },
        effect=effect({"accounts"}, _signed_up, may={"outgoing_mail"}),
        shows="account",
    ),
    "LogIn": Op(
        lambda w: {"email": EMAILS["alice"], "password": PASSWORD},
        effect=effect({"refresh_tokens"}, _session_started),
        shows="accessToken",
    ),
    "RefreshSession": Op(
        lambda w: {"refreshToken": w.refresh_token},
        effect=effect({"refresh_tokens"}, _session_rotated),
        shows="accessToken",
    ),
    "RequestPasswordReset": Op(
        lambda w: {"email": EMAILS["alice"]},
        effect=effect({"password_reset_tokens", "outgoing_mail"}, _reset_requested),
    ),
    "ResetPassword": Op(
        lambda w: {"token": w.reset_token, "newPassword": NEW_PASSWORD},
        effect=effect(
            {"accounts", "password_reset_tokens", "outgoing_mail"},
            _password_reset,
            may={"refresh_tokens"},
        ),
    ),
    "LogOut": Op(lambda w: {}, effect=effect({"refresh_tokens"}, _session_ended)),
    "UpdateProfile": Op(
        lambda w: {"input": {"name": "Renamed In Matrix"}},
        effect=effect({"accounts"}, _own_account_changed("name", "Renamed In Matrix")),
        shows="account",
    ),
    "ChangeEmail": Op(
        lambda w: {"newEmail": "renamed@example.com", "password": PASSWORD},
        effect=effect(
            {"accounts"},
            _own_account_changed("email", "renamed@example.com"),
            may={"outgoing_mail"},
        ),
        shows="account",
    ),
    "ChangePassword": Op(
        lambda w: {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD},
        effect=effect(
            {"accounts"},
            _own_account_changed("password_hash"),
            may={"outgoing_mail", "refresh_tokens", "password_reset_tokens"},
        ),
    ),
    "CloseAccount": Op(
        lambda w: {"password": PASSWORD},
        effect=effect(
            {"accounts", "outgoing_mail"},
            _closed,
            may={"refresh_tokens", "password_reset_tokens"},
        ),
        shows="closedAccountId",
    ),
    "StartEvaluation": Op(
        lambda w: {
            "input": {
                "product": gid("Product", _server(w)),
                "organization": {"name": "Matrix Evaluation Library", "country": "FR"},
                "deploymentEntity": "Trial Hall",
            }
        },
        effect=effect(
            {"licenses", "number_sequences"},
            _evaluation,
            may={"organizations", "outgoing_mail"},
        ),
        shows="license",
    ),
    "AccountHome": Op(lambda w: {}),
    "MoreLicenses": Op(lambda w: {"after": encode_cursor(0)}),
    "MobileLicenses": Op(lambda w: {"after": None}),
    "MobileQuotes": Op(lambda w: {}),
    "LicenseDetail": Op(*_node("LIC", "License")),
    "PartnerLicense": Op(lambda w: {"sen": w.sens["LIC"]}, lambda w: {"sen": "SEN-L9876543"}),
    "QuoteDetail": Op(*_node("Q_OPEN", "Quote")),
    "MobileQuote": Op(*_node("Q_OPEN", "Quote")),
    "OrderDetail": Op(*_node("ORDER", "Order")),
    "PartnerHome": Op(lambda w: {}),
    "QuotesNeedingReview": Op(lambda w: {"after": None}),
    "ExpiringMaintenance": Op(lambda w: {"before": "2099-12-31"}),
    "AccountLookup": Op(
        lambda w: {"email": EMAILS["alice"]},
        lambda w: {"email": "nobody@example.com"},
        extra=_account_lookup_counts,
    ),
    "Metrics": Op(
        lambda w: {"from": "2000-01-01", "to": "2099-12-31"},
        extra=lambda w, data: {"metrics"} if data.get("metrics") else set(),
    ),
    "AuditTrail": Op(
        lambda w: {"entityId": w.gid("Q_OPEN")},
        lambda w: {"entityId": gid("Quote", NO_SUCH)},
    ),
    "CreateQuote": Op(_quote_input, effect=QUOTE_CREATED, shows="quote"),
    "PartnerCreateQuote": Op(_quote_input, effect=QUOTE_CREATED, shows="quote"),
    "EditQuote": Op(
        lambda w: {"id": w.gid("Q_OPEN"), "expectedVersion": 1, "input": {"currency": "USD"}},
        lambda w: {"id": gid("Quote", NO_SUCH), "expectedVersion": 1, "input": {"currency": "USD"}},
        effect=effect({"quotes"}, _quote_edited, may={"quote_lines", "outgoing_mail"}),
        shows="quote",
    ),
    "SetQuotePoNumber": Op(_po("PO-MATRIX-7"), _po_missing, effect=QUOTE_PO, shows="quote"),
    "MobileSetPoNumber": Op(_po("PO-MATRIX-7"), _po_missing, effect=QUOTE_PO, shows="quote"),
    "PartnerSetPoNumber": Op(_po("PO-MATRIX-7"), _po_missing, effect=QUOTE_PO, shows="quote"),
    "DeleteQuote": Op(
        *_node("Q_OPEN", "Quote"), effect=effect({"quotes"}, _quote_deleted, may={"outgoing_mail"})
    ),
    "RequestRenewal": Op(
        lambda w: {"input": {"sen": w.sens["LIC"], "contactEmail": EMAILS["alice"]}},
        lambda w: {"input": {"sen": "SEN-L9876543", "contactEmail": EMAILS["alice"]}},
        effect=RENEWAL,
        shows="quote",
    ),
    "RequestUpgrade": Op(
        lambda w: {
            "input": {"sen": w.sens["LIC"], "contactEmail": EMAILS["alice"], "toTier": "ENTERPRISE"}
        },
        lambda w: {
            "input": {
                "sen": "SEN-L9876543",
                "contactEmail": EMAILS["alice"],
                "toTier": "ENTERPRISE",
            }
        },
        effect=UPGRADE,
        shows="quote",
    ),
    "SetOrderPoNumber": Op(
        lambda w: {"id": w.gid("ORDER"), "poNumber": "PO-ORDER-9"},
        lambda w: {"id": gid("Order", NO_SUCH), "poNumber": "PO-ORDER-9"},
        effect=effect({"orders"}, _order_po),
        shows="order",
    ),
    "RecordPayment": Op(
        lambda w: {
            "input": {"quoteId": w.gid("Q_OPEN"), "method": "BANK_TRANSFER", "amount": "3840.00"}
        },
        effect=effect(
            {"quotes", "orders", "licenses", "order_licenses", "outgoing_mail", "number_sequences"},
            _paid,
        ),
        shows="order",
    ),
    "ChangeLicenseContacts": Op(
        lambda w: {"id": w.gid("LIC"), "billing": EMAILS["alice"], "technical": None},
        lambda w: {"id": gid("License", NO_SUCH), "billing": EMAILS["alice"], "technical": None},
        effect=effect({"licenses"}, _license_contacts, may={"outgoing_mail"}),
        shows="license",
    ),
    "UpdateCloudCard": Op(
        lambda w: {"licenseId": w.gid("CLOUD"), "paymentToken": "tok_mastercard_4444"},
        lambda w: {"licenseId": gid("License", NO_SUCH), "paymentToken": "tok_mastercard_4444"},
        effect=effect({"licenses"}, _cloud_card, may={"outgoing_mail"}),
        shows="license",
    ),
    "AssignLicense": Op(
        lambda w: {"licenseId": w.gid("LIC"), "organizationId": w.gid("ORG_BOB")},
        effect=effect({"licenses"}, _assigned, may={"outgoing_mail"}),
        shows="license",
    ),
    "CreatePartnerToken": Op(
        lambda w: {"partnerId": w.gid("Atlas"), "scopes": ["QUOTES_READ"], "expiresInDays": 30},
        effect=effect({"api_tokens"}, _token_created),
        shows="token",
    ),
    "RevokePartnerToken": Op(
        lambda w: {"id": w.gid("SPARE_TOKEN")},
        effect=effect({"api_tokens"}, _token_revoked),
        shows="tokenInfo",
    ),
}
