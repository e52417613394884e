"""A Cloud subscription's billing address (R-ACC-8), pure."""

from __future__ import annotations

import pytest

from gateway.domain.billing_address import check_billing_address_updatable, parse_address
from gateway.domain.enums import Deployment, LicenseType
from gateway.domain.errors import DomainError, DomainErrors, ErrorCode


def test_r_acc_8_address_is_cleaned_and_printed_on_one_line() -> None:
    address = parse_address(
        line1=" 210 Main Street ",
        line2="  ",
        city="Madison",
        postal_code="53703",
        region="WI",
        country="us",
    )
    assert (address.line2, address.country) == (None, "US")
    assert address.printed() == "210 Main Street, 53703 Madison, WI, US"


def test_r_acc_8_every_bad_field_at_once() -> None:
    with pytest.raises(DomainErrors) as caught:
        parse_address(
            line1="", line2="x" * 201, city=" ", postal_code=None, region=None, country="ZZ"
        )
    assert [(e.field, e.code) for e in caught.value.errors] == [
        (("address", "line1"), ErrorCode.REQUIRED),
        (("address", "line2"), ErrorCode.TOO_LONG),
        (("address", "city"), ErrorCode.REQUIRED),
        (("address", "country"), ErrorCode.INVALID),
    ]


@pytest.mark.parametrize(
    ("deployment", "license_type", "code"),
    [
        (Deployment.SERVER, LicenseType.COMMERCIAL, ErrorCode.NOT_CLOUD),
        (Deployment.DATA_CENTER, LicenseType.COMMERCIAL, ErrorCode.NOT_CLOUD),
        (Deployment.CLOUD, LicenseType.EVALUATION, ErrorCode.INVALID),
    ],
)
def test_r_acc_8_only_a_paid_cloud_subscription(
    deployment: Deployment, license_type: LicenseType, code: ErrorCode
) -> None:
    check_billing_address_updatable(deployment=Deployment.CLOUD, license_type=LicenseType.ACADEMIC)
    with pytest.raises(DomainError) as caught:
        check_billing_address_updatable(deployment=deployment, license_type=license_type)
    assert caught.value.code is code
