"""Sales request input and rules (R-REQ-1, R-REQ-2), pure."""

from __future__ import annotations

import pytest

from gateway.domain.contact_sales import how_to_ask
from gateway.domain.enums import (
    Deployment,
    LicenseType,
    QuoteStatus,
    SalesRequestKind,
    SalesRequestStatus,
    Tier,
)
from gateway.domain.errors import DomainError, DomainErrors, ErrorCode
from gateway.domain.quote import check_quote_editable
from gateway.domain.sales_request import (
    KIND_SUBJECT,
    MESSAGE_MAX,
    check_customization_eligible,
    check_request_open,
    parse_resolution,
    parse_sales_request,
)


def test_r_req_1_every_kind_says_what_it_is_about() -> None:
    assert set(KIND_SUBJECT) == set(SalesRequestKind)


def test_r_req_1_message_is_kept_with_its_lines() -> None:
    draft = parse_sales_request(
        kind=SalesRequestKind.OTHER,
        message="  Hello,\n\tplease call.  ",
        license_id=None,
        quote_id=None,
    )
    assert draft.message == "Hello,\n\tplease call."
    parse_sales_request(
        kind=SalesRequestKind.OTHER, message="x" * MESSAGE_MAX, license_id=1, quote_id=2
    )


def test_r_req_1_a_license_kind_needs_its_license_and_no_quote() -> None:
    with pytest.raises(DomainErrors) as caught:
        parse_sales_request(
            kind=SalesRequestKind.CUSTOMIZATION, message="", license_id=None, quote_id=3
        )
    assert [(e.field, e.code) for e in caught.value.errors] == [
        (("message",), ErrorCode.REQUIRED),
        (("licenseId",), ErrorCode.REQUIRED),
        (("quoteId",), ErrorCode.INVALID),
    ]


@pytest.mark.parametrize(
    ("deployment", "tier", "license_type", "eligible"),
    [
        (Deployment.SERVER, Tier.ENTERPRISE, LicenseType.COMMERCIAL, True),
        (Deployment.SERVER, Tier.ENTERPRISE, LicenseType.ACADEMIC, True),
        (Deployment.SERVER, Tier.PROFESSIONAL, LicenseType.COMMERCIAL, False),
        (Deployment.SERVER, Tier.ENTERPRISE, LicenseType.EVALUATION, False),
        (Deployment.DATA_CENTER, Tier.ENTERPRISE, LicenseType.COMMERCIAL, False),
        (Deployment.CLOUD, Tier.ENTERPRISE, LicenseType.COMMERCIAL, False),
    ],
)
def test_r_req_2_customization_only_for_server_enterprise(
    deployment: Deployment, tier: Tier, license_type: LicenseType, eligible: bool
) -> None:
    def check() -> None:
        check_customization_eligible(
            deployment=deployment, tier=tier, license_type=license_type, sen="SEN-L1"
        )

    if eligible:
        check()
        return
    with pytest.raises(DomainError) as caught:
        check()
    assert caught.value.code is ErrorCode.CUSTOMIZATION_NOT_ELIGIBLE


def test_r_req_1_staff_resolve_or_decline_once_with_words() -> None:
    assert parse_resolution(status=SalesRequestStatus.DECLINED, resolution=" No. ").text == "No."
    with pytest.raises(DomainErrors) as caught:
        parse_resolution(status=SalesRequestStatus.OPEN, resolution="")
    assert [e.field for e in caught.value.errors] == [("input", "status"), ("input", "resolution")]
    check_request_open(SalesRequestStatus.OPEN, "SR-000001")
    with pytest.raises(DomainError) as closed:
        check_request_open(SalesRequestStatus.RESOLVED, "SR-000001")
    assert closed.value.code is ErrorCode.NOT_OPEN


def test_r_req_1_contact_sales_says_which_request_to_open() -> None:
    assert how_to_ask(SalesRequestKind.QUOTE_CHANGE, "this quote") == (
        "open a sales request of kind QUOTE_CHANGE about this quote (salesRequestCreate)"
    )
    with pytest.raises(DomainError) as caught:
        check_quote_editable(
            status=QuoteStatus.OPEN,
            deployments=[Deployment.CLOUD],
            tiers=[Tier.STARTER],
        )
    assert caught.value.code is ErrorCode.CONTACT_SALES
    assert "kind QUOTE_CHANGE" in caught.value.message
