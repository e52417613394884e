"""License mutations."""

from __future__ import annotations

from gateway.resolvers.mutate import pending
from gateway.schema import payloads as p
from gateway.schema.info import Info
from gateway.schema.mutation_inputs import (
    CloudSubscriptionUpdateCardInput,
    EvaluationStartInput,
    LicenseAssignInput,
    LicenseUpdateContactsInput,
)


async def license_update_contacts(
    info: Info, license_id: str, input: LicenseUpdateContactsInput
) -> p.LicensePayload:
    raise pending("licenseUpdateContacts")


async def evaluation_start(info: Info, input: EvaluationStartInput) -> p.LicensePayload:
    raise pending("evaluationStart")


async def cloud_subscription_update_card(
    info: Info, input: CloudSubscriptionUpdateCardInput
) -> p.LicensePayload:
    raise pending("cloudSubscriptionUpdateCard")


async def license_assign(info: Info, input: LicenseAssignInput) -> p.LicensePayload:
    raise pending("licenseAssign")
