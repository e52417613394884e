from __future__ import annotations

from datetime import date, timedelta

import pytest

from gateway.domain.enums import Deployment, EditBlockedReason, QuoteStatus, Tier
from gateway.domain.errors import DomainError, ErrorCode
from gateway.domain.quote import (
    PO_NUMBER_MAX,
    QUOTE_VALIDITY_DAYS,
    check_expected_version,
    check_open,
    check_po_number,
    check_quote_editable,
    check_transition,
    edit_blocked_reason,
    effective_quote_status,
    quote_valid_until,
)

CREATED = date(2025, 1, 31)
OPEN = QuoteStatus.OPEN
ALLOWED = {(OPEN, QuoteStatus.PAID), (OPEN, QuoteStatus.EXPIRED), (OPEN, QuoteStatus.DELETED)}
PAIRS = [(a, b) for a in QuoteStatus for b in QuoteStatus]


def test_r_quote_1_quote_valid_for_30_days_from_creation() -> None:
    assert QUOTE_VALIDITY_DAYS == 30
    assert quote_valid_until(CREATED) == date(2025, 3, 2)
    assert quote_valid_until(date(2024, 2, 10)) == date(2024, 3, 11)  # leap February


def test_r_quote_1_valid_through_day_30_and_expired_on_day_31() -> None:
    valid_until = quote_valid_until(CREATED)
    assert effective_quote_status(OPEN, valid_until, CREATED) is OPEN
    assert effective_quote_status(OPEN, valid_until, CREATED + timedelta(days=30)) is OPEN
    assert effective_quote_status(OPEN, valid_until, CREATED + timedelta(days=31)) is (
        QuoteStatus.EXPIRED
    )


@pytest.mark.parametrize("stored", [QuoteStatus.PAID, QuoteStatus.DELETED, QuoteStatus.EXPIRED])
def test_r_quote_1_closed_quotes_keep_their_status_after_validity(stored: QuoteStatus) -> None:
    assert effective_quote_status(stored, CREATED, CREATED + timedelta(days=400)) is stored


def test_r_quote_1_expired_quote_cannot_be_edited_or_paid() -> None:
    status = effective_quote_status(OPEN, quote_valid_until(CREATED), date(2025, 3, 3))
    reason = edit_blocked_reason(
        status=status, deployments=[Deployment.SERVER], tiers=[Tier.STARTER]
    )
    assert reason is EditBlockedReason.EXPIRED
    with pytest.raises(DomainError) as caught:
        check_open(status)
    assert caught.value.code is ErrorCode.QUOTE_NOT_OPEN
    check_open(OPEN)


@pytest.mark.parametrize(("current", "new"), sorted(ALLOWED))
def test_r_quote_2_open_may_become_paid_expired_or_deleted(
    current: QuoteStatus, new: QuoteStatus
) -> None:
    check_transition(current, new)


@pytest.mark.parametrize(("current", "new"), [p for p in PAIRS if p not in ALLOWED])
def test_r_quote_2_no_other_transition(current: QuoteStatus, new: QuoteStatus) -> None:
    with pytest.raises(DomainError) as caught:
        check_transition(current, new)
    assert caught.value.code is ErrorCode.QUOTE_NOT_OPEN


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (QuoteStatus.PAID, EditBlockedReason.PAID),
        (QuoteStatus.EXPIRED, EditBlockedReason.EXPIRED),
        (QuoteStatus.DELETED, EditBlockedReason.DELETED),
    ],
)
def test_r_quote_2_closed_quotes_are_not_editable(
    status: QuoteStatus, reason: EditBlockedReason
) -> None:
    # The status reason wins over CONTACT_SALES: sales cannot reopen a closed quote either.
    assert edit_blocked_reason(status=status, deployments=[Deployment.CLOUD], tiers=[]) is reason
    with pytest.raises(DomainError) as caught:
        check_quote_editable(status=status, deployments=[], tiers=[])
    assert caught.value.code is ErrorCode.QUOTE_NOT_OPEN


def test_r_quote_3_open_server_quote_below_enterprise_is_self_service() -> None:
    reason = edit_blocked_reason(
        status=OPEN,
        deployments=[Deployment.SERVER, Deployment.SERVER],
        tiers=[Tier.STARTER, Tier.PROFESSIONAL],
    )
    assert reason is None
    check_quote_editable(status=OPEN, deployments=[Deployment.SERVER], tiers=[Tier.EXPRESS])


@pytest.mark.parametrize(
    ("deployments", "tiers"),
    [
        ([Deployment.CLOUD], [Tier.STARTER]),  # a Cloud subscription
        ([Deployment.DATA_CENTER], [Tier.ENTERPRISE]),  # an Enterprise product
        ([Deployment.SERVER], [Tier.ENTERPRISE]),  # Enterprise tier
        ([Deployment.SERVER, Deployment.CLOUD], [Tier.STARTER, Tier.STARTER]),  # one of many
        ([Deployment.SERVER, Deployment.SERVER], [Tier.EXPRESS, Tier.ENTERPRISE]),
    ],
)
def test_r_quote_3_cloud_data_center_or_enterprise_needs_contact_sales(
    deployments: list[Deployment], tiers: list[Tier]
) -> None:
    reason = edit_blocked_reason(status=OPEN, deployments=deployments, tiers=tiers)
    assert reason is EditBlockedReason.CONTACT_SALES
    with pytest.raises(DomainError) as caught:
        check_quote_editable(status=OPEN, deployments=deployments, tiers=tiers)
    assert caught.value.code is ErrorCode.CONTACT_SALES


def test_r_quote_3_accepts_generators() -> None:
    lines = [(Deployment.SERVER, Tier.STARTER), (Deployment.CLOUD, Tier.EXPRESS)]
    reason = edit_blocked_reason(
        status=OPEN, deployments=(d for d, _ in lines), tiers=(t for _, t in lines)
    )
    assert reason is EditBlockedReason.CONTACT_SALES


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("   ", None),
        (" PO-2025-0042 ", "PO-2025-0042"),
        ("Bestellung Nr. 12/Ä", "Bestellung Nr. 12/Ä"),
        ("x" * PO_NUMBER_MAX, "x" * 64),
    ],
)
def test_r_quote_4_po_number_is_a_stripped_reference(
    value: str | None, expected: str | None
) -> None:
    assert check_po_number(value) == expected


def test_r_quote_4_po_number_longer_than_64_is_refused() -> None:
    with pytest.raises(DomainError) as caught:
        check_po_number("x" * 65)
    assert caught.value.code is ErrorCode.TOO_LONG
    assert caught.value.field == ("poNumber",)


@pytest.mark.parametrize("value", ["PO\n42", "PO\t42", "PO\x0042", "PO\x1b[31m", "PO\u200b42"])
def test_r_quote_4_po_number_must_be_printable(value: str) -> None:
    with pytest.raises(DomainError) as caught:
        check_po_number(value)
    assert caught.value.code is ErrorCode.INVALID
    assert caught.value.field == ("poNumber",)


def test_r_quote_7_stale_expected_version_is_refused() -> None:
    check_expected_version(current=3, expected=3)
    with pytest.raises(DomainError) as caught:
        check_expected_version(current=4, expected=3)
    assert caught.value.code is ErrorCode.STALE_VERSION
    assert caught.value.field == ("expectedVersion",)
