"""Every mail the gateway writes: subject, body and template name, one function each.

The words are the product's; the actions only choose which message goes to whom. A message
is queued on the unit of work (``UnitOfWork.send``) and leaves only if the mutation commits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from gateway.domain.enums import Currency


@dataclass(frozen=True, slots=True)
class Message:
    subject: str
    body: str
    template: str


# --- accounts and passwords (R-ACC-1, R-ACC-2, R-ACC-4) ---------------------------------------


def contact_invitation(*, subject: str, reason: str, link: str) -> Message:
    return Message(
        subject=subject,
        body=(
            f"Hello,\n\n{reason}\n\n"
            "To see it in My Conex, choose a password for your account with this link\n"
            "(it works once, within 7 days):\n\n"
            f"{link}\n\n"
            'If the link has expired, use "Forgot password" on My Conex with this address.\n\n'
            "-- My Conex\n"
        ),
        template="contact_invitation",
    )


def password_reset(*, name: str, link: str, invited: bool) -> Message:
    asked = (
        "Someone, probably you, asked to set the password of the My Conex account this\n"
        "address was invited to (a Conex quote or license names it as a contact).\n"
        if invited
        else "Someone, probably you, asked to reset the password of your My Conex account.\n"
    )
    return Message(
        subject="Set your My Conex password" if invited else "Reset your My Conex password",
        body=(
            f"Hello {name},\n\n"
            f"{asked}"
            "To choose a new password, open this link within the next hour:\n\n"
            f"{link}\n\n"
            "The link works once. If you did not ask for it, ignore this message: your password\n"
            "stays as it is.\n\n"
            "-- My Conex\n"
        ),
        template="password_reset",
    )


def password_was_reset(*, name: str) -> Message:
    return Message(
        subject="Your My Conex password was changed",
        body=(
            f"Hello {name},\n\n"
            "The password of your My Conex account was just reset, and every device signed in\n"
            "to it was signed out. If this was not you, reset your password again right away\n"
            "and contact Conex support.\n\n"
            "-- My Conex\n"
        ),
        template="password_changed",
    )


def welcome(*, name: str) -> Message:
    return Message(
        subject="Welcome to My Conex",
        body=(
            f"Hello {name},\n\n"
            "Your My Conex account is ready: log in with this address and the password you just\n"
            "chose to see the quotes and licenses that name you as a contact.\n\n"
            "-- My Conex\n"
        ),
        template="account_activated",
    )


def email_changed_old(*, new_email: str) -> Message:
    return Message(
        subject="Your My Conex email address was changed",
        body=f"The email address of your My Conex account is now {new_email}. "
        "If you did not make this change, contact Conex support at once.",
        template="account_email_changed_old",
    )


def email_changed_new() -> Message:
    return Message(
        subject="This is now your My Conex email address",
        body="You now sign in to My Conex with this address. Your licenses, quotes and "
        "orders moved with your account.",
        template="account_email_changed_new",
    )


def password_changed() -> Message:
    return Message(
        subject="Your My Conex password was changed",
        body="Your password was changed and your other sessions were signed out. "
        "If you did not make this change, reset your password and contact Conex support.",
        template="account_password_changed",
    )


def account_closed() -> Message:
    return Message(
        subject="Your My Conex account is closed",
        body="Your My Conex account was closed. Your paid invoices keep your name and "
        "email as printed. You may sign up again with this address at any time.",
        template="account_closed",
    )


# --- quotes and orders ------------------------------------------------------------------------


def quote_summary(
    *, number: str, total: Decimal, currency: Currency | str, valid_until: dt.date
) -> str:
    return (
        f"Quote {number}: total {total} {Currency(currency).value}, "
        f"valid until {valid_until.isoformat()}."
    )


def quote_created(*, number: str, summary: str) -> Message:
    return Message(subject=f"Conex quote {number} created", body=summary, template="quote_created")


def quote_changed(*, number: str, summary: str) -> Message:
    return Message(subject=f"Conex quote {number} changed", body=summary, template="quote_changed")


def requested_quote(*, kind: str, number: str, sen: str, summary: str) -> Message:
    """A renewal or upgrade quote asked for by SEN (R-MAINT-8); ``kind`` names which."""
    return Message(
        subject=f"Your Conex {kind} quote {number} for {sen}",
        body=summary,
        template=f"{kind}_quote",
    )


def payment_received(
    *,
    order_number: str,
    invoice_number: str,
    quote_number: str,
    total: Decimal,
    currency: str,
    sens: list[str],
) -> Message:
    return Message(
        subject=f"Payment received: order {order_number}",
        body=(
            f"We received {total} {currency} for quote {quote_number}: order "
            f"{order_number}, invoice {invoice_number}. The license keys for "
            f"{', '.join(sens) or 'your licenses'} are available in My Conex."
        ),
        template="payment_received",
    )


# --- licenses ---------------------------------------------------------------------------------


def license_contacts_changed(*, sen: str, old: list[str], new: list[str]) -> Message:
    """Each role with its contact now; "(was …)" only for a role whose contact changed."""

    def role(label: str, now: str, before: str) -> str:
        return f"{label}: {now}" + (f" (was {before})." if now != before else " (unchanged).")

    return Message(
        subject=f"The contacts of license {sen} changed",
        body=f"{role('Billing contact', new[0], old[0])} "
        f"{role('Technical contact', new[1], old[1])}",
        template="license_contacts_changed",
    )


def evaluation_started(*, product: str, sen: str, days: int, ends_on: dt.date) -> Message:
    return Message(
        subject=f"Your {product} evaluation {sen} has started",
        body=f"Your {days}-day evaluation ends on {ends_on.isoformat()}. "
        "The license key is in My Conex, under Licenses.",
        template="evaluation_started",
    )


def cloud_card_updated(
    *, sen: str, card: str | None, charged: str | None, runs_until: dt.date | None
) -> Message:
    body = f"The payment card of Cloud subscription {sen} is now {card}."
    if charged and runs_until is not None:
        body += (
            f" The overdue renewal was charged: {charged}; the subscription runs until "
            f"{runs_until.isoformat()}."
        )
    return Message(
        subject=f"Payment card updated for {sen}", body=body, template="cloud_card_updated"
    )


def license_assigned(*, sen: str, organization: str) -> Message:
    return Message(
        subject=f"License {sen} was assigned to {organization}",
        body=f"License {sen} now belongs to {organization} (Consent to Assign).",
        template="license_assigned",
    )


def evaluation_converted(*, evaluation_sen: str, paid_sen: str) -> Message:
    """R-EVAL-5, R-EVAL-4: the paid license replaces the evaluation on its deployment."""
    return Message(
        subject=f"Evaluation {evaluation_sen} is now license {paid_sen}",
        body=(
            f"Your purchase converted evaluation {evaluation_sen} into license {paid_sen}. "
            "No reinstall is needed: copy the key of "
            f"{paid_sen} from My Conex into the License Details page of your administration "
            f"console. The evaluation's key no longer applies."
        ),
        template="evaluation_converted",
    )


def cloud_billing_address_updated(*, sen: str, address: str) -> Message:
    """R-ACC-8."""
    return Message(
        subject=f"Billing address updated for {sen}",
        body=f"The billing address of Cloud subscription {sen} is now: {address}. "
        "Invoices from now on print it.",
        template="cloud_billing_address_updated",
    )


# --- sales requests (R-REQ-1) -------------------------------------------------------------


def sales_request_opened(*, number: str, kind: str, about: str | None, message: str) -> Message:
    subject = f" about {about}" if about else ""
    return Message(
        subject=f"We received your request {number}",
        body=(
            f"Thank you: your {kind} request {number}{subject} is with Conex sales, who will "
            "answer it here and in My Conex.\n\n"
            f"You wrote:\n{message}\n\n-- Conex Sales\n"
        ),
        template="sales_request_opened",
    )


def sales_request_resolved(*, number: str, declined: bool, resolution: str) -> Message:
    outcome = "declined" if declined else "resolved"
    return Message(
        subject=f"Your request {number} was {outcome}",
        body=f"Conex sales {outcome} your request {number}:\n\n{resolution}\n\n-- Conex Sales\n",
        template=f"sales_request_{outcome}",
    )
