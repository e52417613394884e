"""cloudSubscriptionUpdateBillingAddress: a Cloud subscription's contacts change where it is
billed (R-ACC-8); the invoices paid from now on print the new address."""

from __future__ import annotations

from db.queries import billing_address as queries
from db.queries import license as licenses
from db.queries.conversion import contact_emails
from db.rows import LicenseRow
from gateway.actions import selfservice_messages
from gateway.actions.unit import UnitOfWork
from gateway.auth import policy
from gateway.auth.principal import Principal
from gateway.domain import billing_address as rules
from gateway.domain.billing_address import Address
from gateway.domain.enums import Deployment, LicenseType
from gateway.domain.errors import not_found


async def update_billing_address(
    *, uow: UnitOfWork, principal: Principal, license_id: int, address: Address
) -> LicenseRow | None:
    """R-ACC-8: by the subscription's contacts (and staff); a paid Cloud subscription only.
    Returns the license row as the caller may see it (``License.from_row`` reads it)."""
    row = await queries.billed_license(
        uow.session, license_id, policy.billing_address_writable(principal)
    )
    if row is None:
        raise not_found("licenseId", "license")
    deployment = await queries.deployment_of(uow.session, row.product_id)
    rules.check_billing_address_updatable(
        deployment=Deployment(deployment), license_type=LicenseType(row.license_type)
    )
    before = await queries.current_address(uow.session, license_id)
    after = await queries.insert_address(
        uow.session,
        dict(
            license_id=license_id,
            line1=address.line1,
            line2=address.line2,
            city=address.city,
            postal_code=address.postal_code,
            region=address.region,
            country=address.country,
            created_at=uow.now,
        ),
    )
    printed = after.as_address().printed()
    uow.audit(
        "cloudSubscriptionUpdateBillingAddress",
        "License",
        license_id,
        {"billingAddress": (before.as_address().printed() if before else None, printed)},
    )
    message = selfservice_messages.cloud_billing_address_updated(
        license_id=license_id, sen=row.sen, address=printed, web_url=uow.web_url
    )
    for email in await contact_emails(
        uow.session, (row.billing_account_id, row.technical_account_id)
    ):
        uow.send(email, message)
    return await licenses.visible_license(
        uow.session, license_id, policy.license_visible(principal)
    )
