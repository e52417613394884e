"""The input of licenseUpdateContacts and evaluationStart, checked in one step: the parsed
command, or every bad field at once (``DomainErrors``)."""

from __future__ import annotations

from dataclasses import dataclass

from gateway.domain.account import check_country, check_text, normalise_email_at
from gateway.domain.errors import DomainError, DomainErrors, ErrorCode, Refusals, not_found


@dataclass(frozen=True, slots=True)
class ContactsChange:
    """The new contacts by role (``billing``, ``technical``), normalised."""

    emails: dict[str, str]


def parse_contacts_change(*, billing: str | None, technical: str | None) -> ContactsChange:
    """R-ACC-3: one new contact or both; errors are reported under ``input``."""
    given = {
        "billing": (billing, "billingContactEmail"),
        "technical": (technical, "technicalContactEmail"),
    }
    if billing is None and technical is None:
        raise DomainError(
            ErrorCode.REQUIRED,
            "Name a new billing contact, a new technical contact, or both",
            field=("input", "billingContactEmail"),
        )
    refusals = Refusals()
    emails: dict[str, str] = {}
    for role, (value, field) in given.items():
        if value is None:
            continue
        try:
            emails[role] = normalise_email_at(value, field=("input", field))
        except DomainError as error:
            refusals.add(error)
    refusals.raise_any()
    return ContactsChange(emails=emails)


@dataclass(frozen=True, slots=True)
class EvaluationStart:
    product_id: int
    organization_name: str
    organization_country: str
    academic: bool
    deployment_entity: str


def parse_evaluation_start(
    *,
    product_id: int | None,
    organization_name: str,
    organization_country: str,
    academic: bool,
    deployment_entity: str,
) -> EvaluationStart:
    """R-EVAL-1..3 input: a product (``None`` when the id named none), an organization and
    the deployment entity (R-LIC-1)."""
    refusals = Refusals()
    if product_id is None:
        refusals.add(not_found("product", "product"))
    name = refusals.check(
        lambda: check_text(
            organization_name, field=("organization", "name"), label="organization name"
        )
    )
    country = refusals.check(
        lambda: check_country(organization_country, ("organization", "country"))
    )
    entity = refusals.check(
        lambda: check_text(
            deployment_entity, field=("deploymentEntity",), label="deployment entity"
        )
    )
    refusals.raise_any()
    if product_id is None or name is None or country is None or entity is None:
        raise DomainErrors(refusals.errors)  # unreachable: each None came with a refusal
    return EvaluationStart(
        product_id=product_id,
        organization_name=name,
        organization_country=country,
        academic=academic,
        deployment_entity=entity,
    )
