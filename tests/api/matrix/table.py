"""Who may do what: every contract operation × every kind of principal, from the SPEC.

Read a row as "operation: principal → outcome". The principals (tests/api/world.py, with the
shared objects):

- ``anonymous`` — no token.
- ``alice`` — customer A, technical contact of the world's data (LIC, CLOUD, Q_OPEN, Q_PAID,
  ORDER) and sole contact of LIC_DIRECT and Q_DIRECT, which no partner resold.
- ``bob`` — customer B, no role on any of it (his own: ORDER_BOB of Q_BOB).
- ``carol_billing_only`` — billing contact of LIC, CLOUD, Q_OPEN, Q_PAID, ORDER (technical:
  alice).
- ``partner_<scope>`` — partner Atlas, which resold LIC, CLOUD, Q_OPEN, Q_PAID, ORDER and
  whose customer ORG is, with a token of that one scope.
- ``partner_revoked_token``, ``partner_expired_token`` — Atlas, every scope, dead tokens.
- ``staff``.

Outcomes:

- ``UNAUTHENTICATED`` — HTTP 401 with ``WWW-Authenticate``: a dead token (any operation, even
  a public one), or no token for an operation that needs one. Nothing changes.
- ``FORBIDDEN`` — request error: the operation is not for this kind of principal at all (it
  is refused before any id is looked at, so it tells nothing about any object). Nothing changes.
- ``NOT_FOUND`` — userError ``NOT_FOUND``: the object exists but is not this principal's to act
  on; the answer is byte for byte the one for an id that does not exist (R-QUOTE-6, R-SEC-2).
  Nothing changes.
- ``refused(code)`` — the principal may use the operation, a business rule says no (userError
  ``code``). Nothing changes.
- ``DONE`` — the mutation succeeded, the database changed as expected, and the payload shows
  the object. ``DONE_UNSEEN``: succeeded, but the payload's object is null because the
  principal may not read it (R-MAINT-8 anonymous requests, a partner without a read scope).
- ``sees(...)`` — a query answered with exactly these private objects reachable in it (global
  ids of accounts, organizations, licenses, quotes, orders, audit events; ``LIC+key`` when the
  license key came with it, R-PRICE-5/R-SEC-3); ``NOTHING`` = null or empty everywhere, the
  same answer as for an object that does not exist.

Interpretations of the SPEC this table makes (say so if you disagree):

- Partner and staff tokens get FORBIDDEN on signUp/logIn/tokenRefresh/passwordReset*: those are
  the anonymous (or customer) entry points, not operations on data.
- Operations on one's own account (profile, email, password, close, logOut, evaluations) are
  customer-only; staff and partners get FORBIDDEN, anonymous callers UNAUTHENTICATED.
- A partner acts on an existing quote or license only within what its token can read:
  quotes:write (licenses:write) without quotes:read (licenses:read) finds nothing to act on,
  NOT_FOUND, as for an object outside its scopes (R-SEC-2; deny by default). Creating a quote
  acts on nothing existing: quotes:write alone does it and, lacking the read scope, sees nothing
  of it (DONE_UNSEEN).
- Partners have no orders:write scope and never handle a card (R-ACC-6): FORBIDDEN there.
- Dashboard queries run for anyone; the policy filters them (customers see their own).
- Customers see the audit events of the quotes, orders and licenses they are contacts of.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tests.api.world import (
    ALICE,
    ANONYMOUS,
    BOB,
    CAROL,
    P_CUSTOMERS_READ,
    P_EXPIRED,
    P_LICENSES_READ,
    P_LICENSES_WRITE,
    P_ORDERS_READ,
    P_QUOTES_READ,
    P_QUOTES_WRITE,
    P_REVOKED,
    P_WEBHOOKS_WRITE,
    PARTNER,
    PRINCIPALS,
    STAFF,
)


@dataclass(frozen=True)
class Outcome:
    kind: str
    labels: frozenset[str] = frozenset()
    code: str | None = None

    def __str__(self) -> str:
        if self.kind == "SEES":
            return "sees(" + ", ".join(sorted(self.labels)) + ")"
        return self.kind if self.code is None else f"{self.kind}({self.code})"


UNAUTHENTICATED = Outcome("UNAUTHENTICATED")
FORBIDDEN = Outcome("FORBIDDEN")
NOT_FOUND = Outcome("NOT_FOUND")
DONE = Outcome("DONE")
DONE_UNSEEN = Outcome("DONE_UNSEEN")


def refused(code: str) -> Outcome:
    return Outcome("REFUSED", code=code)


def sees(*labels: str) -> Outcome:
    return Outcome("SEES", labels=frozenset(labels))


NOTHING = sees()


CONTACTS = (ALICE, CAROL)
CUSTOMERS = (ALICE, BOB, CAROL)
PARTNERS = tuple(PARTNER.values())
DEAD_TOKENS = (P_REVOKED, P_EXPIRED)


def each(principals: Iterable[str], outcome: Outcome) -> dict[str, Outcome]:
    return dict.fromkeys(principals, outcome)


def row(cells: dict[str, Outcome]) -> dict[str, Outcome]:
    """A row (later keys win); dead partner tokens are refused at the door whatever the
    operation."""
    return {**each(DEAD_TOKENS, UNAUTHENTICATED), **cells}


def customers_only(customer: Outcome) -> dict[str, Outcome]:
    """Operations on the caller's own account (its session, profile, evaluations)."""
    return row(
        {
            ANONYMOUS: UNAUTHENTICATED,
            **each(CUSTOMERS, customer),
            **each(PARTNERS, FORBIDDEN),
            STAFF: FORBIDDEN,
        }
    )


def entry_point(outcome: Outcome) -> dict[str, Outcome]:
    """signUp, logIn, tokenRefresh, password reset: anonymous callers and customers."""
    return row(
        {
            ANONYMOUS: outcome,
            **each(CUSTOMERS, outcome),
            **each(PARTNERS, FORBIDDEN),
            STAFF: FORBIDDEN,
        }
    )


def staff_only() -> dict[str, Outcome]:
    return row(
        {
            ANONYMOUS: UNAUTHENTICATED,
            **each(CUSTOMERS, FORBIDDEN),
            **each(PARTNERS, FORBIDDEN),
            STAFF: DONE,
        }
    )


def public(outcome: Outcome) -> dict[str, Outcome]:
    return row(
        {ANONYMOUS: outcome, **each(CUSTOMERS, outcome), **each(PARTNERS, outcome), STAFF: outcome}
    )


# What the visible objects print of each other (ids in the answer).
LIC_CONTACT_VIEW = ("LIC+key", "ORG", "alice", "carol", "ORDER")  # R-PRICE-5: key to contacts
QUOTE_VIEW = ("Q_OPEN", "ORG", "Atlas")  # its contacts are printed by email, not id

MATRIX: dict[str, dict[str, Outcome]] = {
    # --- public -------------------------------------------------------------------------------
    "Catalog": public(sees("catalog")),
    "PartnerDirectory": public(sees("Atlas", "Bravo")),
    # --- entry points (the account is alice's; signUp is of a fresh email) ------------------
    "SignUp": entry_point(DONE),
    "LogIn": entry_point(DONE),
    "RefreshSession": entry_point(DONE),
    "RequestPasswordReset": entry_point(DONE),
    "ResetPassword": entry_point(DONE),
    # --- one's own account ----------------------------------------------------------------------
    "LogOut": customers_only(DONE),
    "UpdateProfile": customers_only(DONE),
    "ChangeEmail": customers_only(DONE),
    "ChangePassword": customers_only(DONE),
    "StartEvaluation": customers_only(DONE),
    "CloseAccount": row(
        {  # R-ACC-4: alice and carol are still contacts; bob is not
            ANONYMOUS: UNAUTHENTICATED,
            ALICE: refused("CONTACTS_REMAIN"),
            BOB: DONE,
            CAROL: refused("CONTACTS_REMAIN"),
            **each(PARTNERS, FORBIDDEN),
            STAFF: FORBIDDEN,
        }
    ),
    # --- the viewer's own lists (R-QUOTE-6) -----------------------------------------------------
    "AccountHome": row(
        {
            ANONYMOUS: NOTHING,
            ALICE: sees(
                "alice", "carol", "ORG", "LIC", "CLOUD", "LIC_DIRECT", "Q_OPEN", "Q_DIRECT", "ORDER"
            ),
            BOB: sees("bob", "ORDER_BOB"),
            CAROL: sees("carol", "alice", "ORG", "LIC", "CLOUD", "Q_OPEN", "ORDER"),
            **each(PARTNERS, NOTHING),
            STAFF: NOTHING,  # staff have no account of their own
        }
    ),
    "MoreLicenses": row(
        {
            ANONYMOUS: NOTHING,
            ALICE: sees("alice", "carol", "ORG", "LIC", "CLOUD", "LIC_DIRECT"),
            BOB: NOTHING,
            CAROL: sees("alice", "carol", "ORG", "LIC", "CLOUD"),
            **each(PARTNERS, NOTHING),
            STAFF: NOTHING,
        }
    ),
    "MobileLicenses": row(
        {
            ANONYMOUS: NOTHING,
            ALICE: sees("LIC", "CLOUD", "LIC_DIRECT"),
            BOB: NOTHING,
            CAROL: sees("LIC", "CLOUD"),
            **each(PARTNERS, NOTHING),
            STAFF: NOTHING,
        }
    ),
    "MobileQuotes": row(
        {
            ANONYMOUS: NOTHING,
            ALICE: sees("Q_OPEN", "Q_DIRECT"),
            BOB: NOTHING,
            CAROL: sees("Q_OPEN"),
            **each(PARTNERS, NOTHING),
            STAFF: NOTHING,
        }
    ),
    # --- one object by id (R-QUOTE-6, R-SEC-2, R-SEC-3) -----------------------------------------
    "LicenseDetail": row(
        {  # node(LIC)
            ANONYMOUS: NOTHING,
            **each(CONTACTS, sees(*LIC_CONTACT_VIEW)),
            BOB: NOTHING,
            **each(PARTNERS, NOTHING),
            P_LICENSES_READ: sees("LIC", "ORG", "alice", "carol"),  # no orders:read, no key
            STAFF: sees("LIC", "ORG", "alice", "carol", "ORDER"),  # R-SEC-3: no key for staff
        }
    ),
    "PartnerLicense": row(
        {  # license(sen: LIC)
            ANONYMOUS: NOTHING,
            **each(CONTACTS, sees("LIC")),
            BOB: NOTHING,
            **each(PARTNERS, NOTHING),
            P_LICENSES_READ: sees("LIC"),
            STAFF: sees("LIC"),
        }
    ),
    "QuoteDetail": row(
        {  # node(Q_OPEN)
            ANONYMOUS: NOTHING,
            **each(CONTACTS, sees(*QUOTE_VIEW)),
            BOB: NOTHING,
            **each(PARTNERS, NOTHING),
            P_QUOTES_READ: sees(*QUOTE_VIEW),
            STAFF: sees(*QUOTE_VIEW),
        }
    ),
    "MobileQuote": row(
        {  # node(Q_OPEN)
            ANONYMOUS: NOTHING,
            **each(CONTACTS, sees("Q_OPEN")),
            BOB: NOTHING,
            **each(PARTNERS, NOTHING),
            P_QUOTES_READ: sees("Q_OPEN"),
            STAFF: sees("Q_OPEN"),
        }
    ),
    "OrderDetail": row(
        {  # node(ORDER)
            ANONYMOUS: NOTHING,
            **each(CONTACTS, sees("ORDER", "Q_PAID", "LIC+key")),
            BOB: NOTHING,
            **each(PARTNERS, NOTHING),
            P_ORDERS_READ: sees("ORDER"),  # its quote and licenses need their own scopes
            STAFF: sees("ORDER", "Q_PAID", "LIC"),
        }
    ),
    # --- partner portal ---------------------------------------------------------------------------
    "PartnerHome": row(
        {
            ANONYMOUS: NOTHING,
            **each(CUSTOMERS, NOTHING),
            P_QUOTES_READ: sees("Atlas", "Q_OPEN"),
            P_QUOTES_WRITE: sees("Atlas"),
            P_ORDERS_READ: sees("Atlas"),
            P_LICENSES_READ: sees("Atlas"),
            P_LICENSES_WRITE: sees("Atlas"),
            P_CUSTOMERS_READ: sees("Atlas", "ORG"),  # its licenses need licenses:read
            P_WEBHOOKS_WRITE: sees("Atlas"),
            STAFF: NOTHING,
        }
    ),
    # --- dashboards: staff see all, everyone else what the policy lets them -------------------
    "QuotesNeedingReview": row(
        {
            ANONYMOUS: NOTHING,
            ALICE: sees("Q_OPEN", "Q_DIRECT"),
            BOB: NOTHING,
            CAROL: sees("Q_OPEN"),
            **each(PARTNERS, NOTHING),
            P_QUOTES_READ: sees("Q_OPEN"),
            STAFF: sees("Q_OPEN", "Q_DIRECT"),
        }
    ),
    "ExpiringMaintenance": row(
        {
            ANONYMOUS: NOTHING,
            ALICE: sees("LIC", "CLOUD", "LIC_DIRECT"),
            BOB: NOTHING,
            CAROL: sees("LIC", "CLOUD"),
            **each(PARTNERS, NOTHING),
            P_LICENSES_READ: sees("LIC", "CLOUD"),
            STAFF: sees("LIC", "CLOUD", "LIC_DIRECT"),
        }
    ),
    "AccountLookup": row(
        {  # accounts(email: alice) { licenses { totalCount } }
            ANONYMOUS: NOTHING,
            ALICE: sees("alice", "alice.licenses=3"),
            BOB: NOTHING,
            CAROL: sees("alice", "alice.licenses=2"),  # the two they share
            **each(PARTNERS, NOTHING),
            # alice is printed on what they resold, as a contact; her licenses need licenses:read
            P_QUOTES_READ: sees("alice", "alice.licenses=0"),
            P_ORDERS_READ: sees("alice", "alice.licenses=0"),
            P_LICENSES_READ: sees("alice", "alice.licenses=2"),
            STAFF: sees("alice", "alice.licenses=3"),
        }
    ),
    "Metrics": row(
        {
            ANONYMOUS: NOTHING,
            **each(CUSTOMERS, NOTHING),
            **each(PARTNERS, NOTHING),
            STAFF: sees("metrics"),
        }
    ),
    "AuditTrail": row(
        {  # auditEvents(entityId: Q_OPEN)
            ANONYMOUS: NOTHING,
            **each(CONTACTS, sees("EVENT")),
            BOB: NOTHING,
            **each(PARTNERS, NOTHING),
            STAFF: sees("EVENT"),
        }
    ),
    # --- quotes (R-QUOTE-3..7) --------------------------------------------------------------------
    "CreateQuote": row(
        {  # contacts: carol (billing), alice (technical); reseller box unticked
            ANONYMOUS: UNAUTHENTICATED,
            **each(CONTACTS, DONE),
            BOB: refused("INVALID"),  # a customer must name himself a contact (R-QUOTE-6)
            **each(PARTNERS, FORBIDDEN),
            P_QUOTES_WRITE: DONE_UNSEEN,  # R-QUOTE-5: resold by Atlas; no quotes:read
            STAFF: DONE,
        }
    ),
    "PartnerCreateQuote": row(
        {
            ANONYMOUS: UNAUTHENTICATED,
            **each(CONTACTS, DONE),
            BOB: refused("INVALID"),
            **each(PARTNERS, FORBIDDEN),
            P_QUOTES_WRITE: DONE_UNSEEN,
            STAFF: DONE,
        }
    ),
    **{
        name: row(
            {  # Q_OPEN
                ANONYMOUS: UNAUTHENTICATED,
                **each(CONTACTS, DONE),
                BOB: NOT_FOUND,
                **each(PARTNERS, NOT_FOUND),
                STAFF: DONE,
            }
        )
        for name in (
            "EditQuote",
            "SetQuotePoNumber",
            "MobileSetPoNumber",
            "PartnerSetPoNumber",
            "DeleteQuote",
        )
    },
    "RequestRenewal": row(
        {  # R-MAINT-8: SEN of LIC + alice's email; the quote goes to LIC's contacts
            ANONYMOUS: DONE_UNSEEN,
            **each(CONTACTS, DONE),
            BOB: DONE_UNSEEN,
            **each(PARTNERS, DONE_UNSEEN),
            P_QUOTES_READ: DONE,
            STAFF: DONE,
        }
    ),
    "RequestUpgrade": row(
        {
            ANONYMOUS: DONE_UNSEEN,
            **each(CONTACTS, DONE),
            BOB: DONE_UNSEEN,
            **each(PARTNERS, DONE_UNSEEN),
            P_QUOTES_READ: DONE,
            STAFF: DONE,
        }
    ),
    # --- orders and payments -------------------------------------------------------------------
    "SetOrderPoNumber": row(
        {  # ORDER (R-QUOTE-4)
            ANONYMOUS: UNAUTHENTICATED,
            **each(CONTACTS, DONE),
            BOB: NOT_FOUND,
            **each(PARTNERS, FORBIDDEN),
            STAFF: DONE,
        }
    ),
    "RecordPayment": staff_only(),  # Q_OPEN
    # --- licenses ---------------------------------------------------------------------------
    "ChangeLicenseContacts": row(
        {  # LIC (R-ACC-3): the billing role goes to alice
            ANONYMOUS: UNAUTHENTICATED,
            ALICE: DONE,
            CAROL: DONE_UNSEEN,  # she gave her only role away: no longer hers to see
            BOB: NOT_FOUND,
            **each(PARTNERS, NOT_FOUND),
            STAFF: DONE,
        }
    ),
    "UpdateCloudCard": row(
        {  # CLOUD (R-ACC-6: its site admins, i.e. contacts; staff)
            ANONYMOUS: UNAUTHENTICATED,
            **each(CONTACTS, DONE),
            BOB: NOT_FOUND,
            **each(PARTNERS, FORBIDDEN),
            STAFF: DONE,
        }
    ),
    "AssignLicense": staff_only(),  # LIC to ORG_BOB (R-ACC-7)
    # --- partner tokens (R-SEC-2) ------------------------------------------------------------
    "CreatePartnerToken": staff_only(),
    "RevokePartnerToken": staff_only(),
}

assert set(PRINCIPALS) == {
    ANONYMOUS,
    ALICE,
    BOB,
    CAROL,
    P_QUOTES_READ,
    P_QUOTES_WRITE,
    P_ORDERS_READ,
    P_LICENSES_READ,
    P_LICENSES_WRITE,
    P_CUSTOMERS_READ,
    P_WEBHOOKS_WRITE,  # R-LIVE-2: webhooks:write alone reads nothing
    P_REVOKED,
    P_EXPIRED,
    STAFF,
}


def render() -> str:
    """The table as Markdown, one line per operation (``python -m tests.api.matrix.table``)."""
    lines = [
        "| operation | " + " | ".join(PRINCIPALS) + " |",
        "|---" * (len(PRINCIPALS) + 1) + "|",
    ]
    for name, cells in MATRIX.items():
        shown = [str(cells[p]) for p in PRINCIPALS]
        lines.append(f"| {name} | " + " | ".join(shown) + " |")
    return "\n".join(lines)


def counts() -> dict[str, int]:
    """How many cells of each kind of outcome (SEES split into something / nothing)."""
    tally: dict[str, int] = {}
    for cells in MATRIX.values():
        for outcome in cells.values():
            kind = outcome.kind
            if kind == "SEES":
                kind = "SEES something" if outcome.labels else "SEES nothing"
            tally[kind] = tally.get(kind, 0) + 1
    return tally


if __name__ == "__main__":
    print(render())
    print()
    print(counts())
