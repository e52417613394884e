"""License mutations: contacts, evaluations, the Cloud card, Consent to Assign."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError
from sqlalchemy import true
from sqlalchemy.engine import Row

from db.queries import account as accounts
from db.queries import license as queries
from db.queries.numbers import next_number
from gateway.actions.invitation import invite_contact
from gateway.actions.license_keys import new_license_key
from gateway.actions.unit import UnitOfWork as Unit
from gateway.auth import policy
from gateway.auth.guards import require
from gateway.domain import account as account_rules
from gateway.domain import license as rules
from gateway.domain import pricing
from gateway.domain.enums import Currency, Deployment, LicenseType, PriceKind, PrincipalKind
from gateway.domain.enums import QuoteLineKind as Kind
from gateway.domain.errors import DomainError, ErrorCode
from gateway.domain.maintenance import cloud_term_after_late_charge, start_after_renewal
from gateway.integrations.payments import PaymentDeclined, ProcessorUnavailable, processor_for
from gateway.resolvers.mutate import DomainErrors, collect, mutate, not_found, require_id
from gateway.schema import payloads as p
from gateway.schema.info import Info
from gateway.schema.license import License
from gateway.schema.mutation_inputs import (
    CloudSubscriptionUpdateCardInput,
    EvaluationStartInput,
    LicenseAssignInput,
    LicenseUpdateContactsInput,
)
from gateway.schema.relay import encode_id

SIGNED_IN = (PrincipalKind.CUSTOMER, PrincipalKind.PARTNER, PrincipalKind.STAFF)


async def _contact_account(unit: Unit, email: str, *, country: str) -> tuple[int, bool]:
    """The live account of a contact email (locked, so a concurrent ``accountClose`` either
    sees the new role or is seen closed), or a new invited one."""
    found = await accounts.live_account_by_email(unit.session, email, for_update=True)
    if found is not None:
        return found.id, False
    return await accounts.account_for_contact(unit.session, email, now=unit.now, country=country)


async def license_update_contacts(
    info: Info, license_id: str, input: LicenseUpdateContactsInput
) -> p.LicensePayload:
    """R-ACC-3: its current contacts, staff, and its partner with licenses:write."""
    require(info, *SIGNED_IN)

    async def work(unit: Unit) -> dict[str, Any]:
        pk = require_id(license_id, "License", "id")
        given = {
            "billing": (input.billing_contact_email, "billingContactEmail"),
            "technical": (input.technical_contact_email, "technicalContactEmail"),
        }
        if all(value is None for value, _ in given.values()):
            raise DomainError(
                ErrorCode.REQUIRED,
                "Name a new billing contact, a new technical contact, or both",
                field=("input", "billingContactEmail"),
            )
        errors: list[DomainError] = []
        emails: dict[str, str] = {}
        for role, (value, field) in given.items():
            if value is None:
                continue
            try:
                emails[role] = account_rules.normalise_email_at(value, field=("input", field))
            except DomainError as error:
                errors.append(error)
        if errors:
            raise DomainErrors(errors)

        row = await queries.visible_license(
            unit.session, pk, policy.license_contacts_writable(unit.principal), for_update=True
        )
        if row is None:
            raise not_found("id", "license")
        organization = await queries.organization(unit.session, row.organization_id)
        assert organization is not None  # licenses.organization_id is a foreign key
        country = organization.country
        values: dict[str, int] = {}
        invited: list[tuple[int, str]] = []
        for role, email in emails.items():
            account_id, created = await _contact_account(unit, email, country=country)
            values[f"{role}_account_id"] = account_id
            if created:
                invited.append((account_id, email))
        before_ids = (row.billing_account_id, row.technical_account_id)
        updated = await queries.update_license(unit.session, license_id=pk, values=values)
        after_ids = (updated.billing_account_id, updated.technical_account_id)
        people = await accounts.accounts_by_id(unit.session, (*before_ids, *after_ids))
        unit.audit(
            "licenseUpdateContacts",
            "License",
            pk,
            {
                "billingContact": (people[before_ids[0]].email, people[after_ids[0]].email),
                "technicalContact": (people[before_ids[1]].email, people[after_ids[1]].email),
            },
        )
        for account_id, email in invited:
            await invite_contact(
                unit,
                account_id=account_id,
                email=email,
                subject="You were named a contact of a Conex license",
                reason=f"You are now a contact of Conex license {row.sen}.",
            )
        if before_ids != after_ids:
            old = [people[i].email for i in before_ids]
            new = [people[i].email for i in after_ids]
            for email in dict.fromkeys([*old, *new]):
                unit.mail(
                    to=email,
                    subject=f"The contacts of license {row.sen} changed",
                    body=f"Billing contact: {new[0]} (was {old[0]}). "
                    f"Technical contact: {new[1]} (was {old[1]}).",
                    template="license_contacts_changed",
                )
        # Only if the caller may still see it: a contact may have handed their role away.
        shown = await queries.visible_license(
            unit.session, pk, policy.license_visible(unit.principal)
        )
        return {"license": License.from_row(shown) if shown is not None else None}

    return await mutate(info, p.LicensePayload, work)


async def evaluation_start(info: Info, input: EvaluationStartInput) -> p.LicensePayload:
    """R-EVAL-1..3: 10 days, Enterprise tier, Server or Cloud; the key is given at once."""
    require(info, PrincipalKind.CUSTOMER)

    async def work(unit: Unit) -> dict[str, Any]:
        errors: list[DomainError] = []
        product_pk = collect(errors, lambda: require_id(input.product, "Product", "product"))
        name = collect(
            errors,
            lambda: account_rules.check_text(
                input.organization.name, field=("organization", "name"), label="organization name"
            ),
        )
        country = collect(
            errors,
            lambda: account_rules.check_country(
                input.organization.country, ("organization", "country")
            ),
        )
        entity = collect(
            errors,
            lambda: account_rules.check_text(
                input.deployment_entity, field=("deploymentEntity",), label="deployment entity"
            ),
        )
        if errors or product_pk is None:
            raise DomainErrors(errors)

        product = await queries.product(unit.session, product_pk)
        if product is None:
            raise not_found("product", "product")
        rules.check_evaluation_deployment(Deployment(product.deployment))
        caller = await accounts.active_account(unit.session, unit.principal.account_id or 0)
        if caller is None:
            raise DomainError(ErrorCode.NOT_FOUND, "No such account.")
        organization = await queries.insert_organization(
            unit.session,
            dict(
                name=name,
                country=country,
                academic=bool(input.organization.academic),
                created_at=unit.now,
            ),
        )
        sen = await next_number(unit.session, "sen")
        ends_on = rules.evaluation_ends_on(unit.today)
        row = await queries.insert_license(
            unit.session,
            dict(
                sen=sen,
                product_id=product.id,
                tier=rules.EVALUATION_TIER,  # R-EVAL-2
                license_type=LicenseType.EVALUATION,
                organization_id=organization.id,
                deployment_entity=entity,
                billing_account_id=caller.id,
                technical_account_id=caller.id,
                license_key=new_license_key(),
                evaluation_ends_on=ends_on,  # R-EVAL-1
                created_at=unit.now,
            ),
        )
        unit.audit(
            "evaluationStart",
            "Organization",
            organization.id,
            {
                "name": (None, organization.name),
                "country": (None, organization.country),
                "academic": (None, organization.academic),
            },
        )
        unit.audit(
            "evaluationStart",
            "License",
            row.id,
            {
                "sen": (None, sen),
                "product": (None, product.name),
                "tier": (None, row.tier),
                "licenseType": (None, row.license_type),
                "organization": (None, encode_id("Organization", organization.id)),
                "deploymentEntity": (None, row.deployment_entity),
                "evaluationEndsOn": (None, ends_on),
            },
        )
        unit.mail(
            to=caller.email,
            subject=f"Your {product.name} evaluation {sen} has started",
            body=f"Your {rules.EVALUATION_DAYS}-day evaluation ends on {ends_on.isoformat()}. "
            "The license key is in My Conex, under Licenses.",
            template="evaluation_started",
        )
        return {"license": License.from_row(row)}

    return await mutate(info, p.LicensePayload, work, field_prefix=("input",))


async def _late_charge(unit: Unit, row: Row[Any]) -> tuple[Any, Currency]:
    """R-ACC-6: what a past-due subscription owes now — the Cloud RENEWAL price of its tier in
    its purchase currency, priced like a renewal line: no promotion on a Cloud renewal
    (R-PRICE-1), the academic discount for an academic license of a qualified institution
    (R-PRICE-2)."""
    currency = Currency(row.purchase_currency or Currency.EUR)
    list_price = await queries.list_price(
        unit.session,
        product_id=row.product_id,
        tier=row.tier,
        currency=currency,
        kind=PriceKind.RENEWAL,
    )
    if list_price is None:
        raise DomainError(
            ErrorCode.INVALID,
            "This subscription's tier has no renewal price; please contact sales",
            field=("licenseId",),
        )
    organization = await queries.organization(unit.session, row.organization_id)
    priced = pricing.price_line(
        unit_price=list_price,
        quantity=1,
        deployment=Deployment.CLOUD,
        kind=Kind.RENEWAL,
        academic=bool(
            organization and organization.academic and row.license_type == LicenseType.ACADEMIC
        ),
    )
    return priced.total, currency


async def cloud_subscription_update_card(
    info: Info, input: CloudSubscriptionUpdateCardInput
) -> p.LicensePayload:
    """R-ACC-6: a site admin (a contact) or staff; the token is kept, never shown or logged."""
    require(info, PrincipalKind.CUSTOMER, PrincipalKind.STAFF)
    try:
        processor = processor_for(info.context.settings)
    except ProcessorUnavailable as exc:
        raise GraphQLError(str(exc), extensions={"code": "SERVICE_UNAVAILABLE"}) from None

    async def work(unit: Unit) -> dict[str, Any]:
        pk = require_id(input.license_id, "License", "licenseId")
        row = await queries.visible_license(
            unit.session, pk, policy.license_card_writable(unit.principal), for_update=True
        )
        if row is None:
            raise not_found("licenseId", "license")
        product = await queries.product(unit.session, row.product_id)
        assert product is not None  # licenses.product_id is a foreign key
        rules.check_card_updatable(
            deployment=Deployment(product.deployment), license_type=row.license_type
        )
        token = input.payment_token
        try:
            card = await processor.describe(token)
        except PaymentDeclined as exc:
            raise DomainError(
                ErrorCode.PAYMENT_DECLINED, str(exc), field=("paymentToken",)
            ) from None
        values: dict[str, Any] = dict(
            card_token=token, card_brand=card.brand, card_last4=card.last4
        )
        charged = None
        if row.past_due:  # charged now; otherwise on the next billing date
            amount, currency = await _late_charge(unit, row)
            if amount > 0:
                try:
                    await processor.charge(token, amount, currency)
                except PaymentDeclined as exc:
                    raise DomainError(
                        ErrorCode.PAYMENT_DECLINED, str(exc), field=("paymentToken",)
                    ) from None
            start, end = cloud_term_after_late_charge(row.maintenance_ends_on, unit.today)
            values.update(
                past_due=False,
                maintenance_starts_on=start_after_renewal(row.maintenance_starts_on, start),
                maintenance_ends_on=end,
            )
            charged = f"{amount} {currency.value}"
        updated = await queries.update_license(unit.session, license_id=pk, values=values)
        unit.audit(
            "cloudSubscriptionUpdateCard",
            "License",
            pk,
            {
                "paymentCard": (_card_text(row), _card_text(updated)),
                "pastDue": (row.past_due, updated.past_due),
                "maintenanceEndsOn": (row.maintenance_ends_on, updated.maintenance_ends_on),
                "charged": (None, charged),
            },
        )
        people = await accounts.accounts_by_id(
            unit.session, (row.billing_account_id, row.technical_account_id)
        )
        body = f"The payment card of Cloud subscription {row.sen} is now {_card_text(updated)}."
        if charged:
            body += (
                f" The overdue renewal was charged: {charged}; the subscription runs until "
                f"{updated.maintenance_ends_on.isoformat()}."
            )
        for person in people.values():
            unit.mail(
                to=person.email,
                subject=f"Payment card updated for {row.sen}",
                body=body,
                template="cloud_card_updated",
            )
        return {"license": License.from_row(updated)}

    return await mutate(info, p.LicensePayload, work, field_prefix=("input",))


def _card_text(row: Row[Any]) -> str | None:
    if row.card_brand is None or row.card_last4 is None:
        return None
    return f"{row.card_brand} ending {row.card_last4}"


async def license_assign(info: Info, input: LicenseAssignInput) -> p.LicensePayload:
    """R-ACC-7 (Consent to Assign): staff move a license to another organization."""
    require(info, PrincipalKind.STAFF)

    async def work(unit: Unit) -> dict[str, Any]:
        errors: list[DomainError] = []
        license_pk = collect(errors, lambda: require_id(input.license_id, "License", "licenseId"))
        organization_pk = collect(
            errors, lambda: require_id(input.organization_id, "Organization", "organizationId")
        )
        row = target = None
        if license_pk is not None:
            row = await queries.visible_license(unit.session, license_pk, true(), for_update=True)
            if row is None:
                errors.append(not_found("licenseId", "license"))
        if organization_pk is not None:
            target = await queries.organization(unit.session, organization_pk)
            if target is None:
                errors.append(not_found("organizationId", "organization"))
        if errors or row is None or target is None:
            raise DomainErrors(errors)
        source = await queries.organization(unit.session, row.organization_id)
        updated = await queries.update_license(
            unit.session, license_id=row.id, values={"organization_id": target.id}
        )
        unit.audit(
            "licenseAssign",
            "License",
            row.id,
            {
                "organization": (
                    encode_id("Organization", row.organization_id),
                    encode_id("Organization", target.id),
                ),
                "organizationName": (source.name if source else None, target.name),
            },
        )
        if row.organization_id != target.id:
            people = await accounts.accounts_by_id(
                unit.session, (row.billing_account_id, row.technical_account_id)
            )
            for person in people.values():
                unit.mail(
                    to=person.email,
                    subject=f"License {row.sen} was assigned to {target.name}",
                    body=f"License {row.sen} now belongs to {target.name} (Consent to Assign).",
                    template="license_assigned",
                )
        return {"license": License.from_row(updated)}

    return await mutate(info, p.LicensePayload, work, field_prefix=("input",))
