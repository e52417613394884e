"""Every mail the gateway writes: subject, body and template name, one function each.

The words are the product's; the actions only choose which message goes to whom. A message
is queued on the unit of work (``UnitOfWork.send``) and leaves only if the mutation commits.
Each body says what happened, to what (a quote number, a SEN, the account) and links to the
web UI's page for it, under ``CONEX_WEB_URL``:

- ``/quotes/<id>``, ``/orders/<id>``, ``/licenses/<id>``: the pages of the web UI's
  ``QuoteDetail``, ``OrderDetail`` and ``LicenseDetail``, by the API's global id (they show
  the PDF link, ``pdfUrl``; a mail carries no PDF link of its own, since a signed document
  link is valid for 15 minutes and is a bearer credential);
- ``/account``: the profile; ``/``: My Conex's home, where one signs in;
- ``/reset-password?token=…``: set or reset a password (``gateway.actions.invitation``).

Plain text only: a client shows it as sent, and nothing in it can be markup.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from gateway.actions.ids import global_id
from gateway.domain.enums import Currency

SIGNATURE = "-- My Conex"


@dataclass(frozen=True, slots=True)
class Message:
    subject: str
    body: str
    template: str


@dataclass(frozen=True, slots=True)
class QuoteSummary:
    """What a quote mail tells of the quote."""

    id: int
    number: str
    total: Decimal
    currency: str
    valid_until: dt.date


def home_page(web_url: str) -> str:
    return f"{web_url.rstrip('/')}/"


def account_page(web_url: str) -> str:
    return f"{web_url.rstrip('/')}/account"


def quote_page(web_url: str, quote_id: int) -> str:
    return f"{web_url.rstrip('/')}/quotes/{global_id('Quote', quote_id)}"


def order_page(web_url: str, order_id: int) -> str:
    return f"{web_url.rstrip('/')}/orders/{global_id('Order', order_id)}"


def license_page(web_url: str, license_id: int) -> str:
    return f"{web_url.rstrip('/')}/licenses/{global_id('License', license_id)}"


def _compose(*paragraphs: str, name: str | None = None) -> str:
    greeting = f"Hello {name}," if name else "Hello,"
    return "\n\n".join([greeting, *paragraphs, SIGNATURE]) + "\n"


def _when(at: dt.datetime) -> str:
    return f"{at.astimezone(dt.UTC):%Y-%m-%d at %H:%M} UTC"


# --- accounts and passwords (R-ACC-1, R-ACC-2, R-ACC-4) ---------------------------------------


def contact_invitation(*, subject: str, reason: str, link: str) -> Message:
    return Message(
        subject=subject,
        body=_compose(
            reason,
            "To see it in My Conex, choose a password for your account with this link\n"
            "(it works once, within 7 days):\n\n"
            f"{link}",
            'If the link has expired, use "Forgot password" on My Conex with this address.',
        ),
        template="contact_invitation",
    )


def password_reset(*, name: str, email: str, link: str, invited: bool) -> Message:
    asked = (
        f"Someone, probably you, asked to set the password of the My Conex account {email},\n"
        "to which this address was invited (a Conex quote or license names it as a contact)."
        if invited
        else f"Someone, probably you, asked to reset the password of your My Conex account\n"
        f"{email}."
    )
    return Message(
        subject="Set your My Conex password" if invited else "Reset your My Conex password",
        body=_compose(
            asked,
            f"To choose a new password, open this link within the next hour:\n\n{link}",
            "The link works once. If you did not ask for it, ignore this message: your password\n"
            "stays as it is.",
            name=name,
        ),
        template="password_reset",
    )


def password_was_reset(*, name: str, at: dt.datetime, web_url: str) -> Message:
    return Message(
        subject="Your My Conex password was changed",
        body=_compose(
            f"The password of your My Conex account was reset on {_when(at)}, and every\n"
            "device signed in to it was signed out. Sign in with the new password at:\n\n"
            f"{home_page(web_url)}",
            "If this was not you, reset your password again right away and contact Conex\nsupport.",
            name=name,
        ),
        template="password_changed",
    )


def welcome(*, name: str, web_url: str) -> Message:
    return Message(
        subject="Welcome to My Conex",
        body=_compose(
            "Your My Conex account is ready: sign in with this address and the password you\n"
            "just chose to see the quotes, orders and licenses that name you as a contact:\n\n"
            f"{home_page(web_url)}",
            name=name,
        ),
        template="account_activated",
    )


def email_changed_old(*, name: str, new_email: str, at: dt.datetime) -> Message:
    return Message(
        subject="Your My Conex email address was changed",
        body=_compose(
            f"On {_when(at)} the email address of your My Conex account was changed from\n"
            f"this address to {new_email}, which you now sign in with.",
            "If you did not make this change, contact Conex support at once.",
            name=name,
        ),
        template="account_email_changed_old",
    )


def email_changed_new(*, name: str, web_url: str) -> Message:
    return Message(
        subject="This is now your My Conex email address",
        body=_compose(
            "You now sign in to My Conex with this address. Your licenses, quotes and orders\n"
            "moved with your account. Your profile:\n\n"
            f"{account_page(web_url)}",
            name=name,
        ),
        template="account_email_changed_new",
    )


def password_changed(*, name: str, at: dt.datetime, web_url: str) -> Message:
    return Message(
        subject="Your My Conex password was changed",
        body=_compose(
            f"The password of your My Conex account was changed on {_when(at)}, and your\n"
            "other sessions were signed out.",
            'If you did not make this change, reset your password ("Forgot password") at\n'
            f"{home_page(web_url)} and contact Conex support.",
            name=name,
        ),
        template="account_password_changed",
    )


def account_closed(*, name: str, web_url: str) -> Message:
    return Message(
        subject="Your My Conex account is closed",
        body=_compose(
            "Your My Conex account was closed: it can no longer sign in. Your paid invoices\n"
            "keep your name and email as printed on them.",
            f"You may sign up again with this address at any time at {home_page(web_url)}",
            name=name,
        ),
        template="account_closed",
    )


# --- quotes and orders ------------------------------------------------------------------------


def quote_summary(
    *, quote_id: int, number: str, total: Decimal, currency: Currency | str, valid_until: dt.date
) -> QuoteSummary:
    return QuoteSummary(
        id=quote_id,
        number=number,
        total=total,
        currency=Currency(currency).value,
        valid_until=valid_until,
    )


def _quote_facts(quote: QuoteSummary) -> str:
    return f"Total: {quote.total} {quote.currency}\nValid until: {quote.valid_until.isoformat()}"


def _quote_link(quote: QuoteSummary, web_url: str) -> str:
    return f"See the quote and its PDF in My Conex:\n\n{quote_page(web_url, quote.id)}"


def quote_created(quote: QuoteSummary, *, web_url: str) -> Message:
    return Message(
        subject=f"Conex quote {quote.number} created",
        body=_compose(
            f"Conex quote {quote.number} was created, naming you as a contact.",
            _quote_facts(quote),
            _quote_link(quote, web_url),
        ),
        template="quote_created",
    )


def quote_changed(quote: QuoteSummary, *, web_url: str) -> Message:
    return Message(
        subject=f"Conex quote {quote.number} changed",
        body=_compose(
            f"Conex quote {quote.number} was changed. As it stands now:",
            _quote_facts(quote),
            _quote_link(quote, web_url),
        ),
        template="quote_changed",
    )


def requested_quote(*, kind: str, sen: str, quote: QuoteSummary, web_url: str) -> Message:
    """A renewal or upgrade quote asked for by SEN (R-MAINT-8); ``kind`` names which."""
    return Message(
        subject=f"Your Conex {kind} quote {quote.number} for {sen}",
        body=_compose(
            f"A {kind} quote for Conex license {sen} was requested: quote {quote.number}.",
            _quote_facts(quote),
            _quote_link(quote, web_url),
        ),
        template=f"{kind}_quote",
    )


def payment_received(
    *,
    order_id: int,
    order_number: str,
    invoice_number: str,
    quote_number: str,
    total: Decimal,
    currency: str,
    sens: list[str],
    web_url: str,
) -> Message:
    return Message(
        subject=f"Payment received: order {order_number}",
        body=_compose(
            f"We received the payment of {total} {currency} for Conex quote {quote_number}.\n"
            "Thank you.",
            f"Order: {order_number}\nInvoice: {invoice_number}\n"
            f"Licenses: {', '.join(sens) or '(none)'}",
            "The invoice PDF is on the order's page in My Conex, and the license keys under\n"
            f"Licenses:\n\n{order_page(web_url, order_id)}",
        ),
        template="payment_received",
    )


# --- licenses ---------------------------------------------------------------------------------


def _license_link(license_id: int, web_url: str) -> str:
    return f"See the license in My Conex:\n\n{license_page(web_url, license_id)}"


def license_contacts_changed(
    *, license_id: int, sen: str, old: list[str], new: list[str], web_url: str
) -> Message:
    """Each role with its contact now; "(was …)" only for a role whose contact changed."""

    def role(label: str, now: str, before: str) -> str:
        return f"{label}: {now}" + (f" (was {before})." if now != before else " (unchanged).")

    return Message(
        subject=f"The contacts of license {sen} changed",
        body=_compose(
            f"The contacts of Conex license {sen} changed:",
            f"{role('Billing contact', new[0], old[0])}\n"
            f"{role('Technical contact', new[1], old[1])}",
            _license_link(license_id, web_url),
        ),
        template="license_contacts_changed",
    )


def evaluation_started(
    *, license_id: int, product: str, sen: str, days: int, ends_on: dt.date, web_url: str
) -> Message:
    return Message(
        subject=f"Your {product} evaluation {sen} has started",
        body=_compose(
            f"Your {days}-day evaluation of {product} has started: license {sen}, which ends\n"
            f"on {ends_on.isoformat()}.",
            f"The license key is on the license's page in My Conex:\n\n"
            f"{license_page(web_url, license_id)}",
        ),
        template="evaluation_started",
    )


def cloud_card_updated(
    *,
    license_id: int,
    sen: str,
    card: str | None,
    charged: str | None,
    runs_until: dt.date | None,
    web_url: str,
) -> Message:
    facts = f"The payment card of Conex Cloud subscription {sen} is now {card}."
    if charged and runs_until is not None:
        facts += (
            f"\nThe overdue renewal was charged: {charged}; the subscription runs until "
            f"{runs_until.isoformat()}."
        )
    return Message(
        subject=f"Payment card updated for {sen}",
        body=_compose(facts, _license_link(license_id, web_url)),
        template="cloud_card_updated",
    )


def license_assigned(*, license_id: int, sen: str, organization: str, web_url: str) -> Message:
    return Message(
        subject=f"License {sen} was assigned to {organization}",
        body=_compose(
            f"Conex license {sen} now belongs to {organization} (Consent to Assign).",
            _license_link(license_id, web_url),
        ),
        template="license_assigned",
    )
