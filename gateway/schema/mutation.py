"""The Mutation root: each field bound to its resolver in gateway.resolvers (the resolver's
signature is the field's arguments, its return annotation the payload)."""

from __future__ import annotations

import strawberry

from gateway.resolvers import (
    account,
    auth,
    license,
    order,
    partner,
    payment,
    quote,
    sales_request,
    webhook,
)


@strawberry.type
class Mutation:
    sign_up = strawberry.mutation(resolver=auth.sign_up)
    log_in = strawberry.mutation(resolver=auth.log_in)
    token_refresh = strawberry.mutation(resolver=auth.token_refresh)
    log_out = strawberry.mutation(resolver=auth.log_out)
    quote_create = strawberry.mutation(resolver=quote.quote_create)
    quote_update = strawberry.mutation(resolver=quote.quote_update)
    quote_set_po_number = strawberry.mutation(resolver=quote.quote_set_po_number)
    order_set_po_number = strawberry.mutation(resolver=order.order_set_po_number)
    quote_delete = strawberry.mutation(resolver=quote.quote_delete)
    license_update_contacts = strawberry.mutation(resolver=license.license_update_contacts)
    renewal_quote_request = strawberry.mutation(resolver=quote.renewal_quote_request)
    upgrade_quote_request = strawberry.mutation(resolver=quote.upgrade_quote_request)
    evaluation_start = strawberry.mutation(resolver=license.evaluation_start)
    account_update = strawberry.mutation(resolver=account.account_update)
    account_change_email = strawberry.mutation(resolver=account.account_change_email)
    account_change_password = strawberry.mutation(resolver=account.account_change_password)
    password_reset_request = strawberry.mutation(resolver=auth.password_reset_request)
    password_reset = strawberry.mutation(resolver=auth.password_reset)
    account_close = strawberry.mutation(resolver=account.account_close)
    cloud_subscription_update_card = strawberry.mutation(
        resolver=license.cloud_subscription_update_card
    )
    quote_record_payment = strawberry.mutation(resolver=order.quote_record_payment)
    quote_pay = strawberry.mutation(resolver=payment.quote_pay)
    partner_token_create = strawberry.mutation(resolver=partner.partner_token_create)
    partner_token_revoke = strawberry.mutation(resolver=partner.partner_token_revoke)
    license_assign = strawberry.mutation(resolver=license.license_assign)
    sales_request_create = strawberry.mutation(resolver=sales_request.sales_request_create)
    sales_request_resolve = strawberry.mutation(resolver=sales_request.sales_request_resolve)
    partner_update = strawberry.mutation(resolver=partner.partner_update)
    webhook_endpoint_create = strawberry.mutation(resolver=webhook.webhook_endpoint_create)
    webhook_endpoint_delete = strawberry.mutation(resolver=webhook.webhook_endpoint_delete)
    cloud_subscription_update_billing_address = strawberry.mutation(
        resolver=license.cloud_subscription_update_billing_address
    )
