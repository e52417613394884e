"""Order mutations: the PO number of an invoice, and recording a quote's payment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import true
from sqlalchemy.engine import Row

from db.queries import account as accounts
from db.queries import license as licenses
from db.queries import order as queries
from db.queries import quote as quotes
from db.queries.filters import quote_status_is
from db.queries.numbers import next_number
from gateway.auth import policy
from gateway.domain import maintenance, payment, upgrade
from gateway.domain import quote as quote_rules
from gateway.domain.enums import Deployment, LicenseType, PrincipalKind, QuoteLineKind, QuoteStatus
from gateway.domain.errors import DomainError, ErrorCode
from gateway.resolvers.license import new_license_key
from gateway.resolvers.mutate import mutate, not_found, require_id
from gateway.resolvers.unit import Unit
from gateway.schema import payloads as p
from gateway.schema.info import Info, require
from gateway.schema.mutation_inputs import QuoteRecordPaymentInput
from gateway.schema.order import Order

REISSUED = ("[redacted]", "[reissued]")


async def order_set_po_number(
    info: Info, order_id: str, po_number: str | None
) -> p.OrderSetPoNumberPayload:
    """R-QUOTE-4: on an invoice too, at any time; a reference only, never a payment."""
    require(info, PrincipalKind.CUSTOMER, PrincipalKind.STAFF)

    async def work(unit: Unit) -> dict[str, Any]:
        pk = require_id(order_id, "Order", "id")
        value = quote_rules.check_po_number(po_number)
        before = await queries.visible_order(
            unit.session, pk, policy.order_writable(unit.principal), for_update=True
        )
        if before is None:
            raise not_found("id", "order")
        row = await queries.update_order(unit.session, order_id=pk, values={"po_number": value})
        unit.audit("orderSetPoNumber", "Order", pk, {"poNumber": (before.po_number, value)})
        return {"order": Order.from_row(row)}

    return await mutate(info, p.OrderSetPoNumberPayload, work)


def _about_license(sen: str, check: Callable[[], Any]) -> Any:
    """A rule on one of the quote's licenses, reported against the quote being paid."""
    try:
        return check()
    except DomainError as error:
        raise DomainError(error.code, f"{sen}: {error.message}", field=("quoteId",)) from None


class _Issuer:
    """Turns each quote line into issued or changed licenses (R-MAINT-2..5, R-UPG-1)."""

    def __init__(self, unit: Unit, quote: Row[Any], paid_on: dt.date) -> None:
        self.unit = unit
        self.quote = quote
        self.paid_on = paid_on
        self.current: dict[int, Row[Any]] = {}
        self.deployments: dict[int, Deployment] = {}
        self.license_ids: list[int] = []
        self.sens: list[str] = []

    async def prepare(self, lines: list[Row[Any]]) -> None:
        session = self.unit.session
        self.deployments = await licenses.deployments_by_product(
            session, {line.product_id for line in lines}
        )
        self.current = await licenses.licenses_for_update(
            session, [line.license_id for line in lines if line.license_id is not None]
        )

    async def issue(self, line: Row[Any]) -> None:
        kind = QuoteLineKind(line.kind)
        if kind is QuoteLineKind.NEW:
            await self._new(line)
            return
        row = self.current[line.license_id]
        if row.license_type == LicenseType.EVALUATION:
            raise DomainError(
                ErrorCode.NOT_UPGRADABLE,
                f"{row.sen}: an evaluation is converted by buying a new license",
                field=("quoteId",),
            )
        if kind is QuoteLineKind.UPGRADE:
            values = self._upgrade(line, row)
        else:
            values = self._renewal(line, row)
        values["license_key"] = new_license_key()  # R-EVAL-4: a new key, same deployment
        updated = await licenses.update_license(self.unit.session, license_id=row.id, values=values)
        self.current[row.id] = updated
        self._record(updated.id, updated.sen)
        changes: dict[str, tuple[Any, Any]] = {
            "tier": (row.tier, updated.tier),
            "maintenanceStartsOn": (row.maintenance_starts_on, updated.maintenance_starts_on),
            "maintenanceEndsOn": (row.maintenance_ends_on, updated.maintenance_ends_on),
            "purchaseAmount": (row.purchase_amount, updated.purchase_amount),
            "pastDue": (row.past_due, updated.past_due),
            "licenseKey": REISSUED,
        }
        self.unit.audit("quoteRecordPayment", "License", row.id, changes)

    async def _new(self, line: Row[Any]) -> None:
        """R-MAINT-2: maintenance from the payment date; for Cloud, the first annual term."""
        quote, unit = self.quote, self.unit
        sens = await licenses.reserve_numbers(unit.session, "sen", line.quantity)
        starts_on, ends_on = maintenance.maintenance_for_new(self.paid_on)
        amount = payment.unit_purchase_amount(line.total, line.quantity)
        rows = [
            dict(
                sen=sen,
                product_id=line.product_id,
                tier=line.tier,
                license_type=line.license_type,
                organization_id=quote.organization_id,
                deployment_entity=line.deployment_entity,
                billing_account_id=quote.billing_account_id,
                technical_account_id=quote.technical_account_id,
                partner_id=quote.partner_id,
                license_key=new_license_key(),
                purchased_on=self.paid_on,
                purchase_amount=amount,
                purchase_currency=quote.currency,
                maintenance_starts_on=starts_on,
                maintenance_ends_on=ends_on,
                created_at=unit.now,
            )
            for sen in sens
        ]
        ids = await licenses.insert_licenses(unit.session, rows)
        for license_id, sen in zip(ids, sens, strict=True):
            self._record(license_id, sen)
            unit.audit(
                "quoteRecordPayment",
                "License",
                license_id,
                {
                    "sen": (None, sen),
                    "tier": (None, line.tier),
                    "licenseType": (None, line.license_type),
                    "purchaseAmount": (None, amount),
                    "maintenanceStartsOn": (None, starts_on),
                    "maintenanceEndsOn": (None, ends_on),
                    "licenseKey": (None, "[issued]"),
                },
            )

    def _upgrade(self, line: Row[Any], row: Row[Any]) -> dict[str, Any]:
        """R-UPG-1 again (another upgrade may have been paid since the quote); R-MAINT-3: 12
        months from payment replace what was left. What was paid adds up for R-UPG-3."""
        deployment = self.deployments[line.product_id]
        _about_license(
            row.sen,
            lambda: upgrade.check_upgrade(
                deployment=deployment,
                license_type=row.license_type,
                current=row.tier,
                target=line.tier,
            ),
        )
        starts_on, ends_on = maintenance.maintenance_for_upgrade(self.paid_on)
        values: dict[str, Any] = dict(
            tier=line.tier, maintenance_starts_on=starts_on, maintenance_ends_on=ends_on
        )
        if row.purchase_currency == self.quote.currency and row.purchase_amount is not None:
            values["purchase_amount"] = row.purchase_amount + line.total
        return values

    def _renewal(self, line: Row[Any], row: Row[Any]) -> dict[str, Any]:
        """R-MAINT-4 from the license's end at payment time; R-MAINT-5 again."""
        deployment = self.deployments[line.product_id]
        starts_on, ends_on = _about_license(
            row.sen,
            lambda: maintenance.maintenance_for_paid_renewal(
                deployment=deployment,
                previous_end=row.maintenance_ends_on,
                years=line.years or 1,
                paid_on=self.paid_on,
                today=self.unit.today,
            ),
        )
        values: dict[str, Any] = dict(
            maintenance_starts_on=maintenance.start_after_renewal(
                row.maintenance_starts_on, starts_on
            ),
            maintenance_ends_on=ends_on,
        )
        if deployment is Deployment.CLOUD:
            values["past_due"] = False  # the renewal pays the term that was owed
        return values

    def _record(self, license_id: int, sen: str) -> None:
        if license_id not in self.license_ids:
            self.license_ids.append(license_id)
            self.sens.append(sen)


async def quote_record_payment(
    info: Info, input: QuoteRecordPaymentInput
) -> p.QuoteRecordPaymentPayload:
    """R-PRICE-5 (Net 0: the exact total, keys only now), R-QUOTE-2 (OPEN → PAID, once),
    R-MAINT-2..5 (the licenses' maintenance)."""
    require(info, PrincipalKind.STAFF)

    async def work(unit: Unit) -> dict[str, Any]:
        pk = require_id(input.quote_id, "Quote", "quoteId")
        reference = payment.check_payment_reference(input.reference)
        # The row lock queues a concurrent payment of the same quote behind this one; it then
        # finds the quote PAID (PostgreSQL). SQLite has no row locks: the guarded UPDATE
        # below and the unique orders.quote_id let only one through.
        quote = await quotes.visible_quote(unit.session, pk, true(), for_update=True)
        if quote is None:
            raise not_found("quoteId", "quote")
        status = quote_rules.effective_quote_status(quote.status, quote.valid_until, unit.today)
        if status is not QuoteStatus.OPEN:
            raise DomainError(
                ErrorCode.QUOTE_NOT_OPEN,
                f"Quote {quote.number} is {status.value.lower()}; it cannot be paid",
                field=("quoteId",),
            )
        paid_at = payment.check_paid_at(input.paid_at, now=unit.now, not_before=quote.created_at)
        payment.check_payment_amount(input.amount, quote.total, currency=quote.currency)
        paid = await queries.mark_quote_paid(
            unit.session,
            quote_id=pk,
            open_now=quote_status_is(QuoteStatus.OPEN, unit.today),
            now=unit.now,
        )
        if paid is None:
            raise DomainError(
                ErrorCode.QUOTE_NOT_OPEN, "The quote was paid meanwhile", field=("quoteId",)
            )
        people = await accounts.accounts_by_id(
            unit.session, (quote.billing_account_id, quote.technical_account_id)
        )
        billing, technical = people[quote.billing_account_id], people[quote.technical_account_id]
        order = await queries.insert_order(
            unit.session,
            dict(
                number=await next_number(unit.session, "order"),
                invoice_number=await next_number(unit.session, "invoice"),
                quote_id=pk,
                organization_id=quote.organization_id,
                partner_id=quote.partner_id,
                paid_at=paid_at,
                payment_method=input.method,
                payment_reference=reference,
                po_number=quote.po_number,
                currency=quote.currency,
                total=quote.total,
                billing_account_id=billing.id,
                technical_account_id=technical.id,
                # R-ACC-4: the invoice keeps the contacts as printed.
                billing_name=billing.name,
                billing_email=billing.email,
                technical_name=technical.name,
                technical_email=technical.email,
            ),
        )
        lines = await queries.quote_lines(unit.session, pk)
        issuer = _Issuer(unit, quote, paid_at.date())
        await issuer.prepare(lines)
        for line in lines:
            await issuer.issue(line)
        await queries.link_licenses(unit.session, order_id=order.id, license_ids=issuer.license_ids)
        unit.audit(
            "quoteRecordPayment",
            "Quote",
            pk,
            {"status": (quote.status, paid.status), "version": (quote.version, paid.version)},
        )
        unit.audit(
            "quoteRecordPayment",
            "Order",
            order.id,
            {
                "number": (None, order.number),
                "invoiceNumber": (None, order.invoice_number),
                "quote": (None, quote.number),
                "total": (None, f"{order.total} {order.currency}"),
                "paymentMethod": (None, order.payment_method),
                "paidAt": (None, order.paid_at),
                "licenses": (None, issuer.sens),
            },
        )
        body = (
            f"We received {order.total} {order.currency} for quote {quote.number}: order "
            f"{order.number}, invoice {order.invoice_number}. The license keys for "
            f"{', '.join(issuer.sens) or 'your licenses'} are available in My Conex."
        )
        for email in dict.fromkeys((billing.email, technical.email)):
            unit.mail(
                to=email,
                subject=f"Payment received: order {order.number}",
                body=body,
                template="payment_received",
            )
        return {"order": Order.from_row(order)}

    return await mutate(info, p.QuoteRecordPaymentPayload, work, field_prefix=("input",))
