"""Mail bodies (gateway/actions/messages.py): each says what happened, to what, and links to
the web UI's page for it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gateway.actions import messages
from gateway.actions.ids import global_id
from gateway.actions.invitation import set_password_link
from gateway.domain.enums import Currency

WEB = "https://my.conex.example"
AT = dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.UTC)
QUOTE = messages.quote_summary(
    quote_id=123,
    number="Q-000123",
    total=Decimal("3571.20"),
    currency=Currency.EUR,
    valid_until=dt.date(2026, 12, 27),
)
QUOTE_PAGE = f"{WEB}/quotes/{global_id('Quote', 123)}"
LICENSE_PAGE = f"{WEB}/licenses/{global_id('License', 7)}"


def lines(message: messages.Message) -> list[str]:
    return message.body.splitlines()


def test_every_body_is_greeted_signed_and_plain_text() -> None:
    for message in all_messages():
        assert message.body.startswith("Hello"), message.template
        assert message.body.endswith("\n\n-- My Conex\n"), message.template
        assert "<" not in message.body, message.template  # no markup
        assert all(len(line) <= 90 for line in lines(message)), message.template


def test_pages_are_the_web_uis_by_global_id() -> None:
    assert messages.quote_page(WEB, 123) == QUOTE_PAGE
    assert messages.quote_page(WEB + "/", 123) == QUOTE_PAGE
    assert messages.order_page(WEB, 5) == f"{WEB}/orders/{global_id('Order', 5)}"
    assert messages.license_page(WEB, 7) == LICENSE_PAGE
    assert messages.account_page(WEB) == f"{WEB}/account"
    assert messages.home_page(WEB) == f"{WEB}/"


# --- quotes and orders ------------------------------------------------------------------------


def test_quote_created_names_the_quote_its_total_and_links_to_it() -> None:
    message = messages.quote_created(QUOTE, web_url=WEB)
    assert message.subject == "Conex quote Q-000123 created"
    assert message.template == "quote_created"
    assert "Conex quote Q-000123 was created, naming you as a contact." in message.body
    assert "Total: 3571.20 EUR" in lines(message)
    assert "Valid until: 2026-12-27" in lines(message)
    assert QUOTE_PAGE in lines(message)
    assert "PDF" in message.body


def test_quote_changed_says_it_changed_and_links_to_it() -> None:
    message = messages.quote_changed(QUOTE, web_url=WEB)
    assert message.subject == "Conex quote Q-000123 changed"
    assert "Conex quote Q-000123 was changed." in message.body
    assert "Total: 3571.20 EUR" in lines(message)
    assert QUOTE_PAGE in lines(message)


@pytest.mark.parametrize("kind", ["renewal", "upgrade"])
def test_a_requested_quote_names_the_license_and_links_to_the_quote(kind: str) -> None:
    message = messages.requested_quote(kind=kind, sen="SEN-4242", quote=QUOTE, web_url=WEB)
    assert message.subject == f"Your Conex {kind} quote Q-000123 for SEN-4242"
    assert message.template == f"{kind}_quote"
    assert f"A {kind} quote for Conex license SEN-4242 was requested: quote Q-000123." in (
        message.body
    )
    assert QUOTE_PAGE in lines(message)


def test_payment_received_names_order_invoice_licenses_and_links_to_the_order() -> None:
    message = messages.payment_received(
        order_id=5,
        order_number="O-000005",
        invoice_number="INV-000009",
        quote_number="Q-000123",
        total=Decimal("3571.20"),
        currency="EUR",
        sens=["SEN-1", "SEN-2"],
        web_url=WEB,
    )
    assert message.subject == "Payment received: order O-000005"
    assert "We received the payment of 3571.20 EUR for Conex quote Q-000123." in message.body
    assert {"Order: O-000005", "Invoice: INV-000009", "Licenses: SEN-1, SEN-2"} <= set(
        lines(message)
    )
    assert f"{WEB}/orders/{global_id('Order', 5)}" in lines(message)
    assert "invoice PDF" in message.body


# --- licenses ---------------------------------------------------------------------------------


def test_contacts_changed_names_what_was_only_for_a_changed_role() -> None:
    message = messages.license_contacts_changed(
        license_id=7,
        sen="SEN-1",
        old=["ana@example.com", "tom@example.com"],
        new=["bea@example.com", "tom@example.com"],
        web_url=WEB,
    )
    assert message.subject == "The contacts of license SEN-1 changed"
    assert "Billing contact: bea@example.com (was ana@example.com)." in lines(message)
    assert "Technical contact: tom@example.com (unchanged)." in lines(message)
    assert "(was tom@example.com)" not in message.body
    assert LICENSE_PAGE in lines(message)


def test_evaluation_started_names_product_license_and_end_and_links_to_the_key() -> None:
    message = messages.evaluation_started(
        license_id=7,
        product="Conex Analytics",
        sen="SEN-7",
        days=30,
        ends_on=dt.date(2026, 12, 27),
        web_url=WEB,
    )
    assert message.subject == "Your Conex Analytics evaluation SEN-7 has started"
    assert "30-day evaluation of Conex Analytics has started: license SEN-7" in message.body
    assert "2026-12-27" in message.body
    assert "license key" in message.body and LICENSE_PAGE in lines(message)


def test_cloud_card_updated_says_the_card_and_any_charge() -> None:
    plain = messages.cloud_card_updated(
        license_id=7, sen="SEN-7", card="Visa •••• 4242", charged=None, runs_until=None, web_url=WEB
    )
    assert "Cloud subscription SEN-7 is now Visa •••• 4242." in plain.body
    assert "charged" not in plain.body and LICENSE_PAGE in lines(plain)
    charged = messages.cloud_card_updated(
        license_id=7,
        sen="SEN-7",
        card="Visa •••• 4242",
        charged="120.00 USD",
        runs_until=dt.date(2027, 11, 27),
        web_url=WEB,
    )
    assert "The overdue renewal was charged: 120.00 USD" in charged.body
    assert "runs until 2027-11-27" in charged.body


def test_license_assigned_names_the_new_owner_and_links_to_the_license() -> None:
    message = messages.license_assigned(
        license_id=7, sen="SEN-7", organization="Université d'Alger", web_url=WEB
    )
    assert message.subject == "License SEN-7 was assigned to Université d'Alger"
    assert "Conex license SEN-7 now belongs to Université d'Alger" in message.body
    assert LICENSE_PAGE in lines(message)


# --- accounts and passwords -------------------------------------------------------------------


def test_password_reset_names_the_account_and_carries_the_link() -> None:
    link = set_password_link(WEB, "tok/en+1")
    assert link == f"{WEB}/reset-password?token=tok%2Fen%2B1"  # the path the web UI serves
    reset = messages.password_reset(
        name="Nadia", email="nadia@example.com", link=link, invited=False
    )
    assert reset.subject == "Reset your My Conex password"
    assert reset.body.startswith("Hello Nadia,")
    assert "nadia@example.com" in reset.body and link in lines(reset)
    assert "within the next hour" in reset.body
    invited = messages.password_reset(
        name="Nadia", email="nadia@example.com", link=link, invited=True
    )
    assert invited.subject == "Set your My Conex password"
    assert "invited" in invited.body and link in lines(invited)


def test_the_invitation_says_why_and_carries_the_link() -> None:
    link = set_password_link(WEB, "t")
    message = messages.contact_invitation(
        subject="You are a contact on Conex quote Q-000123",
        reason="You were named a contact on Conex quote Q-000123.",
        link=link,
    )
    assert "You were named a contact on Conex quote Q-000123." in message.body
    assert link in lines(message) and "7 days" in message.body


def test_account_notices_say_when_and_where_to_go() -> None:
    was_reset = messages.password_was_reset(name="Nadia", at=AT, web_url=WEB)
    assert "was reset on 2026-11-27 at 09:30 UTC" in was_reset.body
    assert f"{WEB}/" in lines(was_reset)
    changed = messages.password_changed(name="Nadia", at=AT, web_url=WEB)
    assert "was changed on 2026-11-27 at 09:30 UTC" in changed.body
    assert "Forgot password" in changed.body and f"{WEB}/" in changed.body
    old = messages.email_changed_old(name="Nadia", new_email="n@new.example", at=AT)
    assert "On 2026-11-27 at 09:30 UTC" in old.body and "n@new.example" in old.body
    new = messages.email_changed_new(name="Nadia", web_url=WEB)
    assert f"{WEB}/account" in lines(new)
    welcome = messages.welcome(name="Nadia", web_url=WEB)
    assert welcome.body.startswith("Hello Nadia,") and f"{WEB}/" in lines(welcome)
    closed = messages.account_closed(name="Nadia", web_url=WEB)
    assert "was closed" in closed.body and f"{WEB}/" in closed.body


def all_messages() -> list[messages.Message]:
    link = set_password_link(WEB, "t")
    return [
        messages.contact_invitation(subject="s", reason="r", link=link),
        messages.password_reset(name="N", email="n@example.com", link=link, invited=False),
        messages.password_reset(name="N", email="n@example.com", link=link, invited=True),
        messages.password_was_reset(name="N", at=AT, web_url=WEB),
        messages.welcome(name="N", web_url=WEB),
        messages.email_changed_old(name="N", new_email="m@example.com", at=AT),
        messages.email_changed_new(name="N", web_url=WEB),
        messages.password_changed(name="N", at=AT, web_url=WEB),
        messages.account_closed(name="N", web_url=WEB),
        messages.quote_created(QUOTE, web_url=WEB),
        messages.quote_changed(QUOTE, web_url=WEB),
        messages.requested_quote(kind="renewal", sen="SEN-1", quote=QUOTE, web_url=WEB),
        messages.payment_received(
            order_id=1,
            order_number="O-1",
            invoice_number="I-1",
            quote_number="Q-1",
            total=Decimal("1.00"),
            currency="EUR",
            sens=[],
            web_url=WEB,
        ),
        messages.license_contacts_changed(
            license_id=7, sen="SEN-1", old=["a", "b"], new=["c", "b"], web_url=WEB
        ),
        messages.evaluation_started(
            license_id=7, product="P", sen="SEN-1", days=30, ends_on=AT.date(), web_url=WEB
        ),
        messages.cloud_card_updated(
            license_id=7, sen="SEN-1", card="Visa", charged=None, runs_until=None, web_url=WEB
        ),
        messages.license_assigned(license_id=7, sen="SEN-1", organization="O", web_url=WEB),
    ]
