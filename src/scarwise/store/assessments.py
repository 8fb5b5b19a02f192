"""Assessments: a ``score/1`` result kept whole, with the scale input it was scored from.

The store keeps scores; it does not compute them. Scoring a scale's input and keeping the result
is the workflow :func:`scarwise.workflows.record_assessment`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from scarwise.errors import InvalidInput, Problem, from_validation_error
from scarwise.scales import ScoreResult, get_scale
from scarwise.store import models as m
from scarwise.store.base import StoreBase, When
from scarwise.store.checks import MAX_SCORE, json_problems, require_person, text
from scarwise.store.rows import assessment_record
from scarwise.tracking.models import AssessmentResult

__all__ = ["add_assessment"]


def add_assessment(
    store: StoreBase,
    person_id: str,
    result: Mapping[str, Any],
    *,
    inputs: Mapping[str, Any] | None = None,
    date: When = None,
    rater: str | None = None,
) -> AssessmentResult:
    """Keep a ``score/1`` result (as ``scarwise score --json`` prints it) and, when known, the
    scale input it was scored from.

    Raises
    ------
    InvalidInput
        ``result`` is not a ``score/1`` object, its score is outside 0 to its maximum (at most
        :data:`~scarwise.store.checks.MAX_SCORE`), it or ``inputs`` holds a number JSON cannot
        (NaN, infinity), or the date or rater is not acceptable.
    NotFound
        No such person, or a scale this version does not know.
    """
    when = store.when(date)
    rater = text(rater, "rater")
    if result.get("schema") != "score/1":
        raise InvalidInput(problems=[Problem("input.schema", "score/1", result.get("schema"))])
    try:
        parsed = ScoreResult.model_validate(dict(result))
    except ValidationError as err:
        raise from_validation_error(err, prefix="input") from err
    get_scale(parsed.scale)
    if not 0 <= parsed.max <= MAX_SCORE:
        raise InvalidInput(
            problems=[
                Problem("input.max", f"a maximum from 0 to {MAX_SCORE}", str(parsed.max)[:40])
            ]
        )
    if not 0 <= parsed.score <= parsed.max:
        raise InvalidInput(
            problems=[Problem("input.score", f"0 to {parsed.max}", str(parsed.score)[:40])]
        )
    problems = json_problems(dict(result), "input")
    if inputs is not None:
        problems += json_problems(dict(inputs), "inputs")
    if problems:
        raise InvalidInput(problems=problems)
    kept = dict(result)
    region = kept.get("region") if isinstance(kept.get("region"), str) else None
    row = m.Assessment(
        id=store.new_id(),
        person_id=person_id,
        occurred_at=when,
        scale=parsed.scale,
        score=parsed.score,
        max=parsed.max,
        rater=rater,
        region=region,
        inputs=None if inputs is None else dict(inputs),
        result=kept,
    )
    with store.writing() as s:
        require_person(s, person_id)
        s.add(row)
    return AssessmentResult(assessment=assessment_record(row))
