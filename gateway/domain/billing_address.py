"""A Cloud subscription's billing address (R-ACC-8): what may be written, and who has one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from gateway.domain.account import check_country, check_text
from gateway.domain.enums import Deployment, LicenseType
from gateway.domain.errors import DomainError, ErrorCode, Refusals

LINE_MAX = 200
CITY_MAX = 100
POSTAL_CODE_MAX = 20
REGION_MAX = 100


@dataclass(frozen=True, slots=True)
class Address:
    line1: str
    line2: str | None
    city: str
    postal_code: str | None
    region: str | None
    country: str  # ISO 3166-1 alpha-2, upper-case

    def printed(self) -> str:
        """One line, as an invoice prints it."""
        place = " ".join(part for part in (self.postal_code, self.city) if part)
        parts = [self.line1, self.line2, place, self.region, self.country]
        return ", ".join(part for part in parts if part)


def _optional(value: str | None, check: Callable[[str], str]) -> str | None:
    if value is None or not value.strip():
        return None
    return check(value)


def parse_address(
    *,
    line1: str,
    line2: str | None,
    city: str,
    postal_code: str | None,
    region: str | None,
    country: str,
) -> Address:
    """Every bad field at once, under ``address``."""
    refusals = Refusals()

    def text(name: str, label: str, max_length: int) -> Callable[[str], str]:
        return lambda value: check_text(
            value, field=("address", name), label=label, max_length=max_length
        )

    first = refusals.check(lambda: text("line1", "address line", LINE_MAX)(line1))
    second = refusals.check(lambda: _optional(line2, text("line2", "address line", LINE_MAX)))
    town = refusals.check(lambda: text("city", "city", CITY_MAX)(city))
    postal = refusals.check(
        lambda: _optional(postal_code, text("postalCode", "postal code", POSTAL_CODE_MAX))
    )
    area = refusals.check(lambda: _optional(region, text("region", "region", REGION_MAX)))
    code = refusals.check(lambda: check_country(country, ("address", "country")))
    refusals.raise_any()
    assert first is not None and town is not None and code is not None
    return Address(first, second, town, postal, area, code)


def check_billing_address_updatable(
    *, deployment: Deployment, license_type: LicenseType, field: tuple[str, ...] = ("licenseId",)
) -> None:
    """R-ACC-8: a paid Cloud subscription is billed; other licenses have no billing address."""
    if deployment != Deployment.CLOUD:
        raise DomainError(
            ErrorCode.NOT_CLOUD, "Only Cloud subscriptions have a billing address", field=field
        )
    if license_type == LicenseType.EVALUATION:
        raise DomainError(
            ErrorCode.INVALID,
            "An evaluation is not billed; buy a subscription to keep using Cloud",
            field=field,
        )
