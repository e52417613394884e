"""Support: channels per plan, support offerings, and the version end-of-life policy."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from gateway.domain.dates import add_months
from gateway.domain.enums import SupportChannel, SupportOfferingKind, Tier

_BASIC_CHANNELS = (SupportChannel.EMAIL, SupportChannel.KNOWLEDGE_BASE)
_PROFESSIONAL_CHANNELS = (*_BASIC_CHANNELS, SupportChannel.TICKETS, SupportChannel.LIVE_CHAT)
_ENTERPRISE_CHANNELS = (*_PROFESSIONAL_CHANNELS, SupportChannel.TEAMVIEWER, SupportChannel.PHONE)

# R-SUP-1
SUPPORT_CHANNELS: dict[Tier, tuple[SupportChannel, ...]] = {
    Tier.STARTER: _BASIC_CHANNELS,
    Tier.EXPRESS: _BASIC_CHANNELS,
    Tier.PROFESSIONAL: _PROFESSIONAL_CHANNELS,
    Tier.ENTERPRISE: _ENTERPRISE_CHANNELS,
}


def support_channels(tier: Tier) -> tuple[SupportChannel, ...]:
    """R-SUP-1: the support channels of a plan."""
    return SUPPORT_CHANNELS[tier]


@dataclass(frozen=True, slots=True)
class SupportLevel:
    level: str  # "L1" … "L4", or "ALL" when an offering has a single level
    hours: str  # "24/7", "24/5", "9/5"
    initial_response: str  # "30 minutes", "1 hour", "1 business day", …
    team: str


@dataclass(frozen=True, slots=True)
class SupportOffering:
    kind: SupportOfferingKind
    name: str
    team: str
    levels: tuple[SupportLevel, ...]


_ADVANCED_TEAM = "Advanced team"
_SELECT_TEAM = "Select team"
_SENIOR_TEAM = "Dedicated senior support team"

_PRIORITY_LEVELS = (
    SupportLevel("L1", "24/7", "1 hour", _ADVANCED_TEAM),
    SupportLevel("L2", "24/5", "2 hours", _ADVANCED_TEAM),
    SupportLevel("L3", "9/5", "1 business day", _SELECT_TEAM),
    SupportLevel("L4", "9/5", "2 business days", _SELECT_TEAM),
)
_PRIORITY_TEAM = f"L1, L2: {_ADVANCED_TEAM}; L3, L4: {_SELECT_TEAM}"

# R-SUP-2, worded as in the FAQ [Software Maintenance 1]
SUPPORT_OFFERINGS: tuple[SupportOffering, ...] = (
    SupportOffering(
        kind=SupportOfferingKind.SELECT,
        name="Select Support",
        team=_SELECT_TEAM,
        levels=(SupportLevel("ALL", "9/5", "2 hours", _SELECT_TEAM),),
    ),
    SupportOffering(
        kind=SupportOfferingKind.PRIORITY_CLOUD,
        name="Priority Support for Cloud",
        team=_PRIORITY_TEAM,
        levels=_PRIORITY_LEVELS,
    ),
    SupportOffering(
        kind=SupportOfferingKind.PRIORITY_SERVER,
        name="Priority Support for Server",
        team=_PRIORITY_TEAM,
        levels=_PRIORITY_LEVELS,
    ),
    SupportOffering(
        kind=SupportOfferingKind.PREMIER,
        name="Premier Support",
        team=_SENIOR_TEAM,
        levels=(
            SupportLevel("L1", "24/7", "30 minutes", _SENIOR_TEAM),
            SupportLevel("L2", "24/7", "2 hours", _SENIOR_TEAM),
            SupportLevel("L3", "24/7", "8 hours", _SENIOR_TEAM),
            SupportLevel("L4", "24/7", "24 hours", _SENIOR_TEAM),
        ),
    ),
)

VERSION_SUPPORT_MONTHS = 24  # R-SUP-3: two years after the x.0 release

# "1", "1.4" or "1.4.2"; ASCII digits only, bounded so int() stays cheap.
_VERSION_RE = re.compile(r"([0-9]{1,6})(?:\.([0-9]{1,6})(?:\.([0-9]{1,6}))?)?")


@dataclass(frozen=True, slots=True)
class VersionSupport:
    version: str
    released_on: date
    supported: bool
    support_ends_on: date  # first day without support


def parse_version(text: str) -> tuple[int, int] | None:
    """(major, minor) of "1", "1.4" or "1.4.2" ("1" means 1.0); None when malformed."""
    match = _VERSION_RE.fullmatch(text.strip())
    if match is None:
        return None
    major = int(match.group(1))
    minor = int(match.group(2)) if match.group(2) is not None else 0
    return major, minor


def version_support(
    version: str, releases: Sequence[tuple[int, int, date]], today: date
) -> VersionSupport | None:
    """R-SUP-3: whether ``version`` is still supported on ``today``.

    ``releases`` holds (major, minor, released_on). A major version is supported for 2 years
    after its x.0 release, whatever minor is asked about. None when ``version`` is malformed
    or that major.minor was never released.
    """
    parsed = parse_version(version)
    if parsed is None:
        return None
    major, minor = parsed
    same_major = [(m, released_on) for (ma, m, released_on) in releases if ma == major]
    requested = [released_on for (m, released_on) in same_major if m == minor]
    if not requested:
        return None
    first_iterations = [released_on for (m, released_on) in same_major if m == 0]
    # The x.0 date starts the clock; should x.0 be missing from the data, the earliest
    # release of the major ("the first major iteration") does.
    major_released_on = min(first_iterations or [released_on for (_, released_on) in same_major])
    support_ends_on = add_months(major_released_on, VERSION_SUPPORT_MONTHS)
    return VersionSupport(
        version=version.strip(),
        released_on=min(requested),
        supported=today < support_ends_on,
        support_ends_on=support_ends_on,
    )
