"""The knowledge base as strict pydantic models: treatments, references, rules, scar types, prevention.

Every model forbids unknown keys and is strict (``false`` is never ``0``), so a typo in a data file
is a load error, never a silent default. Every clinical number is a :class:`CitedRange` carrying its
reference ids and certainty (``verified``/``secondary``/``memory``/``derived`` =
[V]/[S]/[M]/[D] in ``shared/research/clinical-facts.md``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from scarwise.knowledge.vocabulary import PhaseKey, Target

__all__ = [
    "FACT_VALUES",
    "Certainty",
    "CitedRange",
    "CitedText",
    "Cost",
    "Evidence",
    "Expectations",
    "Indication",
    "KnowledgeBase",
    "PhaseDef",
    "PihRisk",
    "PreventionTip",
    "Reference",
    "Requirement",
    "Rule",
    "ScarSize",
    "ScarType",
    "Treatment",
]

Certainty = Literal["verified", "secondary", "memory", "derived"]
RefIds = Annotated[list[str], Field(min_length=1)]
NonNeg = Annotated[int, Field(ge=0)]

#: Facts a rule's ``when`` may test, with their possible values (computed by
#: :func:`scarwise.planner.rules.facts_for` and, independently, by
#: :func:`scarwise.planner.safety.safety_facts`; the property tests compare the two).
FACT_VALUES: dict[str, tuple[object, ...]] = {
    "isotretinoin": ("never", "current", "stopped_within_6_months", "stopped_over_6_months"),
    "on_isotretinoin": (True, False),
    # the last dose less than a month ago (taking it now, or months since stopping < 1)
    "isotretinoin_within_1_month": (True, False),
    "active_acne": ("none", "mild", "moderate", "severe"),
    "fitzpatrick": (1, 2, 3, 4, 5, 6),
    # skin type IV-VI or dark/light patches after earlier procedures or injuries
    "pih_prone": (True, False),
    "pregnancy": ("none", "pregnant", "breastfeeding", "trying_to_conceive"),
    "pregnant_or_breastfeeding": (True, False),
    "keloid_history": (True, False),
    "keloid_tendency": (True, False),
    "raised_scars": (True, False),
    "severe_atrophic": (True, False),
    "herpes_labialis_history": (True, False),
    "anticoagulants": (True, False),
    "bdd_screen_positive": (True, False),
    "minor": (True, False),
    "age_over_21": (True, False),
    "hypopigmentation": (True, False),
    # scars (by ``scar_sites``) on the chest or back
    "trunk": (True, False),
    # atrophic scars (by ``scar_sites``) on the face, where fillers are studied and approved
    "atrophic_on_face": (True, False),
    "distensible": ("yes", "no", "unknown"),
    # the youngest scars or marks are under 6 months old
    "scars_recent": (True, False),
    "photosensitising_drugs": (True, False),
    "recent_tan": (True, False),
    "vitiligo_or_koebner": (True, False),
    "immunosuppressed": (True, False),
    "smoker": (True, False),
    "lidocaine_allergy": (True, False),
    "bovine_collagen_allergy": (True, False),
    "permanent_filler_in_area": (True, False),
    "implanted_electronic_device": (True, False),
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class CitedRange(_Strict):
    """A ``[low, high]`` clinical number with its references and certainty."""

    range: Annotated[list[NonNeg], Field(min_length=2, max_length=2)]
    references: RefIds
    certainty: Certainty

    @model_validator(mode="after")
    def _ordered(self) -> CitedRange:
        if self.range[0] > self.range[1]:
            raise ValueError(f"range low > high: {self.range}")
        return self

    @property
    def pair(self) -> tuple[int, int]:
        return (self.range[0], self.range[1])


class CitedText(_Strict):
    """A sentence with its references and certainty."""

    text: str = Field(min_length=1)
    references: RefIds
    certainty: Certainty


class Cost(_Strict):
    """An estimated US$ price per session or per month, with the year of its source."""

    per: Literal["session", "month"]
    range_usd: Annotated[list[NonNeg], Field(min_length=2, max_length=2)]
    year: Annotated[int, Field(ge=2000, le=2100)]
    references: RefIds
    certainty: Certainty

    @model_validator(mode="after")
    def _ordered(self) -> Cost:
        if self.range_usd[0] > self.range_usd[1]:
            raise ValueError(f"range_usd low > high: {self.range_usd}")
        return self


class Evidence(_Strict):
    level: str = Field(min_length=1)
    references: RefIds
    certainty: Certainty


class PihRisk(_Strict):
    """Risk of post-inflammatory hyperpigmentation in darker skin (clinical-facts §4.3)."""

    level: Literal["none", "low", "moderate", "high", "very_high"]
    references: RefIds
    certainty: Certainty


class Indication(_Strict):
    """A scar type or mark a treatment fits, how strongly (``line``), and why."""

    target: Target
    line: Literal["first", "add-on", "alternative"]
    note: str = Field(min_length=1)
    references: RefIds
    certainty: Certainty


class Requirement(_Strict):
    """When a treatment suits someone at all (not a safety rule): every ``when`` test must pass.

    A treatment whose requirement fails is not chosen and, if the person preferred it, the plan
    says why with ``text``.
    """

    when: dict[str, list[str | int | bool]]
    text: str = Field(min_length=1)


class Treatment(_Strict):
    """One treatment of ``contracts/treatments.txt``."""

    id: str
    name: str = Field(min_length=1)
    plain: str = Field(min_length=1)
    mechanism: str = Field(min_length=1)
    phase: PhaseKey
    group: str | None = None
    setting: Literal["home", "clinic"]
    procedure: bool
    essential: bool = False
    indications: Annotated[list[Indication], Field(min_length=1)]
    sessions: CitedRange | None
    interval_weeks: CitedRange | None
    duration_months: CitedRange | None = None
    downtime_days: CitedRange
    cost: Cost
    evidence: Evidence
    pih_risk: PihRisk
    cautions: list[CitedText]
    requires: Requirement | None = None

    @model_validator(mode="after")
    def _cost_basis(self) -> Treatment:
        if self.cost.per == "session" and self.sessions is None:
            raise ValueError("cost per session needs `sessions`")
        if self.cost.per == "month" and self.duration_months is None:
            raise ValueError("cost per month needs `duration_months`")
        return self


class Reference(_Strict):
    """A full citation; DOI, PMID or PMCID where the research note has them."""

    id: str = Field(min_length=1)
    citation: str = Field(min_length=1)
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    url: str | None = None
    read: str = Field(min_length=1)


class Rule(_Strict):
    """A contraindication, caution, deferral, warning, urgent message or referral rule
    (see ``data/rules.yaml``)."""

    id: str = Field(min_length=1)
    effect: Literal["exclude", "caution", "defer", "warn", "urgent", "refer"]
    when: dict[str, list[str | int | bool]]
    treatments: list[str]
    trigger: Literal["always", "planned", "considered"] | None = None
    to: str | None = None
    weeks: Annotated[int, Field(ge=1, le=104)] | None = None
    text: str = Field(min_length=1)
    references: RefIds
    certainty: Certainty

    @model_validator(mode="after")
    def _shape(self) -> Rule:
        if (self.effect == "defer") != (self.weeks is not None):
            raise ValueError("`weeks` is required for defer rules and only for them")
        if self.effect in {"exclude", "caution", "defer"}:
            if not self.treatments:
                raise ValueError(f"an {self.effect} rule needs `treatments`")
            if self.trigger is not None:
                raise ValueError(f"an {self.effect} rule takes no `trigger`")
        elif self.trigger is None:
            raise ValueError(
                f"a {self.effect} rule needs `trigger` (always, planned or considered)"
            )
        elif self.trigger != "always" and not self.treatments:
            raise ValueError(f"trigger {self.trigger!r} needs `treatments`")
        if (self.effect == "refer") != (self.to is not None):
            raise ValueError("`to` is required for refer rules and only for them")
        return self


class ScarSize(CitedText):
    pass


class ScarType(_Strict):
    """A scar type or flat mark: what it is, how it forms, how to recognise it, what fits."""

    id: Target
    name: str = Field(min_length=1)
    kind: Literal["atrophic", "raised", "mark"]
    plain: str = Field(min_length=1)
    recognise: str = Field(min_length=1)
    forms: str = Field(min_length=1)
    size: ScarSize
    fits: list[str]
    note: str = Field(min_length=1)


class PreventionTip(_Strict):
    id: str = Field(min_length=1)
    text: str = Field(min_length=1)
    references: RefIds
    certainty: Certainty


class PhaseDef(_Strict):
    key: PhaseKey
    name: str = Field(min_length=1)
    purpose: str = Field(min_length=1)
    gap_weeks: CitedRange


class Expectations(CitedText):
    pass


class KnowledgeBase(BaseModel):
    """The loaded, cross-checked knowledge base (build it with :func:`load_knowledge_base`)."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    version: str
    disclaimer: str
    expectations: Expectations
    phases: tuple[PhaseDef, ...]
    treatments: dict[str, Treatment]
    references: dict[str, Reference]
    rules: tuple[Rule, ...]
    scar_types: dict[str, ScarType]
    prevention: tuple[PreventionTip, ...]
