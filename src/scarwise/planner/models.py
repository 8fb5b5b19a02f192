"""The profile a plan is made for and the plan itself (``shared/contracts/profile.md``).

:class:`Profile` is strict: unknown fields, unknown treatment ids, ``false`` where a number is
expected and out-of-range values are all errors, and every problem is listed at once
(:class:`scarwise.ProfileError`). :class:`Plan` is the ``plan/1`` object: the ``--json`` output,
the ``/api/v1/plan`` response and the report's context.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from scarwise.knowledge.vocabulary import TREATMENT_IDS, Target
from scarwise.results import Result, StrictModel

__all__ = [
    "Budget",
    "Evidence",
    "Exclusion",
    "Phase",
    "Plan",
    "PlanReference",
    "Profile",
    "ProfileMarks",
    "ProfileScars",
    "Recommendation",
    "Referral",
    "Region",
    "TreatmentId",
]

_KNOWN_IDS = frozenset(TREATMENT_IDS)


def _known_treatment(value: str) -> str:
    if value not in _KNOWN_IDS:
        raise ValueError("a treatment id from treatments.txt (list them with 'scarwise kb show')")
    return value


TreatmentId = Annotated[
    str,
    AfterValidator(_known_treatment),
    Field(json_schema_extra={"enum": list(TREATMENT_IDS)}),
]
Count = Annotated[int, Field(ge=0, description="number of scars of this type (an integer ≥ 0)")]


Region = Literal["face", "chest", "back", "other"]


def _face() -> list[Region]:
    return ["face"]


class ProfileScars(StrictModel):
    """Scar counts by type in the assessed regions."""

    icepick: Count = 0
    boxcar_shallow: Count = 0
    boxcar_deep: Count = 0
    rolling: Count = 0
    hypertrophic: Count = 0
    keloid: Count = 0
    papular: Count = 0


class ProfileMarks(StrictModel):
    """Flat colour changes (no change in contour)."""

    erythema: bool = False
    hyperpigmentation: bool = False
    hypopigmentation: bool = False


class Profile(StrictModel):
    """A person's scars, skin type, safety factors and wishes (``contracts/profile.md``)."""

    age: Annotated[int, Field(ge=12, le=120, description="years")]
    sex: Literal["female", "male", "other", "unknown"] = "unknown"
    fitzpatrick: Annotated[
        int, Field(ge=1, le=6, description="skin phototype from the questionnaire")
    ]
    scars: ProfileScars = Field(default_factory=ProfileScars)
    marks: ProfileMarks = Field(default_factory=ProfileMarks)
    regions: list[Region] = Field(default_factory=_face)
    active_acne: Literal["none", "mild", "moderate", "severe"] = "none"
    isotretinoin: Literal[
        "never", "current", "stopped_within_6_months", "stopped_over_6_months"
    ] = "never"
    pregnant_or_breastfeeding: bool = False
    keloid_history: bool = False
    herpes_labialis_history: bool = False
    anticoagulants: bool = False
    bdd_screen_positive: bool = False
    budget_usd: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    max_downtime_days: Annotated[int, Field(ge=0)] | None = None
    prefers: list[TreatmentId] = Field(default_factory=list)
    avoids: list[TreatmentId] = Field(default_factory=list)


# --- the plan ------------------------------------------------------------------------------------


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Evidence(_Out):
    """How strong the evidence is and where it comes from."""

    level: str
    references: list[str]
    certainty: Literal["verified", "secondary", "memory", "derived"]


class Recommendation(_Out):
    """One treatment in a phase, with why, how sure, and what it costs in sessions, time and money."""

    treatment: str
    name: str
    targets: list[Target]
    rationale: str
    evidence: Evidence
    sessions: list[int] | None = Field(
        description="[low, high] number of sessions; null for ongoing home care"
    )
    interval_weeks: list[int] | None = Field(description="[low, high] weeks between sessions")
    downtime_days: list[int] = Field(description="[low, high] days of visible recovery per session")
    cost_usd: list[int] = Field(
        description="[low, high] estimated US$ for the course; an estimate, never a quote"
    )
    cost_source_year: int
    cautions: list[str]
    setting: Literal["home", "clinic"]
    alternatives: list[str] = Field(
        default_factory=list, description="ids of similar options, in rank order"
    )


class Phase(_Out):
    """A step of the plan; phases are listed in the order they are done."""

    order: int
    key: str
    name: str
    starts_after_weeks: int
    purpose: str
    recommendations: list[Recommendation]


class Exclusion(_Out):
    """A treatment that is not in the plan, and why."""

    treatment: str
    reason: str
    references: list[str]
    kind: Literal["contraindication", "avoided", "downtime", "budget"]
    rules: list[str] = Field(default_factory=list)


class Referral(_Out):
    """Who to see, and why."""

    to: str
    reason: str


class Budget(_Out):
    """How the plan's estimated cost compares with the budget."""

    budget_usd: float | None
    estimated_total_usd: list[int]
    cost_source_years: list[int]
    note: str


class PlanReference(_Out):
    """A full citation for a reference id used in the plan."""

    id: str
    citation: str
    doi: str | None = None
    pmid: str | None = None
    url: str | None = None


class Plan(Result):
    """The ``plan/1`` object (``contracts/profile.md``)."""

    schema_: str = Field(default="plan/1", alias="schema", serialization_alias="schema")
    knowledge_base_version: str
    summary: str
    phases: list[Phase]
    excluded: list[Exclusion]
    referrals: list[Referral]
    warnings: list[str]
    prevention: list[str]
    budget: Budget
    references: list[PlanReference]
    disclaimer: str = Field(min_length=1)
