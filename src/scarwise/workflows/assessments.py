"""Score a scale and keep the assessment: the scale's input scored, or a score kept as given."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scarwise.errors import InvalidInput, Problem
from scarwise.scales import get_scale, score
from scarwise.store import Store
from scarwise.store.base import When
from scarwise.tracking.models import AssessmentResult

__all__ = ["record_assessment"]


def record_assessment(
    store: Store,
    person_id: str,
    scale: str,
    data: Mapping[str, Any],
    *,
    date: When = None,
    rater: str | None = None,
) -> AssessmentResult:
    """Score ``data`` on ``scale`` and keep input and result.

    ``data`` is either the scale's input (``contracts/scales.md``) or a ``score/1`` object as
    ``scarwise score --json`` prints it (kept as given; its input is then unknown).

    Raises
    ------
    NotFound
        No such scale or person.
    InvalidInput
        The input does not fit the scale, a ``score/1`` object of another scale or out of range,
        or a bad date or rater.
    """
    get_scale(scale)
    if isinstance(data, Mapping) and data.get("schema") == "score/1":
        if data.get("scale") != scale:
            raise InvalidInput(
                problems=[Problem("input.scale", f"the scale {scale!r}", data.get("scale"))]
            )
        return store.add_assessment(person_id, data, date=date, rater=rater)
    scored = score(scale, data)
    return store.add_assessment(
        person_id, scored.to_json_dict(), inputs=dict(data), date=date, rater=rater
    )
