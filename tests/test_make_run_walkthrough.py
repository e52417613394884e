"""What README's "So in `make run`" walkthrough promises (issue #14's "done when"), against a
real ``serve`` as `make run` starts it — dev settings, migrated, the demo data loaded with
``demo-data --if-empty``, mail delivered by the server itself: Alice logs in, creates a quote,
pays it with ``pm_card_visa`` (R-PAY-1..2), and sees the order, the license keys and the mail.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.demo_data import DEMO_PASSWORD
from gateway.demo_data.scripted import ALICE_EMAIL
from tests import contract, selfservice_contract, served


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Path:
    work = tmp_path_factory.mktemp("make-run")
    database = work / "conex.sqlite3"
    shutil.copyfile(sqlite_template, database)  # migrated, as `make run`'s `migrate` leaves it
    subprocess.run(
        [sys.executable, "-m", "gateway", "demo-data", "--if-empty"],
        cwd=work,
        env=served.environment(work),
        check=True,
        capture_output=True,
        timeout=120,
    )
    return database


def post(client: httpx.Client, body: dict[str, object], token: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer = client.post("/graphql", json=body, headers=headers)
    assert answer.status_code == 200, answer.text
    payload = answer.json()
    assert "errors" not in payload, payload
    return payload["data"]


def test_r_pay_1_alice_creates_a_quote_pays_it_online_and_sees_order_keys_and_mail(
    demo_database: Path, tmp_path: Path
) -> None:
    with (
        served.serve(demo_database, tmp_path) as gateway,
        httpx.Client(base_url=gateway.url, timeout=30) as client,
    ):
        logged_in = post(
            client, contract.request("LogIn", {"email": ALICE_EMAIL, "password": DEMO_PASSWORD})
        )["logIn"]
        assert logged_in["userErrors"] == []
        token = logged_in["accessToken"]
        products = post(client, contract.request("Catalog"))["products"]
        server = next(p for p in products if p["deployment"] == "SERVER")
        lines = [
            {
                "product": server["id"],
                "tier": server["tiers"][0],
                "licenseType": "COMMERCIAL",
                "deploymentEntity": "Walkthrough Branch",
            }
        ]
        created = post(
            client,
            contract.request(
                "CreateQuote",
                {
                    "input": {
                        "currency": "USD",
                        "organization": {"name": "Walkthrough Library", "country": "US"},
                        "billingContactEmail": ALICE_EMAIL,
                        "technicalContactEmail": ALICE_EMAIL,
                        "lines": lines,
                    }
                },
            ),
            token,
        )["quoteCreate"]
        assert created["userErrors"] == []
        quote = created["quote"]
        paid = post(
            client,
            selfservice_contract.request(
                "PayQuote",
                {
                    "input": {
                        "quoteId": quote["id"],
                        "expectedVersion": quote["version"],
                        "paymentToken": "pm_card_visa",
                    }
                },
            ),
            token,
        )["quotePay"]
        assert paid["userErrors"] == []
        assert paid["payment"]["status"] == "SUCCEEDED"
        assert paid["quote"]["status"] == "PAID"
        (license_,) = paid["order"]["licenses"]
        assert license_["licenseKey"]
        order = post(client, contract.request("OrderDetail", {"id": paid["order"]["id"]}), token)
        assert order["node"]["licenses"] == [
            {
                "id": license_["id"],
                "sen": license_["sen"],
                "tier": license_["tier"],
                "licenseKey": license_["licenseKey"],
                "maintenanceEndsOn": license_["maintenanceEndsOn"],
            }
        ]
        number = paid["order"]["number"]
        deadline = time.monotonic() + 20  # the server delivers its outbox by itself in dev
        found: list[str] = []
        while time.monotonic() < deadline and not found:
            found = [
                text
                for mail in (tmp_path / "mail").glob("*.eml")
                if number in (text := mail.read_text(encoding="utf-8", errors="replace"))
            ]
            time.sleep(0.2)
        assert found, f"no mail about order {number} in {tmp_path / 'mail'}"
        assert any(ALICE_EMAIL in text for text in found)
