from __future__ import annotations

from datetime import date
from itertools import pairwise

import pytest

from gateway.domain.enums import TIER_ORDER, SupportChannel, SupportOfferingKind, Tier
from gateway.domain.support import (
    SUPPORT_OFFERINGS,
    SupportLevel,
    SupportOffering,
    parse_version,
    support_channels,
    version_support,
)

C = SupportChannel

RELEASES = [
    (1, 0, date(2023, 3, 15)),
    (1, 4, date(2024, 6, 1)),
    (2, 0, date(2024, 9, 1)),
    (2, 1, date(2025, 1, 20)),
]


def _offering(kind: SupportOfferingKind) -> SupportOffering:
    return next(o for o in SUPPORT_OFFERINGS if o.kind is kind)


@pytest.mark.parametrize(
    ("tier", "channels"),
    [
        (Tier.STARTER, (C.EMAIL, C.KNOWLEDGE_BASE)),
        (Tier.EXPRESS, (C.EMAIL, C.KNOWLEDGE_BASE)),
        (Tier.PROFESSIONAL, (C.EMAIL, C.KNOWLEDGE_BASE, C.TICKETS, C.LIVE_CHAT)),
        (
            Tier.ENTERPRISE,
            (C.EMAIL, C.KNOWLEDGE_BASE, C.TICKETS, C.LIVE_CHAT, C.TEAMVIEWER, C.PHONE),
        ),
    ],
)
def test_r_sup_1_support_channels_by_plan(tier: Tier, channels: tuple[SupportChannel, ...]) -> None:
    assert support_channels(tier) == channels


def test_r_sup_1_higher_plans_never_lose_a_channel() -> None:
    for lower, higher in pairwise(TIER_ORDER):
        assert set(support_channels(lower)) <= set(support_channels(higher))


def test_r_sup_2_four_offerings_one_of_each_kind() -> None:
    assert [o.kind for o in SUPPORT_OFFERINGS] == list(SupportOfferingKind)


def test_r_sup_2_select_is_9_5_with_a_2_hour_first_response() -> None:
    select = _offering(SupportOfferingKind.SELECT)
    assert select.team == "Select team"
    assert select.levels == (SupportLevel("ALL", "9/5", "2 hours", "Select team"),)


@pytest.mark.parametrize(
    "kind", [SupportOfferingKind.PRIORITY_CLOUD, SupportOfferingKind.PRIORITY_SERVER]
)
def test_r_sup_2_priority_levels_for_cloud_and_server(kind: SupportOfferingKind) -> None:
    priority = _offering(kind)
    assert priority.levels == (
        SupportLevel("L1", "24/7", "1 hour", "Advanced team"),
        SupportLevel("L2", "24/5", "2 hours", "Advanced team"),
        SupportLevel("L3", "9/5", "1 business day", "Select team"),
        SupportLevel("L4", "9/5", "2 business days", "Select team"),
    )
    assert "Advanced team" in priority.team
    assert "Select team" in priority.team


def test_r_sup_2_premier_is_24_7_with_a_dedicated_senior_team() -> None:
    premier = _offering(SupportOfferingKind.PREMIER)
    team = "Dedicated senior support team"
    assert premier.team == team
    assert premier.levels == (
        SupportLevel("L1", "24/7", "30 minutes", team),
        SupportLevel("L2", "24/7", "2 hours", team),
        SupportLevel("L3", "24/7", "8 hours", team),
        SupportLevel("L4", "24/7", "24 hours", team),
    )


def test_r_sup_2_offerings_are_immutable() -> None:
    with pytest.raises(AttributeError):
        SUPPORT_OFFERINGS[0].name = "Free for all"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("1", (1, 0)),
        ("1.4", (1, 4)),
        ("1.4.2", (1, 4)),
        (" 2.10 ", (2, 10)),
        ("10.0.0", (10, 0)),
    ],
)
def test_r_sup_3_parse_version(text: str, parsed: tuple[int, int]) -> None:
    assert parse_version(text) == parsed


@pytest.mark.parametrize(
    "text",
    ["", " ", "v1", "1.", ".1", "1..2", "1.4.2.1", "abc", "-1", "1.x", "1,4", "\u0661", "1234567"],
)
def test_r_sup_3_malformed_versions_are_none(text: str) -> None:
    assert parse_version(text) is None
    assert version_support(text, RELEASES, date(2024, 1, 1)) is None


def test_r_sup_3_major_version_supported_two_years_after_its_x0_release() -> None:
    result = version_support("1.4", RELEASES, date(2025, 1, 1))
    assert result is not None
    assert result.version == "1.4"
    assert result.released_on == date(2024, 6, 1)  # the release asked about
    assert result.support_ends_on == date(2025, 3, 15)  # 1.0 + 2 years, not 1.4 + 2 years
    assert result.supported


def test_r_sup_3_support_ends_on_is_the_first_unsupported_day() -> None:
    last_day = version_support("1.4.2", RELEASES, date(2025, 3, 14))
    first_day_without = version_support("1", RELEASES, date(2025, 3, 15))
    assert last_day is not None
    assert last_day.supported
    assert first_day_without is not None
    assert not first_day_without.supported
    assert first_day_without.released_on == date(2023, 3, 15)


def test_r_sup_3_unreleased_versions_are_none() -> None:
    today = date(2025, 1, 1)
    assert version_support("1.5", RELEASES, today) is None
    assert version_support("3", RELEASES, today) is None
    assert version_support("2.1", [], today) is None


def test_r_sup_3_release_on_29_february_is_supported_until_28_february() -> None:
    releases = [(3, 0, date(2024, 2, 29))]
    result = version_support("3.0", releases, date(2026, 2, 27))
    assert result is not None
    assert result.support_ends_on == date(2026, 2, 28)
    assert result.supported


def test_r_sup_3_without_an_x0_release_the_first_release_of_the_major_starts_the_clock() -> None:
    releases = [(4, 2, date(2025, 5, 1)), (4, 1, date(2025, 1, 10))]
    result = version_support("4.2", releases, date(2025, 6, 1))
    assert result is not None
    assert result.released_on == date(2025, 5, 1)
    assert result.support_ends_on == date(2027, 1, 10)
