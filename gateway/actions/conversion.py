"""Evaluation conversion (R-EVAL-5): checked when a quote names it, done when the quote is paid.

``check_conversions`` runs in quoteCreate and quoteUpdate on the lines that name an
evaluation; ``convert_on_payment`` is the order-issue path's hook (``order_issue``), once the
paid license exists, whichever way the payment arrived.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from db.queries import conversion as queries
from db.rows import EvaluationRow
from gateway.actions import selfservice_messages
from gateway.actions.unit import UnitOfWork
from gateway.auth import policy
from gateway.domain import conversion as rules
from gateway.domain.enums import ChangeKind, Deployment, LicenseType
from gateway.domain.errors import DomainError, ErrorCode, Refusals
from gateway.domain.license import license_status
from gateway.domain.quote_input import LineDraft


def _evaluation(row: EvaluationRow, deployment: Deployment) -> rules.Evaluation:
    return rules.Evaluation(
        sen=row.sen,
        product_id=row.product_id,
        deployment=deployment,
        organization_id=row.organization_id,
        deployment_entity=row.deployment_entity,
        license_type=LicenseType(row.license_type),
        evaluation_ends_on=row.evaluation_ends_on,
        converted=row.converted_to_id is not None,
    )


def _check_line(
    evaluation: rules.Evaluation,
    draft: LineDraft,
    *,
    organization_id: int,
    today: dt.date,
    field: tuple[str, ...],
) -> None:
    line = rules.ConvertingLine(draft.product_id, draft.deployment_entity)
    rules.check_convertible(evaluation, line, organization_id=organization_id, field=field)
    rules.check_not_ended(evaluation, today=today, field=field)


async def check_conversions(
    uow: UnitOfWork,
    drafts: Sequence[LineDraft],
    *,
    organization_id: int,
    prefix: tuple[str, ...] = (),
) -> None:
    """R-EVAL-5: each evaluation a line names is one its caller is a contact of (else not
    found), not converted, of the line's product, organization and deployment entity, and
    not ended beyond what the rules allow. Every refusal at once, under ``prefix``."""
    wanted = [d.converts_evaluation_id for d in drafts if d.converts_evaluation_id is not None]
    if not wanted:
        return
    found = await queries.licenses_to_convert(
        uow.session, wanted, policy.evaluation_convertible(uow.principal)
    )
    kinds = await queries.deployments(uow.session, {row.product_id for row in found.values()})
    refusals = Refusals()
    for index, draft in enumerate(drafts):
        if draft.converts_evaluation_id is None:
            continue
        field = ("lines", str(index), "convertsEvaluation")
        row = found.get(draft.converts_evaluation_id)
        if row is None:
            refusals.add(DomainError(ErrorCode.NOT_FOUND, "No such license.", field=field))
            continue
        evaluation = _evaluation(row, kinds[row.product_id])
        try:
            _check_line(
                evaluation, draft, organization_id=organization_id, today=uow.today, field=field
            )
        except DomainError as error:
            refusals.add(error)
    refusals.raise_any(prefix)


async def conversion_refusal(uow: UnitOfWork, quote_id: int) -> str | None:
    """R-EVAL-5 before an online payment issues the quote's order: each evaluation its lines
    convert, locked and checked again (another quote's payment may have converted it since).
    None when all still convert; else why not — the payment is then refused and refunded
    rather than leave two licenses on one deployment (R-LIC-1). The locks are held until the
    order is issued in the same transaction, so ``convert_on_payment`` then succeeds."""
    lines = await queries.converting_lines(uow.session, quote_id)
    for evaluation_id, product_id, entity, organization_id in lines:
        row = await queries.evaluation_for_update(uow.session, evaluation_id)
        assert row is not None  # quote_lines.converts_evaluation_id is a foreign key
        deployment = (await queries.deployments(uow.session, [row.product_id]))[row.product_id]
        line = rules.ConvertingLine(product_id, entity)
        try:
            rules.check_convertible(
                _evaluation(row, deployment), line, organization_id=organization_id
            )
        except DomainError as error:
            return error.message
    return None


async def convert_on_payment(
    uow: UnitOfWork,
    *,
    evaluation_id: int,
    paid_license_id: int,
    paid_sen: str,
    product_id: int,
    organization_id: int,
    deployment_entity: str,
    action: str,
) -> None:
    """R-EVAL-5 when the quote is paid: the rules again on the locked evaluation (a staff
    Consent to Assign, or another payment, may have changed it since the quote), then it
    ends as converted, its key withdrawn (R-SEC-3); one deployment keeps one license."""
    row = await queries.evaluation_for_update(uow.session, evaluation_id)
    assert row is not None  # quote_lines.converts_evaluation_id is a foreign key
    deployment = (await queries.deployments(uow.session, [row.product_id]))[row.product_id]
    evaluation = _evaluation(row, deployment)
    line = rules.ConvertingLine(product_id, deployment_entity)
    try:
        rules.check_convertible(evaluation, line, organization_id=organization_id)
        converted = await queries.mark_converted(
            uow.session, evaluation_id=row.id, paid_license_id=paid_license_id, now=uow.now
        )
        if not converted:
            raise DomainError(ErrorCode.NOT_CONVERTIBLE, f"{row.sen} was converted meanwhile")
    except DomainError as error:
        raise DomainError(error.code, error.message, field=("quoteId",)) from None
    before = license_status(
        license_type=evaluation.license_type,
        deployment=deployment,
        evaluation_ends_on=row.evaluation_ends_on,
        maintenance_ends_on=None,
        today=uow.today,
    )
    uow.audit_change(
        ChangeKind.UPDATED,
        action,
        "License",
        row.id,
        {
            "status": (before, "EVALUATION_CONVERTED"),
            "convertedTo": (None, paid_sen),
            "licenseKey": ("[redacted]", "[withdrawn]"),
        },
    )
    message = selfservice_messages.evaluation_converted(
        evaluation_sen=row.sen,
        paid_license_id=paid_license_id,
        paid_sen=paid_sen,
        web_url=uow.web_url,
    )
    for email in await queries.contact_emails(
        uow.session, (row.billing_account_id, row.technical_account_id)
    ):
        uow.send(email, message)
