"""The demo dataset tells issue #14's stories: a converted evaluation (R-EVAL-5), open and
answered sales requests (R-REQ-1, R-REQ-2), a partner with a discount on its quotes (R-PRICE-6)
and a Cloud billing address (R-ACC-8) — each as the gateway itself would have written it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncEngine

import db.models  # noqa: F401  (fills the metadata)
from db.base import Base
from gateway.demo_data import load_demo_data
from gateway.domain.enums import LicenseType, SalesRequestStatus

TODAY = dt.date(2026, 11, 26)
T = Base.metadata.tables


async def _rows(engine: AsyncEngine, table: str) -> Sequence[Row[Any]]:
    async with engine.connect() as conn:
        return (await conn.execute(select(T[table]).order_by(*T[table].primary_key))).all()


@pytest.fixture
async def demo(engine: AsyncEngine) -> AsyncEngine:
    await load_demo_data(engine, accounts=20, seed=1, today=TODAY)
    return engine


async def test_r_eval_5_a_converted_evaluation_and_its_paid_license(demo: AsyncEngine) -> None:
    licenses = {row.id: row for row in await _rows(demo, "licenses")}
    (evaluation,) = [row for row in licenses.values() if row.converted_to_id is not None]
    paid = licenses[evaluation.converted_to_id]
    assert evaluation.license_type == LicenseType.EVALUATION and evaluation.license_key is None
    assert paid.license_type != LicenseType.EVALUATION and paid.license_key
    same = ("product_id", "organization_id", "deployment_entity")
    assert [getattr(paid, c) for c in same] == [getattr(evaluation, c) for c in same]
    (line,) = [row for row in await _rows(demo, "quote_lines") if row.converts_evaluation_id]
    assert line.converts_evaluation_id == evaluation.id
    orders = {row.quote_id: row for row in await _rows(demo, "orders")}
    order = orders[line.quote_id]  # the quote was paid
    assert evaluation.converted_at == order.paid_at
    links = {(row.order_id, row.license_id) for row in await _rows(demo, "order_licenses")}
    assert (order.id, paid.id) in links
    quotes = {row.id: row for row in await _rows(demo, "quotes")}
    # R-EVAL-5: the quote named it while it ran.
    assert evaluation.created_at < quotes[line.quote_id].created_at
    assert quotes[line.quote_id].created_at.date() < evaluation.evaluation_ends_on


async def test_r_req_1_open_and_answered_sales_requests(demo: AsyncEngine) -> None:
    requests = await _rows(demo, "sales_requests")
    statuses = {row.status for row in requests}
    assert statuses == set(SalesRequestStatus)
    assert [row.number for row in requests] == [f"SR-{n:06d}" for n in range(1, len(requests) + 1)]
    for row in requests:
        assert (row.status == SalesRequestStatus.OPEN) == (row.resolved_at is None)
        assert row.resolved_at is None or row.resolved_at > row.created_at
    events = {(e.entity_type, e.entity_id, e.action) for e in await _rows(demo, "audit_events")}
    for row in requests:
        assert ("SalesRequest", row.id, "salesRequestCreate") in events
        if row.resolved_at is not None:
            assert ("SalesRequest", row.id, "salesRequestResolve") in events
    sequences = {row.kind: row.next_value for row in await _rows(demo, "number_sequences")}
    assert sequences["sales_request"] == len(requests) + 1  # the next one follows


async def test_r_req_2_the_customization_request_is_about_server_enterprise(
    demo: AsyncEngine,
) -> None:
    licenses = {row.id: row for row in await _rows(demo, "licenses")}
    products = {row.id: row.deployment for row in await _rows(demo, "products")}
    (request,) = [r for r in await _rows(demo, "sales_requests") if r.kind == "CUSTOMIZATION"]
    license = licenses[request.license_id]
    assert (products[license.product_id], license.tier) == ("SERVER", "ENTERPRISE")


async def test_r_price_6_the_partner_discount_was_set_and_prices_its_quotes(
    demo: AsyncEngine,
) -> None:
    (partner,) = [p for p in await _rows(demo, "partners") if p.discount_percent > 0]
    (event,) = [e for e in await _rows(demo, "audit_events") if e.action == "partnerUpdate"]
    assert (event.entity_type, event.entity_id) == ("Partner", partner.id)
    resold = [q for q in await _rows(demo, "quotes") if q.partner_id == partner.id]
    assert resold and all(q.partner_discount_percent == partner.discount_percent for q in resold)
    lines = [
        row for row in await _rows(demo, "quote_lines") if row.quote_id in {q.id for q in resold}
    ]
    assert all(any(d["kind"] == "PARTNER" for d in row.discounts) for row in lines)


async def test_r_acc_8_a_cloud_billing_address(demo: AsyncEngine) -> None:
    (address,) = await _rows(demo, "billing_addresses")
    licenses = {row.id: row for row in await _rows(demo, "licenses")}
    products = {row.id: row.deployment for row in await _rows(demo, "products")}
    assert products[licenses[address.license_id].product_id] == "CLOUD"
    assert address.created_at.date() < TODAY
