"""The profile a plan is made for and the plan itself (``shared/contracts/profile.md``).

:class:`Profile` is strict: unknown fields, unknown treatment ids, ``false`` where a number is
expected and out-of-range values are all errors, and every problem is listed at once
(:class:`scarwise.ProfileError`). :class:`Plan` is the ``plan/1`` object: the ``--json`` output,
the ``/api/v1/plan`` response and the report's context.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, model_validator

from scarwise.errors import Problem
from scarwise.knowledge.vocabulary import SCAR_TYPES, TREATMENT_IDS, Target
from scarwise.results import Result, StrictModel

__all__ = [
    "HEALTH_FLAGS",
    "Budget",
    "Evidence",
    "Exclusion",
    "HealthFlag",
    "NotChosen",
    "Phase",
    "Plan",
    "PlanReference",
    "Profile",
    "ProfileMarks",
    "ProfileScars",
    "Recommendation",
    "Referral",
    "Region",
    "ScarType",
    "TreatmentId",
    "profile_problems",
]

_KNOWN_IDS = frozenset(TREATMENT_IDS)

#: The optional yes/no health fields of the profile (``contracts/profile.md``), each a field of
#: :class:`Profile` of the same name.
HealthFlag = Literal[
    "photosensitising_drugs",
    "recent_tan",
    "vitiligo_or_koebner",
    "immunosuppressed",
    "smoker",
    "pigment_change_after_procedures",
    "lidocaine_allergy",
    "bovine_collagen_allergy",
    "permanent_filler_in_area",
    "implanted_electronic_device",
]
HEALTH_FLAGS: tuple[str, ...] = get_args(HealthFlag)


def _known_treatment(value: str) -> str:
    if value not in _KNOWN_IDS:
        raise ValueError("a treatment id from treatments.txt (list them with 'scarwise kb show')")
    return value


TreatmentId = Annotated[
    str,
    AfterValidator(_known_treatment),
    Field(json_schema_extra={"enum": list(TREATMENT_IDS)}),
]
#: More scars of one type than this is taken for a typing error.
MAX_COUNT = 1000
Count = Annotated[
    int,
    Field(ge=0, le=MAX_COUNT, description="number of scars of this type (an integer 0-1000)"),
]


Region = Literal["face", "chest", "back", "other"]
ScarType = Literal[
    "icepick", "boxcar_shallow", "boxcar_deep", "rolling", "hypertrophic", "keloid", "papular"
]
Pregnancy = Literal["none", "pregnant", "breastfeeding", "trying_to_conceive"]
Isotretinoin = Literal["never", "current", "stopped_within_6_months", "stopped_over_6_months"]
Months = Annotated[float, Field(ge=0, le=1200, allow_inf_nan=False)]


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
    """A person's scars, skin type, safety factors and wishes (``contracts/profile.md``).

    Fields that say the same thing twice must agree (:func:`profile_problems`); after validation
    ``pregnancy`` and ``pregnant_or_breastfeeding`` always agree, and ``isotretinoin`` is filled
    in from ``isotretinoin_months_since_stop`` when only the months were given.
    """

    age: Annotated[int, Field(ge=12, le=120, description="years")]
    sex: Literal["female", "male", "other", "unknown"] = "unknown"
    fitzpatrick: Annotated[
        int, Field(ge=1, le=6, description="skin phototype from the questionnaire")
    ]
    scars: ProfileScars = Field(default_factory=ProfileScars)
    marks: ProfileMarks = Field(default_factory=ProfileMarks)
    regions: list[Region] = Field(default_factory=_face)
    active_acne: Literal["none", "mild", "moderate", "severe"] = "none"
    isotretinoin: Isotretinoin = "never"
    pregnant_or_breastfeeding: bool = Field(
        default=False, description="older form of `pregnancy`: true means pregnant"
    )
    keloid_history: bool = False
    herpes_labialis_history: bool = False
    anticoagulants: bool = False
    bdd_screen_positive: bool = False
    budget_usd: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    max_downtime_days: Annotated[int, Field(ge=0)] | None = None
    prefers: list[TreatmentId] = Field(default_factory=list)
    avoids: list[TreatmentId] = Field(default_factory=list)
    pregnancy: Pregnancy = "none"
    isotretinoin_months_since_stop: Months | None = Field(
        default=None, description="months since the last isotretinoin dose"
    )
    photosensitising_drugs: bool = Field(default=False, description="e.g. doxycycline")
    recent_tan: bool = Field(default=False, description="sun tan or self-tan in the last 4 weeks")
    vitiligo_or_koebner: bool = Field(
        default=False, description="vitiligo, psoriasis or other Koebner-prone skin"
    )
    immunosuppressed: bool = False
    smoker: bool = False
    pigment_change_after_procedures: bool = Field(
        default=False, description="dark or light patches after earlier procedures or injuries"
    )
    lidocaine_allergy: bool = False
    bovine_collagen_allergy: bool = False
    permanent_filler_in_area: bool = Field(
        default=False, description="silicone, PMMA or other permanent filler in the scarred area"
    )
    implanted_electronic_device: bool = Field(
        default=False, description="pacemaker, implanted defibrillator"
    )
    scar_sites: dict[ScarType, list[Region]] | None = Field(
        default=None,
        description="where each scar type is; by default every type in every region of `regions`",
    )
    scar_age_months: Months | None = Field(
        default=None, description="age of the youngest scars or marks, in months"
    )
    distensible: Literal["yes", "no", "unknown"] = Field(
        default="unknown",
        description="stretch test: do the atrophic scars flatten when the skin is stretched",
    )

    @model_validator(mode="after")
    def _agree(self, info: ValidationInfo) -> Profile:
        """Refuse fields that disagree (unless the caller already listed them); fill in the
        older and newer forms of the same answer from each other."""
        given = self.model_fields_set
        if not (isinstance(info.context, Mapping) and info.context.get("cross_checked")):
            problems = profile_problems(self.model_dump(include=given))
            if problems:
                raise ValueError("; ".join(p.sentence() for p in problems))
        if "pregnancy" not in given and self.pregnant_or_breastfeeding:
            object.__setattr__(self, "pregnancy", "pregnant")
        object.__setattr__(self, "pregnant_or_breastfeeding", self.pregnancy != "none")
        months = self.isotretinoin_months_since_stop
        if "isotretinoin" not in given and months is not None:
            status = "stopped_within_6_months" if months < 6 else "stopped_over_6_months"
            object.__setattr__(self, "isotretinoin", status)
        return self

    def sites(self, scar_type: str) -> tuple[str, ...]:
        """The regions where ``scar_type`` is (every region of ``regions`` when not given)."""
        if self.scar_sites is not None and scar_type in self.scar_sites:
            return tuple(self.scar_sites[scar_type])
        return tuple(self.regions)


def profile_problems(data: Mapping[str, Any]) -> list[Problem]:
    """What is wrong across the fields of a profile (a dict as read from a file), every problem.

    Each check runs only on fields that are present and of the right shape, so this can list the
    cross-field problems of a profile whose other fields are wrong too: ``prefers`` and ``avoids``
    naming the same treatment; ``pregnancy`` disagreeing with ``pregnant_or_breastfeeding``;
    ``isotretinoin_months_since_stop`` disagreeing with ``isotretinoin``; a scar site outside
    ``regions``; a scar type with scars but no site.
    """
    problems: list[Problem] = []
    prefers, avoids = data.get("prefers"), data.get("avoids")
    if isinstance(prefers, list) and isinstance(avoids, list):
        preferred = {p for p in prefers if isinstance(p, str)}
        for i, tid in enumerate(avoids):
            if isinstance(tid, str) and tid in preferred:
                problems.append(Problem(f"avoids.{i}", "a treatment not also in prefers", tid))
    pregnancy, legacy = data.get("pregnancy"), data.get("pregnant_or_breastfeeding")
    if isinstance(pregnancy, str) and isinstance(legacy, bool) and (pregnancy != "none") != legacy:
        problems.append(
            Problem(
                "pregnant_or_breastfeeding",
                f"a value agreeing with pregnancy={pregnancy!r} "
                f"({str(pregnancy != 'none').lower()}), or leave it out",
                legacy,
            )
        )
    months, status = data.get("isotretinoin_months_since_stop"), data.get("isotretinoin")
    if isinstance(months, int | float) and not isinstance(months, bool) and months is not None:
        agrees = {
            "never": False,
            "current": False,
            "stopped_within_6_months": months <= 6,
            "stopped_over_6_months": months >= 6,
        }
        if isinstance(status, str) and status in agrees and not agrees[status]:
            problems.append(
                Problem(
                    "isotretinoin_months_since_stop",
                    f"no months since stopping when isotretinoin is {status!r}"
                    if status in ("never", "current")
                    else f"months agreeing with isotretinoin={status!r}",
                    months,
                )
            )
    sites, regions = data.get("scar_sites"), data.get("regions", ["face"])
    if isinstance(sites, Mapping) and isinstance(regions, list):
        scars = data.get("scars")
        for kind, where in sites.items():
            if not isinstance(where, list):
                continue
            for i, region in enumerate(where):
                if isinstance(region, str) and region not in regions:
                    problems.append(
                        Problem(f"scar_sites.{kind}.{i}", "a region listed in regions", region)
                    )
            count = scars.get(kind) if isinstance(scars, Mapping) else None
            if not where and isinstance(count, int) and count > 0 and kind in SCAR_TYPES:
                problems.append(
                    Problem(
                        f"scar_sites.{kind}", "at least one region for a scar type you have", []
                    )
                )
    return problems


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
    starts_after_weeks: int | None = Field(
        default=None,
        description="weeks from the start of the plan before this may start, when later than "
        "its phase (for example while acne is controlled or a tan fades); null: with its phase",
    )


class Phase(_Out):
    """A step of the plan; phases are listed in the order they are done."""

    order: int
    key: str
    name: str
    starts_after_weeks: int
    purpose: str
    recommendations: list[Recommendation]


class NotChosen(_Out):
    """A treatment the person preferred that is not recommended, and why."""

    treatment: str
    reason: str


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
    urgent: list[str] = Field(
        default_factory=list,
        description="what needs action now rather than a plan, shown before anything else; "
        "usually empty",
    )
    summary: str
    phases: list[Phase]
    excluded: list[Exclusion]
    not_chosen: list[NotChosen] = Field(
        default_factory=list,
        description="treatments the person preferred that are not recommended, with the reason",
    )
    referrals: list[Referral]
    warnings: list[str]
    prevention: list[str]
    budget: Budget
    references: list[PlanReference]
    disclaimer: str = Field(min_length=1)
