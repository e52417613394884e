"""Converting an evaluation with a purchase (R-EVAL-5): the checks when a quote names it, the
conversion when the quote is paid, the outcome as the web UI reads it (EvaluationOutcome)."""

from __future__ import annotations

from typing import Any

from db.models import License, Order, Payment, QuoteLine
from gateway.domain.dates import add_months
from gateway.domain.enums import Deployment, LicenseType
from gateway.schema.relay import decode_id_of
from tests.api.client import ok, send, user_errors
from tests.api.evaluation_conversion.support import (
    ENTITY,
    converting_line,
    create,
    created_quote,
    evaluation,
    pay,
    quote_input,
)
from tests.api.world import World, audit_events, changes, dump, gid, mail_to, one, rows, today

CREATE = "quoteCreate"


async def read(client: Any, token: str, query: str, **variables: Any) -> dict[str, Any]:
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    body = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def outcome(client: Any, token: str, license_id: int) -> dict[str, Any]:
    body = await send(client, "EvaluationOutcome", {"id": gid("License", license_id)}, token)
    assert "errors" not in body, body
    node: dict[str, Any] = body["data"]["node"]
    return node


async def test_r_eval_5_paying_the_quote_converts_the_server_evaluation(
    client: Any, world: World
) -> None:
    """R-EVAL-5 (R-EVAL-4, R-LIC-1): the paid license replaces the evaluation on its deployment;
    the evaluation ends EVALUATION_CONVERTED, points at it and shows no key any more."""
    eval_id = await evaluation(world)
    before = await outcome(client, world.alice_token, eval_id)
    assert (before["status"], before["convertedTo"]) == ("EVALUATION", None)
    quote = await created_quote(
        client, world, converting_line(world, eval_id, entity="main campus ")
    )
    (line,) = await rows(world.engine, QuoteLine)
    assert line.converts_evaluation_id == eval_id
    untouched = await one(world.engine, License, eval_id)
    assert untouched.converted_to_id is None and untouched.license_key  # not before payment

    order = ok(await pay(client, world, quote), "quoteRecordPayment")["order"]
    (paid,) = order["licenses"]
    paid_pk = decode_id_of(paid["id"], "License")
    assert paid_pk is not None

    seen = await outcome(client, world.alice_token, eval_id)
    assert seen["status"] == "EVALUATION_CONVERTED"
    assert seen["licenseType"] == "EVALUATION"
    assert seen["convertedTo"]["id"] == paid["id"]
    assert seen["convertedTo"]["sen"] == paid["sen"]
    assert seen["convertedTo"]["tier"] == "PROFESSIONAL"
    assert seen["convertedTo"]["licenseKey"]  # the contact gets the paid key (R-PRICE-5)
    row = await one(world.engine, License, eval_id)
    assert (row.converted_to_id, row.converted_at is not None) == (paid_pk, True)
    assert row.license_key is None  # withdrawn, not only hidden (R-SEC-3)
    new = await one(world.engine, License, paid_pk)
    assert (new.product_id, new.organization_id) == (row.product_id, row.organization_id)
    assert new.license_type == LicenseType.COMMERCIAL and new.converted_to_id is None

    (event,) = [
        e
        for e in await audit_events(world.engine, "quoteRecordPayment")
        if (e.entity_type, e.entity_id) == ("License", eval_id)
    ]
    assert changes(event) == {
        "status": ("EVALUATION", "EVALUATION_CONVERTED"),
        "convertedTo": (None, paid["sen"]),
        "licenseKey": ("[redacted]", "[withdrawn]"),
    }
    mails = [
        m
        for m in await mail_to(world.engine, "alice@example.com")
        if m.template == "evaluation_converted"
    ]
    (mail,) = mails
    assert paid["sen"] in mail.body and row.sen in mail.subject
    assert new.license_key not in mail.body  # keys never travel by mail


async def test_r_eval_5_a_converted_evaluation_is_listed_under_its_own_status(
    client: Any, world: World
) -> None:
    eval_id = await evaluation(world)
    running = await evaluation(world, deployment_entity="Annex")
    quote = await created_quote(client, world, converting_line(world, eval_id))
    ok(await pay(client, world, quote), "quoteRecordPayment")
    query = """query($status: LicenseStatus) {
      licenses(first: 20, filter: {status: $status}) { edges { node { id status licenseKey } } }
    }"""

    async def listed(status: str) -> list[dict[str, Any]]:
        data = await read(client, world.alice_token, query, status=status)
        return [edge["node"] for edge in data["licenses"]["edges"]]

    converted = await listed("EVALUATION_CONVERTED")
    assert converted == [
        {"id": gid("License", eval_id), "status": "EVALUATION_CONVERTED", "licenseKey": None}
    ]
    assert [n["id"] for n in await listed("EVALUATION")] == [gid("License", running)]
    assert await listed("EVALUATION_EXPIRED") == []


async def test_r_eval_5_a_cloud_evaluation_continues_as_a_paid_subscription(
    client: Any, world: World
) -> None:
    """R-EVAL-5: even once ended (FAQ Evaluations 1: "when your evaluation expires, you can
    continue using Conex Cloud"); the subscription's first term runs from payment (R-MAINT-2)
    and is backed up (R-EVAL-3)."""
    eval_id = await evaluation(world, Deployment.CLOUD, ends_in_days=-20)
    quote = await created_quote(client, world, converting_line(world, eval_id, Deployment.CLOUD))
    order = ok(await pay(client, world, quote), "quoteRecordPayment")["order"]
    (paid,) = order["licenses"]
    assert paid["maintenanceStartsOn"] == today().isoformat()
    assert paid["maintenanceEndsOn"] == add_months(today(), 12).isoformat()
    seen = await outcome(client, world.alice_token, eval_id)
    assert seen["status"] == "EVALUATION_CONVERTED"
    assert seen["convertedTo"]["sen"] == paid["sen"]
    node = await read(
        client,
        world.alice_token,
        "query($id: ID!) { node(id: $id) { ... on License { status backupsIncluded } } }",
        id=paid["id"],
    )
    assert node["node"] == {"status": "ACTIVE", "backupsIncluded": True}


async def test_r_eval_5_only_a_contact_may_name_the_evaluation(client: Any, world: World) -> None:
    """R-EVAL-5: the caller is a contact of the evaluation; anyone else is told "not found"
    (R-QUOTE-6), as for an id that names nothing; nothing is written."""
    eval_id = await evaluation(world)
    snapshot = await dump(world.engine)
    field = ["input", "lines", "0", "convertsEvaluation"]
    bob = quote_input(
        converting_line(world, eval_id),
        billingContactEmail="bob@example.com",
        technicalContactEmail="bob@example.com",
    )
    refused = await send(client, "CreateQuote", {"input": bob}, world.bob_token)
    assert user_errors(refused, CREATE) == [(field, "NOT_FOUND")]
    for bad in (gid("Quote", eval_id), "not-an-id", gid("License", 999_999)):
        refused = await create(client, world.alice_token, converting_line(world, bad))
        assert user_errors(refused, CREATE) == [(field, "NOT_FOUND")]
    partner = await send(
        client,
        "PartnerCreateQuote",
        {"input": quote_input(converting_line(world, eval_id))},
        world.partner_tokens["ALL"],
    )
    assert user_errors(partner, CREATE) == [(field, "NOT_FOUND")]
    assert await dump(world.engine) == snapshot


async def test_r_eval_5_same_product_organization_and_entity(client: Any, world: World) -> None:
    eval_id = await evaluation(world)
    field = ["input", "lines", "0", "convertsEvaluation"]
    snapshot = await dump(world.engine)
    cases = [
        converting_line(world, eval_id, Deployment.CLOUD),  # another product
        converting_line(world, eval_id, entity="Faculty of Letters"),  # another deployment
    ]
    for line in cases:
        refused = await create(client, world.alice_token, line)
        assert user_errors(refused, CREATE) == [(field, "NOT_CONVERTIBLE")]
    elsewhere = quote_input(
        converting_line(world, eval_id),
        organization={"name": "Médiathèque de Nantes", "country": "FR"},
    )
    refused = await send(client, "CreateQuote", {"input": elsewhere}, world.alice_token)
    assert user_errors(refused, CREATE) == [(field, "NOT_CONVERTIBLE")]
    assert await dump(world.engine) == snapshot


async def test_r_eval_5_only_an_evaluation_not_converted_and_not_ended(
    client: Any, world: World
) -> None:
    """R-EVAL-5: a paid license is no evaluation; one evaluation converts once; a Server
    evaluation past its 10 days (R-EVAL-1) is not carried on (a Cloud one is: see above)."""
    paid = await world.license(deployment_entity=ENTITY)
    ended = await evaluation(world, ends_in_days=0)
    converted = await evaluation(world)
    quote = await created_quote(client, world, converting_line(world, converted))
    ok(await pay(client, world, quote), "quoteRecordPayment")
    field = ["input", "lines", "0", "convertsEvaluation"]
    snapshot = await dump(world.engine)
    for license_id in (paid, ended, converted):
        refused = await create(client, world.alice_token, converting_line(world, license_id))
        assert user_errors(refused, CREATE) == [(field, "NOT_CONVERTIBLE")], license_id
    assert await dump(world.engine) == snapshot


async def test_r_eval_5_r_lic_1_one_license_per_converted_deployment(
    client: Any, world: World
) -> None:
    """R-LIC-1: the converting line buys one license, and one line converts an evaluation."""
    eval_id = await evaluation(world)
    snapshot = await dump(world.engine)
    refused = await create(client, world.alice_token, converting_line(world, eval_id, quantity=2))
    assert user_errors(refused, CREATE) == [(["input", "lines", "0", "quantity"], "INVALID")]
    twice = await create(
        client, world.alice_token, converting_line(world, eval_id), converting_line(world, eval_id)
    )
    assert user_errors(twice, CREATE) == [
        (["input", "lines", "1", "convertsEvaluation"], "NOT_CONVERTIBLE")
    ]
    assert await dump(world.engine) == snapshot


async def test_r_eval_5_the_second_quote_paid_for_one_evaluation_is_refused(
    client: Any, world: World
) -> None:
    """Two open quotes may name the evaluation; the payment rechecks it on the locked row, so
    the second payment is refused and changes nothing."""
    eval_id = await evaluation(world)
    first = await created_quote(client, world, converting_line(world, eval_id))
    second = await created_quote(client, world, converting_line(world, eval_id, tier="EXPRESS"))
    ok(await pay(client, world, first), "quoteRecordPayment")
    snapshot = await dump(world.engine)
    refused = await pay(client, world, second)
    assert user_errors(refused, "quoteRecordPayment") == [(["input", "quoteId"], "NOT_CONVERTIBLE")]
    assert await dump(world.engine) == snapshot


async def test_r_eval_5_quote_update_checks_the_new_lines_and_keeps_the_old(
    client: Any, world: World
) -> None:
    eval_id = await evaluation(world)
    quote = await created_quote(client, world, converting_line(world, eval_id))
    snapshot = await dump(world.engine)
    edit = {
        "id": quote["id"],
        "expectedVersion": quote["version"],
        "input": {"lines": [converting_line(world, eval_id, entity="Annex")]},
    }
    refused = await send(client, "EditQuote", edit, world.alice_token)
    assert user_errors(refused, "quoteUpdate") == [
        (["input", "lines", "0", "convertsEvaluation"], "NOT_CONVERTIBLE")
    ]
    assert await dump(world.engine) == snapshot
    # Another currency re-prices the same lines: the conversion stays on the line.
    edit["input"] = {"currency": "USD"}
    edited = ok(await send(client, "EditQuote", edit, world.alice_token), "quoteUpdate")["quote"]
    (line,) = await rows(world.engine, QuoteLine)
    assert line.converts_evaluation_id == eval_id
    order = ok(await pay(client, world, edited), "quoteRecordPayment")["order"]
    assert (await one(world.engine, License, eval_id)).converted_to_id == decode_id_of(
        order["licenses"][0]["id"], "License"
    )


async def test_r_eval_5_the_quote_line_names_the_evaluation(client: Any, world: World) -> None:
    eval_id = await evaluation(world)
    quote = await created_quote(client, world, converting_line(world, eval_id))
    data = await read(
        client,
        world.alice_token,
        "query($id: ID!) { node(id: $id) { ... on Quote { lines { convertsEvaluation { sen } } } } "
        "}",
        id=quote["id"],
    )
    (line,) = data["node"]["lines"]
    assert line["convertsEvaluation"] == {"sen": (await one(world.engine, License, eval_id)).sen}


async def test_r_eval_5_an_online_payment_for_a_converted_evaluation_is_refunded(
    client: Any, world: World
) -> None:
    """The processor charged the second quote's payment, but its evaluation was converted by
    the first: refused when the order would be issued, refunded, the quote open again."""
    eval_id = await evaluation(world)
    first = await created_quote(client, world, converting_line(world, eval_id))
    second = await created_quote(client, world, converting_line(world, eval_id, tier="EXPRESS"))
    ok(await pay(client, world, first), "quoteRecordPayment")
    variables = {
        "input": {"quoteId": second["id"], "expectedVersion": 1, "paymentToken": "pm_card_visa"}
    }
    refused = await send(client, "PayQuote", variables, world.alice_token)
    assert user_errors(refused, "quotePay") == [(["input", "quoteId"], "NOT_CONVERTIBLE")]
    assert "refunded in full" in refused["data"]["quotePay"]["payment"]["failureMessage"]
    assert refused["data"]["quotePay"]["quote"]["status"] == "OPEN"
    (payment,) = await rows(world.engine, Payment)
    assert payment.status == "FAILED" and payment.refund_id is not None
    assert payment.order_id is None
    assert len(await rows(world.engine, Order)) == 1
    (event,) = await audit_events(world.engine, "paymentRefund")
    assert "converted already" in changes(event)["reason"][1]
