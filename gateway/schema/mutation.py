"""The Mutation root: thin fields handing each input to its resolver in gateway.resolvers."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError

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


def _pending(name: str) -> GraphQLError:
    # The mutations land with the authorization and mutations issues; until then the field
    # exists (clients validate against it) and answers with a typed request error.
    return GraphQLError(
        f"`{name}` is not available yet.", extensions={"code": "NOT_IMPLEMENTED"}
    )


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def sign_up(self, info: Info, input: SignUpInput) -> p.SignUpPayload:
        raise _pending("signUp")

    @strawberry.mutation
    async def log_in(self, info: Info, input: LogInInput) -> p.LogInPayload:
        raise _pending("logIn")

    @strawberry.mutation
    async def token_refresh(self, info: Info, input: TokenRefreshInput) -> p.TokenRefreshPayload:
        raise _pending("tokenRefresh")

    @strawberry.mutation
    async def log_out(self, info: Info) -> p.LogOutPayload:
        raise _pending("logOut")

    @strawberry.mutation
    async def quote_create(self, info: Info, input: QuoteCreateInput) -> p.QuotePayload:
        raise _pending("quoteCreate")

    @strawberry.mutation
    async def quote_update(
        self, info: Info, id: strawberry.ID, expected_version: int, input: QuoteUpdateInput
    ) -> p.QuotePayload:
        raise _pending("quoteUpdate")

    @strawberry.mutation
    async def quote_set_po_number(
        self, info: Info, id: strawberry.ID, expected_version: int, po_number: str | None = None
    ) -> p.QuotePayload:
        raise _pending("quoteSetPoNumber")

    @strawberry.mutation
    async def order_set_po_number(
        self, info: Info, id: strawberry.ID, po_number: str | None = None
    ) -> p.OrderSetPoNumberPayload:
        raise _pending("orderSetPoNumber")

    @strawberry.mutation
    async def quote_delete(self, info: Info, id: strawberry.ID) -> p.QuoteDeletePayload:
        raise _pending("quoteDelete")

    @strawberry.mutation
    async def license_update_contacts(
        self, info: Info, id: strawberry.ID, input: LicenseUpdateContactsInput
    ) -> p.LicensePayload:
        raise _pending("licenseUpdateContacts")

    @strawberry.mutation
    async def renewal_quote_request(
        self, info: Info, input: RenewalQuoteRequestInput
    ) -> p.QuotePayload:
        raise _pending("renewalQuoteRequest")

    @strawberry.mutation
    async def upgrade_quote_request(
        self, info: Info, input: UpgradeQuoteRequestInput
    ) -> p.QuotePayload:
        raise _pending("upgradeQuoteRequest")

    @strawberry.mutation
    async def evaluation_start(self, info: Info, input: EvaluationStartInput) -> p.LicensePayload:
        raise _pending("evaluationStart")

    @strawberry.mutation
    async def account_update(self, info: Info, input: AccountUpdateInput) -> p.AccountPayload:
        raise _pending("accountUpdate")

    @strawberry.mutation
    async def account_change_email(
        self, info: Info, input: AccountChangeEmailInput
    ) -> p.AccountPayload:
        raise _pending("accountChangeEmail")

    @strawberry.mutation
    async def account_change_password(
        self, info: Info, input: AccountChangePasswordInput
    ) -> p.Payload:
        raise _pending("accountChangePassword")

    @strawberry.mutation
    async def password_reset_request(
        self, info: Info, input: PasswordResetRequestInput
    ) -> p.Payload:
        raise _pending("passwordResetRequest")

    @strawberry.mutation
    async def password_reset(self, info: Info, input: PasswordResetInput) -> p.Payload:
        raise _pending("passwordReset")

    @strawberry.mutation
    async def account_close(self, info: Info, input: AccountCloseInput) -> p.AccountClosePayload:
        raise _pending("accountClose")

    @strawberry.mutation
    async def cloud_subscription_update_card(
        self, info: Info, input: CloudSubscriptionUpdateCardInput
    ) -> p.LicensePayload:
        raise _pending("cloudSubscriptionUpdateCard")

    @strawberry.mutation
    async def quote_record_payment(
        self, info: Info, input: QuoteRecordPaymentInput
    ) -> p.QuoteRecordPaymentPayload:
        raise _pending("quoteRecordPayment")

    @strawberry.mutation
    async def partner_token_create(
        self, info: Info, input: PartnerTokenCreateInput
    ) -> p.PartnerTokenCreatePayload:
        raise _pending("partnerTokenCreate")

    @strawberry.mutation
    async def partner_token_revoke(
        self, info: Info, id: strawberry.ID
    ) -> p.PartnerTokenRevokePayload:
        raise _pending("partnerTokenRevoke")

    @strawberry.mutation
    async def license_assign(self, info: Info, input: LicenseAssignInput) -> p.LicensePayload:
        raise _pending("licenseAssign")
