"""Inputs and results of the validated scales (``contracts/scales.md``).

Inputs are strict: unknown keys, negative or non-integer counts and out-of-range answers are
errors, so a typo never scores as zero. Every result shows its working in ``items`` and carries
the reference and how sure we are of the scoring (``provenance``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from scarwise.results import Result, StrictModel

__all__ = [
    "Certainty",
    "Count",
    "EccaCounts",
    "EccaInput",
    "EccaItem",
    "EccaResult",
    "FitzpatrickAnswers",
    "FitzpatrickInput",
    "FitzpatrickItem",
    "FitzpatrickResult",
    "GBQualitativeInput",
    "GBQualitativeResult",
    "GBQualitativeStep",
    "GBQuantitativeCounts",
    "GBQuantitativeInput",
    "GBQuantitativeItem",
    "GBQuantitativeResult",
    "HypertrophicItem",
    "Provenance",
    "Region",
    "ScarSInput",
    "ScarSItem",
    "ScarSResult",
    "ScoreResult",
]

Count = Annotated[int, Field(ge=0, description="number of lesions (a non-negative integer)")]
Region = Literal["face", "chest", "back", "other"]
Certainty = Literal["verified", "secondary", "memory", "derived"]


class Provenance(BaseModel):
    """Where a scale's numbers come from and how sure we are of them."""

    model_config = ConfigDict(frozen=True)

    reference: str
    doi: str | None = None
    pmid: str | None = None
    scoring_certainty: Certainty
    note: str


class ScoreResult(Result):
    """The ``score/1`` object common to every scale."""

    schema_: str = Field(default="score/1", alias="schema", serialization_alias="schema")
    scale: str
    score: int
    max: int
    reference: str
    provenance: Provenance


# --- Goodman & Baron quantitative -------------------------------------------------------------


class GBQuantitativeCounts(StrictModel):
    macular: Count = 0
    mild_atrophic: Count = 0
    moderate_atrophic: Count = 0
    punched_out_shallow: Count = 0
    broad_shallow: Count = 0
    punched_out_deep_normal_base: Count = 0
    punched_out_deep_abnormal_base: Count = 0
    linear_troughed: Count = 0
    broad_deep: Count = 0
    papular: Count = 0


class GBQuantitativeInput(StrictModel):
    region: Region = "face"
    counts: GBQuantitativeCounts = Field(default_factory=GBQuantitativeCounts)
    hypertrophic_area_cm2: Annotated[float, Field(ge=0, allow_inf_nan=False)] = 0.0


class GBQuantitativeItem(BaseModel):
    model_config = ConfigDict(frozen=True)
    item: str
    count: int
    points: int
    factor: int
    score: int


class HypertrophicItem(BaseModel):
    model_config = ConfigDict(frozen=True)
    item: Literal["hypertrophic"] = "hypertrophic"
    area_cm2: float
    score: int


class GBQuantitativeResult(ScoreResult):
    scale: Literal["gb-quantitative"] = "gb-quantitative"
    region: Region
    items: list[GBQuantitativeItem | HypertrophicItem]


# --- ECCA --------------------------------------------------------------------------------------


class EccaCounts(StrictModel):
    icepick_v: Count = 0
    boxcar_u: Count = 0
    rolling_m: Count = 0
    elastolysis: Count = 0
    hypertrophic_recent: Count = 0
    keloid_or_old_hypertrophic: Count = 0


class EccaInput(StrictModel):
    counts: EccaCounts = Field(default_factory=EccaCounts)


class EccaItem(BaseModel):
    model_config = ConfigDict(frozen=True)
    item: str
    count: int
    weight: int
    count_score: int
    score: int


class EccaResult(ScoreResult):
    scale: Literal["ecca"] = "ecca"
    items: list[EccaItem]


# --- Goodman & Baron qualitative --------------------------------------------------------------


class GBQualitativeInput(StrictModel):
    contour: Literal["none", "atrophic", "hypertrophic", "both"]
    colour_marks: bool | None = None
    obvious_at_50cm: bool | None = None
    easily_concealed: bool | None = None
    atrophic_flatten_on_stretch: bool | None = None
    hypertrophy_significant: bool | None = None


class GBQualitativeStep(BaseModel):
    model_config = ConfigDict(frozen=True)
    item: str
    value: str | bool
    rule: str
    grade: int | None = None


class GBQualitativeResult(ScoreResult):
    scale: Literal["gb-qualitative"] = "gb-qualitative"
    label: Literal["no scarring", "macular", "mild", "moderate", "severe"]
    items: list[GBQualitativeStep]


# --- SCAR-S ------------------------------------------------------------------------------------

SiteRating = Annotated[int, Field(ge=0, le=5)]


class ScarSInput(StrictModel):
    face: SiteRating | None = None
    chest: SiteRating | None = None
    back: SiteRating | None = None


class ScarSItem(BaseModel):
    model_config = ConfigDict(frozen=True)
    item: Literal["face", "chest", "back"]
    score: int
    label: str


class ScarSResult(ScoreResult):
    scale: Literal["scar-s"] = "scar-s"
    items: list[ScarSItem]
    label: str
    clinically_relevant: list[str]


# --- Fitzpatrick -------------------------------------------------------------------------------

Answer = Annotated[int, Field(ge=0, le=4)]


class FitzpatrickAnswers(StrictModel):
    eye_colour: Answer
    hair_colour: Answer
    skin_colour: Answer
    freckles: Answer
    sun_reaction: Answer
    tanning: Answer
    tan_depth: Answer
    face_sensitivity: Answer


class FitzpatrickInput(StrictModel):
    answers: FitzpatrickAnswers
    questionnaire_version: Literal["scf-8-item"] = "scf-8-item"


class FitzpatrickItem(BaseModel):
    model_config = ConfigDict(frozen=True)
    item: str
    score: int


class FitzpatrickResult(ScoreResult):
    scale: Literal["fitzpatrick"] = "fitzpatrick"
    items: list[FitzpatrickItem]
    type: int
    type_roman: Literal["I", "II", "III", "IV", "V", "VI"]
    questionnaire_version: Literal["scf-8-item"]
