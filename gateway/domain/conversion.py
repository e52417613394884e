"""Converting an evaluation with a purchase (R-EVAL-5, R-EVAL-4, R-LIC-1).

A NEW quote line may name the evaluation it converts. When the quote is paid the paid license
takes the evaluation's place on its deployment: the evaluation ends as
``EVALUATION_CONVERTED`` and its key is withdrawn.

How long after its end an evaluation can still be converted: a running evaluation always; a
Cloud evaluation also once it ended (FAQ Evaluations 1: "When your evaluation expires, you
can continue using Conex Cloud by adding a credit card"); an ended Server evaluation not —
nothing in the FAQ carries it past its 10 days (R-EVAL-1), a new license is bought instead.
Once named by a quote the conversion holds until the quote is paid (R-QUOTE-1 bounds that to
30 days; the FAQ: evaluation licenses are "for you to use while payment is being arranged").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from gateway.domain.enums import Deployment, LicenseType
from gateway.domain.errors import DomainError, ErrorCode


@dataclass(frozen=True, slots=True)
class Evaluation:
    """What the rules need to know of the license a line names."""

    sen: str
    product_id: int
    deployment: Deployment
    organization_id: int
    deployment_entity: str
    license_type: LicenseType
    evaluation_ends_on: date | None
    converted: bool


@dataclass(frozen=True, slots=True)
class ConvertingLine:
    product_id: int
    deployment_entity: str


def _refuse(message: str, field: tuple[str, ...]) -> DomainError:
    return DomainError(ErrorCode.NOT_CONVERTIBLE, message, field=field)


def same_deployment_entity(a: str, b: str) -> bool:
    """R-LIC-1: "Main Campus" and "main campus " name one deployment."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def check_convertible(
    evaluation: Evaluation,
    line: ConvertingLine,
    *,
    organization_id: int,
    field: tuple[str, ...] = ("convertsEvaluation",),
) -> None:
    """R-EVAL-5, at payment too: an evaluation not converted yet, of the line's product, for
    the quote's organization and the line's deployment entity."""
    if evaluation.license_type != LicenseType.EVALUATION:
        raise _refuse(f"{evaluation.sen} is not an evaluation", field)
    if evaluation.converted:
        raise _refuse(f"Evaluation {evaluation.sen} was converted already", field)
    if evaluation.product_id != line.product_id:
        raise _refuse(
            f"Evaluation {evaluation.sen} is of another product; a purchase converts an "
            "evaluation of the same product",
            field,
        )
    if evaluation.organization_id != organization_id:
        raise _refuse(
            f"Evaluation {evaluation.sen} belongs to another organization than this quote's",
            field,
        )
    if not same_deployment_entity(evaluation.deployment_entity, line.deployment_entity):
        raise _refuse(
            f"Evaluation {evaluation.sen} is for {evaluation.deployment_entity!r}; the line "
            "that converts it must be for the same deployment entity",
            field,
        )


def check_not_ended(
    evaluation: Evaluation, *, today: date, field: tuple[str, ...] = ("convertsEvaluation",)
) -> None:
    """When a quote names the evaluation: a Server evaluation still running; a Cloud one
    running or ended (see the module's docstring)."""
    ends_on = evaluation.evaluation_ends_on
    if evaluation.deployment is Deployment.CLOUD or ends_on is None or today < ends_on:
        return
    raise _refuse(
        f"Evaluation {evaluation.sen} ended on {ends_on.isoformat()}; buy a new license instead",
        field,
    )


def check_one_line_per_evaluation(
    converted: Sequence[int | None], quantities: Sequence[int]
) -> list[DomainError]:
    """R-LIC-1: one deployment keeps one license — a converting line buys exactly one, and no
    two lines convert the same evaluation. The refusals, by line."""
    errors = []
    seen: set[int] = set()
    for index, (evaluation_id, quantity) in enumerate(zip(converted, quantities, strict=True)):
        if evaluation_id is None:
            continue
        here = ("lines", str(index))
        if quantity != 1:
            errors.append(
                DomainError(
                    ErrorCode.INVALID,
                    "A line that converts an evaluation buys one license (quantity 1)",
                    field=(*here, "quantity"),
                )
            )
        if evaluation_id in seen:
            errors.append(
                _refuse("Another line converts this evaluation", (*here, "convertsEvaluation"))
            )
        seen.add(evaluation_id)
    return errors
