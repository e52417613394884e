from __future__ import annotations

import pytest

from gateway.domain.enums import Deployment, LicenseType, Tier
from gateway.domain.errors import DomainError, ErrorCode
from gateway.domain.quote import (
    MAX_LINES,
    check_caller_is_contact,
    check_deployment_entity,
    check_line_count,
    check_line_license_type,
    check_line_tier,
    check_organization_name,
)

FIELD = ("lines", "0", "x")


def _code(check: object) -> ErrorCode:
    with pytest.raises(DomainError) as refused:
        check()  # type: ignore[operator]
    assert refused.value.field == FIELD or refused.value.field == ("lines",)
    return refused.value.code


def test_r_lic_1_deployment_entity_one_to_200_printable() -> None:
    assert check_deployment_entity("  Faculty of Letters ", FIELD) == "Faculty of Letters"
    assert check_deployment_entity("x" * 200, FIELD) == "x" * 200
    assert _code(lambda: check_deployment_entity("   ", FIELD)) is ErrorCode.REQUIRED
    assert _code(lambda: check_deployment_entity("x" * 201, FIELD)) is ErrorCode.TOO_LONG
    assert _code(lambda: check_deployment_entity("a\x00b", FIELD)) is ErrorCode.INVALID
    assert _code(lambda: check_organization_name("a\nb", FIELD)) is ErrorCode.INVALID


def test_line_count_one_to_fifty() -> None:
    check_line_count(1)
    check_line_count(MAX_LINES)
    assert _code(lambda: check_line_count(0)) is ErrorCode.REQUIRED
    assert _code(lambda: check_line_count(MAX_LINES + 1)) is ErrorCode.INVALID


def test_data_center_only_enterprise() -> None:
    check_line_tier(Deployment.DATA_CENTER, Tier.ENTERPRISE, FIELD)
    for tier in (Tier.STARTER, Tier.EXPRESS, Tier.PROFESSIONAL):
        check_line_tier(Deployment.SERVER, tier, FIELD)
        assert _code(lambda t=tier: check_line_tier(Deployment.DATA_CENTER, t, FIELD)) is (
            ErrorCode.INVALID
        )


def test_r_price_2_academic_lines_only_for_academic_organizations() -> None:
    check_line_license_type(LicenseType.ACADEMIC, academic_organization=True, field=FIELD)
    check_line_license_type(LicenseType.COMMERCIAL, academic_organization=False, field=FIELD)
    assert (
        _code(
            lambda: check_line_license_type(
                LicenseType.ACADEMIC, academic_organization=False, field=FIELD
            )
        )
        is ErrorCode.INVALID
    )
    assert (
        _code(
            lambda: check_line_license_type(
                LicenseType.EVALUATION, academic_organization=True, field=FIELD
            )
        )
        is ErrorCode.INVALID
    )


def test_r_quote_6_customer_must_be_a_contact() -> None:
    check_caller_is_contact(
        "a@x.org", billing_email="a@x.org", technical_email="b@x.org", field=FIELD
    )
    check_caller_is_contact(
        "b@x.org", billing_email="a@x.org", technical_email="b@x.org", field=FIELD
    )
    assert (
        _code(
            lambda: check_caller_is_contact(
                "c@x.org", billing_email="a@x.org", technical_email="b@x.org", field=FIELD
            )
        )
        is ErrorCode.INVALID
    )
