"""Scale id -> input model, scoring function and reference: the one table ``score`` dispatches on."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from pydantic import BaseModel, ValidationError

from scarwise.errors import InvalidInput, NotFound, Problem, from_validation_error
from scarwise.scales.ecca import ECCA_PROVENANCE, score_ecca
from scarwise.scales.fitzpatrick import FITZPATRICK_PROVENANCE, score_fitzpatrick
from scarwise.scales.goodman_baron import (
    QUALITATIVE_PROVENANCE,
    QUANTITATIVE_PROVENANCE,
    score_qualitative,
    score_quantitative,
)
from scarwise.scales.models import (
    EccaInput,
    FitzpatrickInput,
    GBQualitativeInput,
    GBQuantitativeInput,
    Provenance,
    ScarSInput,
    ScoreResult,
)
from scarwise.scales.scar_s import SCAR_S_PROVENANCE, score_scar_s

__all__ = ["SCALES", "Scale", "get_scale", "score"]


@dataclass(frozen=True, slots=True)
class Scale:
    """One validated scale: how to read its input and how to score it."""

    id: str
    name: str
    max: int
    input_model: type[BaseModel]
    scorer: Callable[[Any], ScoreResult]
    provenance: Provenance


SCALES: Final[Mapping[str, Scale]] = {
    s.id: s
    for s in (
        Scale(
            "gb-qualitative",
            "Goodman & Baron qualitative global grading",
            4,
            GBQualitativeInput,
            score_qualitative,
            QUALITATIVE_PROVENANCE,
        ),
        Scale(
            "gb-quantitative",
            "Goodman & Baron quantitative global scarring grading",
            84,
            GBQuantitativeInput,
            score_quantitative,
            QUANTITATIVE_PROVENANCE,
        ),
        Scale("ecca", "ECCA acne scar grading scale", 540, EccaInput, score_ecca, ECCA_PROVENANCE),
        Scale(
            "scar-s",
            "Scale for Acne Scar Severity (per site)",
            5,
            ScarSInput,
            score_scar_s,
            SCAR_S_PROVENANCE,
        ),
        Scale(
            "fitzpatrick",
            "Fitzpatrick skin phototype (SCF 8-item questionnaire)",
            32,
            FitzpatrickInput,
            score_fitzpatrick,
            FITZPATRICK_PROVENANCE,
        ),
    )
}


def get_scale(scale_id: str) -> Scale:
    """The scale named ``scale_id``; :class:`NotFound` listing the known ids otherwise."""
    try:
        return SCALES[scale_id]
    except KeyError:
        raise NotFound(
            f"scale: no scale named {scale_id!r} (known: {', '.join(SCALES)})",
            problems=[Problem("scale", "one of " + ", ".join(SCALES), scale_id)],
        ) from None


def score(scale_id: str, data: Mapping[str, Any] | BaseModel) -> ScoreResult:
    """Score one scale from a dict (as read from JSON/YAML) or its input model.

    Raises
    ------
    NotFound
        Unknown scale id.
    InvalidInput
        The input does not follow ``contracts/scales.md``; every problem is listed.
    """
    scale = get_scale(scale_id)
    if isinstance(data, scale.input_model):
        parsed = data
    else:
        if not isinstance(data, Mapping):
            raise InvalidInput(
                problems=[
                    Problem(
                        "input", f"a JSON object with the {scale_id} fields", type(data).__name__
                    )
                ]
            )
        try:
            parsed = scale.input_model.model_validate(dict(data))
        except ValidationError as err:
            raise from_validation_error(err, prefix="input") from err
    return scale.scorer(parsed)
