"""R-QUOTE-8: quote and invoice PDFs, by signed, expiring link, for those who can see them."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from urllib.parse import urlsplit

import httpx
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from db.models import Organization
from gateway.schema.relay import encode_id
from gateway.services import services_of
from tests import factories as f
from tests.api.client import send
from tests.api.world import World
from tests.pdftext import logical, pdf_text

PDF_URL = "query($id: ID!) { node(id: $id) { ... on Quote { pdfUrl } ... on Order { pdfUrl } } }"


async def pdf_url(client: httpx.AsyncClient, token: str, gid: str) -> str | None:
    node = (await send(client, query=PDF_URL, variables={"id": gid}, token=token))["data"]["node"]
    return node["pdfUrl"] if node else None


async def algerian_licensee(world: World) -> int:
    """Quotes in DZD are for Algerian licensees (R-CUR-2): one, Atlas's customer."""
    return await f.organization(
        world.engine,
        name="Université d'Alger",
        country="DZ",
        academic=True,
        partner_id=world.partner,
    )


def path(url: str | None) -> str:
    assert url is not None, "no pdfUrl"
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def test_r_quote_8_quote_pdf_for_a_contact(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    await f.tax_id(engine, world.alice, "GST", "22AAAAA0000A1Z5")
    (quote,) = await world.add_quotes(
        1,
        organization_id=await algerian_licensee(world),
        po_number="PO-4711",
        currency="DZD",
        fx_rate=Decimal("146.35"),
        fx_margin=Decimal("0.03"),
    )
    url = await pdf_url(client, world.alice_token, encode_id("Quote", quote))
    assert url is not None and url.startswith("http://127.0.0.1:8000/documents/quote/")
    response = await client.get(path(url))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    for expected in (
        "PO-4711",
        "Alice",
        "alice@example.com",
        "22AAAAA0000A1Z5",
        "146.35",
        "Universit",
        "Promotional discount 20%",
        "3,840.00 DZD",
    ):
        assert expected in text, expected


async def test_r_quote_8_invoice_pdf(client: httpx.AsyncClient, world: World) -> None:
    (order,) = await world.add_orders(1)
    url = await pdf_url(client, world.alice_token, encode_id("Order", order))
    response = await client.get(path(url))
    assert response.status_code == 200
    assert "Invoice INV-" in pdf_text(response.content)


async def test_r_quote_8_no_link_for_those_who_cannot_see_it(
    client: httpx.AsyncClient, world: World
) -> None:
    (quote,) = await world.add_quotes(1)
    assert await pdf_url(client, world.bob_token, encode_id("Quote", quote)) is None


async def test_r_quote_8_tampered_and_expired_links_are_refused(
    client: httpx.AsyncClient, world: World, app: Starlette
) -> None:
    (quote,) = await world.add_quotes(1)
    url = path(await pdf_url(client, world.alice_token, encode_id("Quote", quote)))
    other = url.replace(f"/quote/{quote}?", f"/quote/{quote + 1}?")
    assert (await client.get(other)).json()["errors"][0]["extensions"][
        "code"
    ] == "INVALID_SIGNATURE"
    longer = re.sub(r"expires=(\d+)", lambda m: f"expires={int(m[1]) + 3600}", url)
    assert (await client.get(longer)).status_code == 403
    services_of(app).clock = lambda: dt.datetime.now(dt.UTC) + dt.timedelta(minutes=16)
    expired = await client.get(url)
    assert expired.status_code == 403
    assert expired.json()["errors"][0]["extensions"]["code"] == "LINK_EXPIRED"
    assert (await client.get("/documents/quote/1")).status_code == 404


async def test_r_quote_8_pdf_keeps_an_arabic_and_polish_name(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    # Issue #13: this name printed as "????? ??????? ? ? ?ód? Ünïversité".
    name = "جامعة الجزائر Uniwersytet Łódzki Ünïversité"
    licensee = await algerian_licensee(world)
    async with engine.begin() as conn:
        await conn.execute(
            update(Organization).where(Organization.id == licensee).values(name=name)
        )
    (quote,) = await world.add_quotes(
        1,
        organization_id=licensee,
        currency="DZD",
        fx_rate=Decimal("146.35"),
        fx_margin=Decimal("0.03"),
    )
    url = await pdf_url(client, world.alice_token, encode_id("Quote", quote))
    response = await client.get(path(url))
    assert response.status_code == 200
    assert f"{name} (DZ)" in logical(pdf_text(response.content))
