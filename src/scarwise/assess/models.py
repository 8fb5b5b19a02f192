"""Answers to the guided self-assessment, the question definitions, and the assessment result.

:class:`Answers` is strict like every input: unknown keys and out-of-range values are errors, and
every problem is listed at once.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SerializeAsAny, model_validator

from scarwise.planner.models import (
    HealthFlag,
    Profile,
    ProfileMarks,
    Region,
    TreatmentId,
    _face,
)
from scarwise.results import Result, StrictModel
from scarwise.scales.models import FitzpatrickAnswers, ScoreResult

__all__ = [
    "AnswerScarType",
    "Answers",
    "Assessment",
    "BodyImageAnswers",
    "Choice",
    "Condition",
    "Question",
    "ScarAnswers",
    "Section",
    "VisibilityAnswers",
]

Count = Annotated[int, Field(ge=0, le=1000)]
Months = Annotated[float, Field(ge=0, le=1200, allow_inf_nan=False)]

#: The health conditions the questionnaire's checklist asks about; each one ticked sets the
#: profile field of the same name (``contracts/profile.md``).
Condition = HealthFlag
#: Scar types as the questionnaire counts them (``boxcar`` includes the deep ones).
AnswerScarType = Literal["icepick", "boxcar", "rolling", "hypertrophic", "keloid", "papular"]


class ScarAnswers(StrictModel):
    """Counts by what the person sees; ``boxcar`` is all steep-edged dents, ``boxcar_deep`` the deep ones."""

    icepick: Count = 0
    boxcar: Count = 0
    boxcar_deep: Count = 0
    rolling: Count = 0
    hypertrophic: Count = 0
    keloid: Count = 0
    papular: Count = 0

    @model_validator(mode="after")
    def _deep_within_boxcar(self) -> ScarAnswers:
        if self.boxcar_deep > self.boxcar:
            raise ValueError(
                f"boxcar_deep ({self.boxcar_deep}) cannot exceed boxcar ({self.boxcar})"
            )
        return self


class VisibilityAnswers(StrictModel):
    """The Goodman-Baron qualitative questions, in plain words."""

    obvious_at_50cm: bool | None = None
    easily_concealed: bool | None = None
    flatten_on_stretch: bool | None = None
    hypertrophy_significant: bool | None = None


class BodyImageAnswers(StrictModel):
    """Three screening questions adapted from the BDDQ logic (clinical-facts §4.7)."""

    worried: bool = False
    preoccupied: bool = False
    distress: bool = False


class Answers(StrictModel):
    """Everything the questionnaire asks; also the format of an ``--answers`` file."""

    age: Annotated[int, Field(ge=12, le=120)]
    sex: Literal["female", "male", "other", "unknown"] = "unknown"
    fitzpatrick: FitzpatrickAnswers
    scars: ScarAnswers = Field(default_factory=ScarAnswers)
    raised_scars_recent: bool | None = None
    marks: ProfileMarks = Field(default_factory=ProfileMarks)
    visibility: VisibilityAnswers = Field(default_factory=VisibilityAnswers)
    regions: list[Region] = Field(default_factory=_face)
    active_acne: Literal["none", "mild", "moderate", "severe"] = "none"
    isotretinoin: Literal[
        "never", "current", "stopped_within_6_months", "stopped_over_6_months"
    ] = "never"
    isotretinoin_months_since_stop: Months | None = None
    pregnancy: Literal["none", "pregnant", "breastfeeding", "trying_to_conceive"] | None = None
    pregnant_or_breastfeeding: bool = False
    keloid_history: bool = False
    herpes_labialis_history: bool = False
    anticoagulants: bool = False
    conditions: list[Condition] = Field(default_factory=list)
    scar_sites: dict[AnswerScarType, list[Region]] | None = None
    scar_age_months: Months | None = None
    body_image: BodyImageAnswers = Field(default_factory=BodyImageAnswers)
    budget_usd: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    max_downtime_days: Annotated[int, Field(ge=0)] | None = None
    prefers: list[TreatmentId] = Field(default_factory=list)
    avoids: list[TreatmentId] = Field(default_factory=list)


class Assessment(Result):
    """The ``assessment/1`` object: the profile for ``scarwise plan`` and the scores it allowed."""

    schema_: str = Field(default="assessment/1", alias="schema", serialization_alias="schema")
    profile: Profile
    scores: dict[str, SerializeAsAny[ScoreResult]]
    notes: list[str]


# --- question definitions (data/questions.yaml) ---------------------------------------------------


class _Def(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Choice(_Def):
    value: Any
    label: str


class Question(_Def):
    field: str
    kind: Literal["int", "bool", "choice", "list", "flags", "sites", "money", "days", "months"]
    text: str
    help: str | None = None
    min: int | None = None
    max: int | None = None
    choices: list[Choice] = Field(default_factory=list)
    ask_if: str | None = None
    ask_if_any: list[str] = Field(default_factory=list)
    #: asked only when the answer at each field is one of the listed values
    ask_if_in: dict[str, list[Any]] = Field(default_factory=dict)
    #: asked only when the answer at this field is a list of two or more items
    ask_if_several: str | None = None


class Section(_Def):
    id: str
    title: str
    intro: str | None = None
    questions: list[Question]
