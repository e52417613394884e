"""License actions: contacts, evaluations, the Cloud card, Consent to Assign."""

from __future__ import annotations

from dataclasses import dataclass

from db.queries import account as accounts
from db.queries import license as queries
from db.queries.numbers import next_number
from db.rows import LicenseRow
from gateway.actions import messages
from gateway.actions.ids import global_id
from gateway.actions.invitation import invite_contact
from gateway.actions.license_keys import new_license_key
from gateway.actions.unit import UnitOfWork
from gateway.auth import policy
from gateway.auth.principal import Principal
from gateway.domain import license as rules
from gateway.domain.enums import ChangeKind, Deployment, LicenseType
from gateway.domain.errors import DomainError, ErrorCode, Refusals, not_found
from gateway.domain.license_input import ContactsChange, EvaluationStart


async def _contact_account(uow: UnitOfWork, email: str, *, country: str) -> tuple[int, bool]:
    """The live account of a contact email (locked, so a concurrent ``accountClose`` either
    sees the new role or is seen closed), or a new invited one."""
    found = await accounts.live_account_by_email(uow.session, email, for_update=True)
    if found is not None:
        return found.id, False
    return await accounts.account_for_contact(uow.session, email, now=uow.now, country=country)


async def update_license_contacts(
    *, uow: UnitOfWork, principal: Principal, license_id: int, change: ContactsChange
) -> LicenseRow | None:
    """R-ACC-3: its current contacts, staff, and its partner with licenses:write. Returns the
    license only if the caller may still see it: a contact may have handed their role away."""
    row = await queries.visible_license(
        uow.session, license_id, policy.license_contacts_writable(principal), for_update=True
    )
    if row is None:
        raise not_found("id", "license")
    organization = await queries.organization(uow.session, row.organization_id)
    assert organization is not None  # licenses.organization_id is a foreign key
    values: dict[str, int] = {}
    invited: list[tuple[int, str]] = []
    for role, email in change.emails.items():
        account_id, created = await _contact_account(uow, email, country=organization.country)
        values[f"{role}_account_id"] = account_id
        if created:
            invited.append((account_id, email))
    before_ids = (row.billing_account_id, row.technical_account_id)
    updated = await queries.update_license(uow.session, license_id=license_id, values=values)
    after_ids = (updated.billing_account_id, updated.technical_account_id)
    people = await accounts.accounts_by_id(uow.session, (*before_ids, *after_ids))
    old = [people[i].email for i in before_ids]
    new = [people[i].email for i in after_ids]
    uow.audit_change(
        ChangeKind.UPDATED,
        "licenseUpdateContacts",
        "License",
        license_id,
        {"billingContact": (old[0], new[0]), "technicalContact": (old[1], new[1])},
    )
    for account_id, email in invited:
        await invite_contact(
            uow,
            account_id=account_id,
            email=email,
            subject="You were named a contact of a Conex license",
            reason=f"You are now a contact of Conex license {row.sen}.",
        )
    if before_ids != after_ids:
        message = messages.license_contacts_changed(
            license_id=license_id, sen=row.sen, old=old, new=new, web_url=uow.web_url
        )
        for email in dict.fromkeys([*old, *new]):
            uow.send(email, message)
    return await queries.visible_license(uow.session, license_id, policy.license_visible(principal))


async def start_evaluation(
    *, uow: UnitOfWork, principal: Principal, command: EvaluationStart
) -> LicenseRow:
    """R-EVAL-1..3: 10 days, Enterprise tier, Server or Cloud; the key is given at once."""
    product = await queries.product(uow.session, command.product_id)
    if product is None:
        raise not_found("product", "product")
    rules.check_evaluation_deployment(Deployment(product.deployment))
    caller = await accounts.active_account(uow.session, principal.account_id or 0)
    if caller is None:
        raise DomainError(ErrorCode.NOT_FOUND, "No such account.")
    organization = await queries.insert_organization(
        uow.session,
        dict(
            name=command.organization_name,
            country=command.organization_country,
            academic=command.academic,
            created_at=uow.now,
        ),
    )
    sen = await next_number(uow.session, "sen")
    ends_on = rules.evaluation_ends_on(uow.today)
    row = await queries.insert_license(
        uow.session,
        dict(
            sen=sen,
            product_id=product.id,
            tier=rules.EVALUATION_TIER,  # R-EVAL-2
            license_type=LicenseType.EVALUATION,
            organization_id=organization.id,
            deployment_entity=command.deployment_entity,
            billing_account_id=caller.id,
            technical_account_id=caller.id,
            license_key=new_license_key(),
            evaluation_ends_on=ends_on,  # R-EVAL-1
            created_at=uow.now,
        ),
    )
    uow.audit(
        "evaluationStart",
        "Organization",
        organization.id,
        {
            "name": (None, organization.name),
            "country": (None, organization.country),
            "academic": (None, organization.academic),
        },
    )
    uow.audit_change(
        ChangeKind.ISSUED,
        "evaluationStart",
        "License",
        row.id,
        {
            "sen": (None, sen),
            "product": (None, product.name),
            "tier": (None, row.tier),
            "licenseType": (None, row.license_type),
            "organization": (None, global_id("Organization", organization.id)),
            "deploymentEntity": (None, row.deployment_entity),
            "evaluationEndsOn": (None, ends_on),
        },
    )
    message = messages.evaluation_started(
        license_id=row.id,
        product=product.name,
        sen=sen,
        days=rules.EVALUATION_DAYS,
        ends_on=ends_on,
        web_url=uow.web_url,
    )
    uow.send(caller.email, message)
    return row


@dataclass(frozen=True, slots=True)
class AssignLicense:
    """Either id is None when it named nothing of its type."""

    license_id: int | None
    organization_id: int | None


async def assign_license(
    *, uow: UnitOfWork, principal: Principal, command: AssignLicense
) -> LicenseRow:
    """R-ACC-7 (Consent to Assign): staff move a license to another organization."""
    refusals = Refusals()
    row = target = None
    if command.license_id is None:
        refusals.add(not_found("licenseId", "license"))
    else:
        row = await queries.license_for_update(session=uow.session, license_id=command.license_id)
        if row is None:
            refusals.add(not_found("licenseId", "license"))
    if command.organization_id is None:
        refusals.add(not_found("organizationId", "organization"))
    else:
        target = await queries.organization(uow.session, command.organization_id)
        if target is None:
            refusals.add(not_found("organizationId", "organization"))
    refusals.raise_any()
    assert row is not None and target is not None
    source = await queries.organization(uow.session, row.organization_id)
    updated = await queries.update_license(
        uow.session, license_id=row.id, values={"organization_id": target.id}
    )
    uow.audit_change(
        ChangeKind.UPDATED,
        "licenseAssign",
        "License",
        row.id,
        {
            "organization": (
                global_id("Organization", row.organization_id),
                global_id("Organization", target.id),
            ),
            "organizationName": (source.name if source else None, target.name),
        },
    )
    if row.organization_id != target.id:
        people = await accounts.accounts_by_id(
            uow.session, (row.billing_account_id, row.technical_account_id)
        )
        message = messages.license_assigned(
            license_id=row.id, sen=row.sen, organization=target.name, web_url=uow.web_url
        )
        for person in people.values():
            uow.send(person.email, message)
    return updated
