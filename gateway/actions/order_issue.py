"""Paying a quote issues its order and licenses: each line becomes new licenses, or changes
the license it renews or upgrades (R-MAINT-2..5, R-UPG-1, R-EVAL-4); a new license that
converts an evaluation ends it (R-EVAL-5, ``gateway.actions.conversion``). ``issue_order`` is
the one way an order is issued, whether staff record a payment or the processor confirms one
(R-PAY-2)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from db.queries import account as accounts
from db.queries import license as licenses
from db.queries import order as orders
from db.queries.numbers import next_number
from db.rows import LicenseRow, OrderRow, QuoteLineRow, QuoteRow
from gateway.actions import messages
from gateway.actions.conversion import convert_on_payment
from gateway.actions.license_keys import new_license_key
from gateway.actions.unit import UnitOfWork
from gateway.domain import maintenance, payment, upgrade
from gateway.domain.enums import ChangeKind, Deployment, LicenseType, PaymentMethod, QuoteLineKind
from gateway.domain.errors import DomainError, ErrorCode

REISSUED = ("[redacted]", "[reissued]")


def _about_license(sen: str, check: Callable[[], Any]) -> Any:
    """A rule on one of the quote's licenses, reported against the quote being paid."""
    try:
        return check()
    except DomainError as error:
        raise DomainError(error.code, f"{sen}: {error.message}", field=("quoteId",)) from None


class LicenseIssuer:
    """Turns each quote line into issued or changed licenses (R-MAINT-2..5, R-UPG-1)."""

    def __init__(self, unit: UnitOfWork, quote: QuoteRow, paid_on: dt.date, *, action: str) -> None:
        self.unit = unit
        self.quote = quote
        self.paid_on = paid_on
        self.action = action  # the audit's action: quoteRecordPayment, quotePay
        self.current: dict[int, LicenseRow] = {}
        self.deployments: dict[int, Deployment] = {}
        self.license_ids: list[int] = []
        self.sens: list[str] = []

    async def prepare(self, lines: list[QuoteLineRow]) -> None:
        session = self.unit.session
        self.deployments = await licenses.deployments_by_product(
            session, {line.product_id for line in lines}
        )
        self.current = await licenses.licenses_for_update(
            session, [line.license_id for line in lines if line.license_id is not None]
        )

    async def issue(self, line: QuoteLineRow) -> None:
        kind = QuoteLineKind(line.kind)
        if kind is QuoteLineKind.NEW:
            await self._new(line)
            return
        # A renewal or upgrade line names its license (ck_quote_lines_license_for_existing).
        assert line.license_id is not None
        row = self.current[line.license_id]
        if row.license_type == LicenseType.EVALUATION:
            raise DomainError(
                ErrorCode.NOT_UPGRADABLE,
                f"{row.sen}: an evaluation is converted by buying a new license "
                "(a new line whose convertsEvaluation names it)",
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
        self.unit.audit_change(ChangeKind.UPDATED, self.action, "License", row.id, changes)

    async def _new(self, line: QuoteLineRow) -> None:
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
        if line.converts_evaluation_id is not None:  # R-EVAL-5: the line bought one license
            await convert_on_payment(
                unit,
                evaluation_id=line.converts_evaluation_id,
                paid_license_id=ids[0],
                paid_sen=sens[0],
                product_id=line.product_id,
                organization_id=quote.organization_id,
                deployment_entity=line.deployment_entity,
                action=self.action,
            )
        for license_id, sen in zip(ids, sens, strict=True):
            self._record(license_id, sen)
            unit.audit_change(
                ChangeKind.ISSUED,
                self.action,
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

    def _upgrade(self, line: QuoteLineRow, row: LicenseRow) -> dict[str, Any]:
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

    def _renewal(self, line: QuoteLineRow, row: LicenseRow) -> dict[str, Any]:
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


async def issue_order(
    uow: UnitOfWork,
    quote: QuoteRow,
    *,
    method: PaymentMethod,
    paid_at: dt.datetime,
    reference: str | None,
    action: str,
) -> OrderRow:
    """The order of a quote just marked PAID (the caller holds its lock and moved it): its
    numbers, its licenses and keys (R-PRICE-5, R-MAINT-2..5), the audit and the mail to its
    contacts — in the caller's transaction, so all of it happens once or not at all."""
    order = await _insert_order(uow, quote, method=method, paid_at=paid_at, reference=reference)
    lines = await orders.quote_lines(uow.session, quote.id)
    issuer = LicenseIssuer(uow, quote, paid_at.date(), action=action)
    await issuer.prepare(lines)
    for line in lines:
        await issuer.issue(line)
    await orders.link_licenses(uow.session, order_id=order.id, license_ids=issuer.license_ids)
    uow.audit_change(
        ChangeKind.CREATED,
        action,
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
    message = messages.payment_received(
        order_id=order.id,
        order_number=order.number,
        invoice_number=order.invoice_number,
        quote_number=quote.number,
        total=order.total,
        currency=order.currency,
        sens=issuer.sens,
        web_url=uow.web_url,
    )
    for email in dict.fromkeys((order.billing_email, order.technical_email)):
        uow.send(email, message)
    return order


async def _insert_order(
    uow: UnitOfWork,
    quote: QuoteRow,
    *,
    method: PaymentMethod,
    paid_at: dt.datetime,
    reference: str | None,
) -> OrderRow:
    people = await accounts.accounts_by_id(
        uow.session, (quote.billing_account_id, quote.technical_account_id)
    )
    billing, technical = people[quote.billing_account_id], people[quote.technical_account_id]
    return await orders.insert_order(
        uow.session,
        dict(
            number=await next_number(uow.session, "order"),
            invoice_number=await next_number(uow.session, "invoice"),
            quote_id=quote.id,
            organization_id=quote.organization_id,
            partner_id=quote.partner_id,
            paid_at=paid_at,
            payment_method=method,
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
