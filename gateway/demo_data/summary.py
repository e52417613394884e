"""What a demo load left in the database, printable for the person who ran it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from gateway.demo_data.scripted import ALICE_EMAIL, BILLING_ONLY_EMAIL, BOB_EMAIL, INVITED_EMAILS

DEMO_PASSWORD = "conex-demo-password"  # every ACTIVE demo account's password


@dataclass(frozen=True, slots=True)
class DemoLogin:
    email: str
    description: str


WELL_KNOWN_LOGINS = (
    DemoLogin(
        ALICE_EMAIL,
        "an Algerian university and a resold library: licenses in every status, quotes, orders",
    ),
    DemoLogin(BOB_EMAIL, "US public library, unrelated to Alice"),
    DemoLogin(BILLING_ONLY_EMAIL, "only the billing contact of two of Alice's licenses"),
)


@dataclass(frozen=True, slots=True)
class DemoSummary:
    created: bool  # False: the dataset was already there and nothing changed
    seed: int
    accounts: int
    today: dt.date  # the day the dataset's statuses are relative to
    counts: dict[str, int]  # rows per table
    logins: tuple[DemoLogin, ...]
    invited: tuple[str, ...] = INVITED_EMAILS
    password: str = DEMO_PASSWORD

    def __str__(self) -> str:
        what = "Loaded" if self.created else "Already present, nothing changed:"
        lines = [
            f"{what} demo data (seed {self.seed}, {self.accounts} accounts, "
            f"dates relative to {self.today.isoformat()})",
            "",
        ]
        width = max(len(table) for table in self.counts)
        lines += [f"  {table:<{width}}  {count:>7}" for table, count in self.counts.items()]
        lines += ["", f'Demo logins (password "{self.password}"):']
        width = max(len(login.email) for login in self.logins)
        lines += [f"  {login.email:<{width}}  {login.description}" for login in self.logins]
        lines += [
            f"Invited contacts, no password yet: {', '.join(self.invited)}",
            "  (a password reset requested with their address mails the link that activates them)",
        ]
        return "\n".join(lines)
