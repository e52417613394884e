"""The mail of self-service (issue #14): evaluation conversion (R-EVAL-5), a Cloud billing
address (R-ACC-8), sales requests (R-REQ-1); in the words and layout of ``messages``."""

from __future__ import annotations

from gateway.actions.ids import global_id
from gateway.actions.messages import Message, _compose, _license_link


def evaluation_converted(
    *, evaluation_sen: str, paid_license_id: int, paid_sen: str, web_url: str
) -> Message:
    """R-EVAL-5, R-EVAL-4: the paid license replaces the evaluation on its deployment."""
    return Message(
        subject=f"Evaluation {evaluation_sen} is now license {paid_sen}",
        body=_compose(
            f"Your purchase converted evaluation {evaluation_sen} into license {paid_sen}.\n"
            "No reinstall is needed: copy the key of the new license from My Conex into the\n"
            "License Details page of your administration console. The evaluation's key no\n"
            "longer applies.",
            _license_link(paid_license_id, web_url),
        ),
        template="evaluation_converted",
    )


def cloud_billing_address_updated(
    *, license_id: int, sen: str, address: str, web_url: str
) -> Message:
    """R-ACC-8."""
    return Message(
        subject=f"Billing address updated for {sen}",
        body=_compose(
            f"The billing address of Conex Cloud subscription {sen} is now:\n{address}\n"
            "Invoices paid from now on print it.",
            _license_link(license_id, web_url),
        ),
        template="cloud_billing_address_updated",
    )


# --- sales requests (R-REQ-1) -------------------------------------------------------------


def sales_request_page(web_url: str, request_id: int) -> str:
    return f"{web_url.rstrip('/')}/sales-requests/{global_id('SalesRequest', request_id)}"


def _sales_request_link(request_id: int, web_url: str) -> str:
    return f"See the request in My Conex:\n\n{sales_request_page(web_url, request_id)}"


def sales_request_opened(
    *, request_id: int, number: str, kind: str, about: str | None, message: str, web_url: str
) -> Message:
    subject = f" about {about}" if about else ""
    return Message(
        subject=f"We received your request {number}",
        body=_compose(
            f"Thank you: your {kind} request {number}{subject} is with Conex sales, who will\n"
            "answer it by mail and in My Conex.",
            f"You wrote:\n{message}",
            _sales_request_link(request_id, web_url),
        ),
        template="sales_request_opened",
    )


def sales_request_resolved(
    *, request_id: int, number: str, declined: bool, resolution: str, web_url: str
) -> Message:
    outcome = "declined" if declined else "resolved"
    return Message(
        subject=f"Your request {number} was {outcome}",
        body=_compose(
            f"Conex sales {outcome} your request {number}:",
            resolution,
            _sales_request_link(request_id, web_url),
        ),
        template=f"sales_request_{outcome}",
    )
