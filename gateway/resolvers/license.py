"""License mutations: decode the ids and input, run one action, map the license to the payload."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError

from gateway.actions import license as actions
from gateway.actions.billing_address import update_billing_address
from gateway.actions.cloud_card import UpdateCard, update_cloud_card
from gateway.actions.unit import UnitOfWork
from gateway.domain.billing_address import parse_address
from gateway.domain.enums import PrincipalKind
from gateway.domain.license_input import parse_contacts_change, parse_evaluation_start
from gateway.integrations.payments import ProcessorUnavailable
from gateway.resolvers.mutate import mutate, require_id
from gateway.schema import payloads as p
from gateway.schema.info import Info, require
from gateway.schema.license import License
from gateway.schema.mutation_inputs import (
    CloudSubscriptionUpdateBillingAddressInput,
    CloudSubscriptionUpdateCardInput,
    EvaluationStartInput,
    LicenseAssignInput,
    LicenseUpdateContactsInput,
)
from gateway.schema.relay import decode_id_of

SIGNED_IN = (PrincipalKind.CUSTOMER, PrincipalKind.PARTNER, PrincipalKind.STAFF)


def _license(row: Any) -> dict[str, Any]:
    return {"license": License.from_row(row) if row is not None else None}


async def license_update_contacts(
    info: Info, id: strawberry.ID, input: LicenseUpdateContactsInput
) -> p.LicensePayload:
    """R-ACC-3 (see actions.license.update_license_contacts)."""
    require(info, *SIGNED_IN)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        pk = require_id(id, "License", "id")
        change = parse_contacts_change(
            billing=input.billing_contact_email, technical=input.technical_contact_email
        )
        row = await actions.update_license_contacts(
            uow=uow, principal=uow.principal, license_id=pk, change=change
        )
        return _license(row)

    return await mutate(info, p.LicensePayload, work)


async def evaluation_start(info: Info, input: EvaluationStartInput) -> p.LicensePayload:
    """R-EVAL-1..3 (see actions.license.start_evaluation)."""
    require(info, PrincipalKind.CUSTOMER)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        command = parse_evaluation_start(
            product_id=decode_id_of(input.product, "Product"),
            organization_name=input.organization.name,
            organization_country=input.organization.country,
            academic=bool(input.organization.academic),
            deployment_entity=input.deployment_entity,
        )
        return _license(
            await actions.start_evaluation(uow=uow, principal=uow.principal, command=command)
        )

    return await mutate(info, p.LicensePayload, work, field_prefix=("input",))


async def cloud_subscription_update_card(
    info: Info, input: CloudSubscriptionUpdateCardInput
) -> p.LicensePayload:
    """R-ACC-6 (see actions.cloud_card); no processor configured is a request error."""
    require(info, PrincipalKind.CUSTOMER, PrincipalKind.STAFF)
    try:
        processor = info.context.services.payment_processor()
    except ProcessorUnavailable as exc:
        raise GraphQLError(str(exc), extensions={"code": "SERVICE_UNAVAILABLE"}) from None

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        pk = require_id(input.license_id, "License", "licenseId")
        command = UpdateCard(license_id=pk, payment_token=input.payment_token)
        row = await update_cloud_card(
            uow=uow, principal=uow.principal, command=command, processor=processor
        )
        return _license(row)

    return await mutate(info, p.LicensePayload, work, field_prefix=("input",))


async def license_assign(info: Info, input: LicenseAssignInput) -> p.LicensePayload:
    """R-ACC-7 (see actions.license.assign_license)."""
    require(info, PrincipalKind.STAFF)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        command = actions.AssignLicense(
            license_id=decode_id_of(input.license_id, "License"),
            organization_id=decode_id_of(input.organization_id, "Organization"),
        )
        row = await actions.assign_license(uow=uow, principal=uow.principal, command=command)
        return _license(row)

    return await mutate(info, p.LicensePayload, work, field_prefix=("input",))


async def cloud_subscription_update_billing_address(
    info: Info, input: CloudSubscriptionUpdateBillingAddressInput
) -> p.LicensePayload:
    """R-ACC-8 (see actions.billing_address)."""
    require(info, PrincipalKind.CUSTOMER, PrincipalKind.STAFF)
    given = input.address

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        pk = require_id(input.license_id, "License", "licenseId")
        address = parse_address(
            line1=given.line1,
            line2=given.line2,
            city=given.city,
            postal_code=given.postal_code,
            region=given.region,
            country=given.country,
        )
        row = await update_billing_address(
            uow=uow, principal=uow.principal, license_id=pk, address=address
        )
        return _license(row)

    return await mutate(info, p.LicensePayload, work, field_prefix=("input",))
