"""Evaluation conversion rules (R-EVAL-5, R-LIC-1), pure."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

import pytest

from gateway.domain.conversion import (
    ConvertingLine,
    Evaluation,
    check_convertible,
    check_not_ended,
    check_one_line_per_evaluation,
    same_deployment_entity,
)
from gateway.domain.enums import Deployment, LicenseStatus, LicenseType
from gateway.domain.errors import DomainError, ErrorCode
from gateway.domain.license import license_status

TODAY = date(2026, 12, 4)
EVALUATION = Evaluation(
    sen="SEN-L0000001",
    product_id=1,
    deployment=Deployment.SERVER,
    organization_id=7,
    deployment_entity="Main Campus",
    license_type=LicenseType.EVALUATION,
    evaluation_ends_on=date(2026, 12, 9),
    converted=False,
)
LINE = ConvertingLine(product_id=1, deployment_entity="Main Campus")


def refused(check: Callable[[], None]) -> ErrorCode:
    with pytest.raises(DomainError) as caught:
        check()
    return caught.value.code


def test_r_eval_5_same_product_organization_and_entity() -> None:
    check_convertible(EVALUATION, LINE, organization_id=7)
    check_convertible(
        EVALUATION, replace(LINE, deployment_entity=" main  CAMPUS"), organization_id=7
    )
    for evaluation, line, organization in (
        (EVALUATION, replace(LINE, product_id=2), 7),
        (EVALUATION, LINE, 8),
        (EVALUATION, replace(LINE, deployment_entity="North Campus"), 7),
        (replace(EVALUATION, license_type=LicenseType.COMMERCIAL), LINE, 7),
        (replace(EVALUATION, converted=True), LINE, 7),
    ):
        with pytest.raises(DomainError) as caught:
            check_convertible(evaluation, line, organization_id=organization)
        assert caught.value.code is ErrorCode.NOT_CONVERTIBLE


def test_r_eval_5_server_until_its_end_cloud_also_after() -> None:
    check_not_ended(EVALUATION, today=date(2026, 12, 8))  # the last day
    assert refused(lambda: check_not_ended(EVALUATION, today=date(2026, 12, 9))) is (
        ErrorCode.NOT_CONVERTIBLE
    )
    cloud = replace(EVALUATION, deployment=Deployment.CLOUD)
    check_not_ended(cloud, today=date(2027, 6, 1))  # FAQ: continue Cloud after it expires


def test_r_eval_5_r_lic_1_one_license_per_converted_deployment() -> None:
    errors = check_one_line_per_evaluation([None, 5, 5, 6], [3, 1, 1, 2])
    assert [(e.code, e.field) for e in errors] == [
        (ErrorCode.NOT_CONVERTIBLE, ("lines", "2", "convertsEvaluation")),
        (ErrorCode.INVALID, ("lines", "3", "quantity")),
    ]
    assert check_one_line_per_evaluation([None, None], [5, 9]) == []


def test_r_eval_5_a_converted_evaluation_shows_evaluation_converted() -> None:
    for ends_on in (date(2026, 12, 9), date(2026, 11, 1)):  # running or ended: converted
        status = license_status(
            license_type=LicenseType.EVALUATION,
            deployment=Deployment.SERVER,
            evaluation_ends_on=ends_on,
            maintenance_ends_on=None,
            today=TODAY,
            converted=True,
        )
        assert status is LicenseStatus.EVALUATION_CONVERTED


def test_entities_compare_without_case_or_extra_spaces() -> None:
    assert same_deployment_entity("Main  Campus ", "main campus")
    assert not same_deployment_entity("Main Campus", "Main Campus Annex")
