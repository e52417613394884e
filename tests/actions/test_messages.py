"""Mail bodies (gateway/actions/messages.py)."""

from __future__ import annotations

from gateway.actions import messages


def test_contacts_changed_names_what_was_only_for_a_changed_role() -> None:
    message = messages.license_contacts_changed(
        sen="SEN-1",
        old=["ana@example.com", "tom@example.com"],
        new=["bea@example.com", "tom@example.com"],
    )
    assert message.body == (
        "Billing contact: bea@example.com (was ana@example.com). "
        "Technical contact: tom@example.com (unchanged)."
    )
    assert "(was tom@example.com)" not in message.body
