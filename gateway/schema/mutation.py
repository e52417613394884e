"""The Mutation root: thin fields handing each input to its resolver in gateway.resolvers."""

from __future__ import annotations

import strawberry

from gateway.resolvers import account, auth, license, order, partner, quote
from gateway.schema import payloads as p
from gateway.schema.info import Info
from gateway.schema.mutation_inputs import (
    AccountChangeEmailInput,
    AccountChangePasswordInput,
    AccountCloseInput,
    AccountUpdateInput,
    CloudSubscriptionUpdateCardInput,
    EvaluationStartInput,
    LicenseAssignInput,
    LicenseUpdateContactsInput,
    LogInInput,
    PartnerTokenCreateInput,
    PasswordResetInput,
    PasswordResetRequestInput,
    QuoteCreateInput,
    QuoteRecordPaymentInput,
    QuoteUpdateInput,
    RenewalQuoteRequestInput,
    SignUpInput,
    TokenRefreshInput,
    UpgradeQuoteRequestInput,
)


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def sign_up(self, info: Info, input: SignUpInput) -> p.SignUpPayload:
        return await auth.sign_up(info, input)

    @strawberry.mutation
    async def log_in(self, info: Info, input: LogInInput) -> p.LogInPayload:
        return await auth.log_in(info, input)

    @strawberry.mutation
    async def token_refresh(self, info: Info, input: TokenRefreshInput) -> p.TokenRefreshPayload:
        return await auth.token_refresh(info, input)

    @strawberry.mutation
    async def log_out(self, info: Info) -> p.LogOutPayload:
        return await auth.log_out(info)

    @strawberry.mutation
    async def quote_create(self, info: Info, input: QuoteCreateInput) -> p.QuotePayload:
        return await quote.quote_create(info, input)

    @strawberry.mutation
    async def quote_update(
        self, info: Info, id: strawberry.ID, expected_version: int, input: QuoteUpdateInput
    ) -> p.QuotePayload:
        return await quote.quote_update(info, id, expected_version, input)

    @strawberry.mutation
    async def quote_set_po_number(
        self, info: Info, id: strawberry.ID, expected_version: int, po_number: str | None = None
    ) -> p.QuotePayload:
        return await quote.quote_set_po_number(info, id, expected_version, po_number)

    @strawberry.mutation
    async def order_set_po_number(
        self, info: Info, id: strawberry.ID, po_number: str | None = None
    ) -> p.OrderSetPoNumberPayload:
        return await order.order_set_po_number(info, id, po_number)

    @strawberry.mutation
    async def quote_delete(self, info: Info, id: strawberry.ID) -> p.QuoteDeletePayload:
        return await quote.quote_delete(info, id)

    @strawberry.mutation
    async def license_update_contacts(
        self, info: Info, id: strawberry.ID, input: LicenseUpdateContactsInput
    ) -> p.LicensePayload:
        return await license.license_update_contacts(info, id, input)

    @strawberry.mutation
    async def renewal_quote_request(
        self, info: Info, input: RenewalQuoteRequestInput
    ) -> p.QuotePayload:
        return await quote.renewal_quote_request(info, input)

    @strawberry.mutation
    async def upgrade_quote_request(
        self, info: Info, input: UpgradeQuoteRequestInput
    ) -> p.QuotePayload:
        return await quote.upgrade_quote_request(info, input)

    @strawberry.mutation
    async def evaluation_start(self, info: Info, input: EvaluationStartInput) -> p.LicensePayload:
        return await license.evaluation_start(info, input)

    @strawberry.mutation
    async def account_update(self, info: Info, input: AccountUpdateInput) -> p.AccountPayload:
        return await account.account_update(info, input)

    @strawberry.mutation
    async def account_change_email(
        self, info: Info, input: AccountChangeEmailInput
    ) -> p.AccountPayload:
        return await account.account_change_email(info, input)

    @strawberry.mutation
    async def account_change_password(
        self, info: Info, input: AccountChangePasswordInput
    ) -> p.Payload:
        return await account.account_change_password(info, input)

    @strawberry.mutation
    async def password_reset_request(
        self, info: Info, input: PasswordResetRequestInput
    ) -> p.Payload:
        return await auth.password_reset_request(info, input)

    @strawberry.mutation
    async def password_reset(self, info: Info, input: PasswordResetInput) -> p.Payload:
        return await auth.password_reset(info, input)

    @strawberry.mutation
    async def account_close(self, info: Info, input: AccountCloseInput) -> p.AccountClosePayload:
        return await account.account_close(info, input)

    @strawberry.mutation
    async def cloud_subscription_update_card(
        self, info: Info, input: CloudSubscriptionUpdateCardInput
    ) -> p.LicensePayload:
        return await license.cloud_subscription_update_card(info, input)

    @strawberry.mutation
    async def quote_record_payment(
        self, info: Info, input: QuoteRecordPaymentInput
    ) -> p.QuoteRecordPaymentPayload:
        return await order.quote_record_payment(info, input)

    @strawberry.mutation
    async def partner_token_create(
        self, info: Info, input: PartnerTokenCreateInput
    ) -> p.PartnerTokenCreatePayload:
        return await partner.partner_token_create(info, input)

    @strawberry.mutation
    async def partner_token_revoke(
        self, info: Info, id: strawberry.ID
    ) -> p.PartnerTokenRevokePayload:
        return await partner.partner_token_revoke(info, id)

    @strawberry.mutation
    async def license_assign(self, info: Info, input: LicenseAssignInput) -> p.LicensePayload:
        return await license.license_assign(info, input)
