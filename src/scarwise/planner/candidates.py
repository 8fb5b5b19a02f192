"""The treatments considered for a person's targets, and how options are ranked against each other.

Ranking is a transparent heuristic ([D]): points per indication line, a bonus for what the person
prefers, a penalty by the risk of dark marks (PIH) for skin prone to them (types IV-VI, or dark or
light patches after earlier procedures); ties go to less downtime, then the lower cost, then the
vocabulary order, so the order is total and plans are reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from scarwise.knowledge.models import Indication, Treatment
from scarwise.knowledge.vocabulary import PHASE_KEYS, TREATMENT_IDS
from scarwise.planner.index import KBIndex

__all__ = [
    "LINE_WEIGHT",
    "PHASE_RANK",
    "PIH_PENALTY",
    "PREFERENCE_BONUS",
    "Candidate",
    "RankKey",
    "consider",
    "pih_matters",
    "rank_key",
]

#: Points per indication line when ranking options of one group (a transparent heuristic, [D]).
LINE_WEIGHT: Final = {"first": 10, "add-on": 4, "alternative": 1}
#: Ranking penalty by PIH risk for PIH-prone skin (types IV-VI or earlier pigment change) (clinical-facts §4.3 and §7 fact 7: fully
#: ablative > fractional ablative ~ non-ablative fractional > picosecond/RF microneedling/needling).
PIH_PENALTY: Final = {"none": 0, "low": 0, "moderate": 6, "high": 12, "very_high": 18}
#: Points for a treatment the person prefers.
PREFERENCE_BONUS: Final = 8

#: Phase key -> its place in a plan.
PHASE_RANK: Final = {key: i for i, key in enumerate(PHASE_KEYS)}

_ORDER: Final = {tid: i for i, tid in enumerate(TREATMENT_IDS)}

RankKey = tuple[int, int, int, int]


def pih_matters(fitzpatrick: int, pigment_change: bool = False) -> bool:
    """Whether the PIH penalty applies: skin types IV-VI (clinical-facts §4.3), or dark or light
    patches after earlier procedures or injuries."""
    return fitzpatrick >= 4 or pigment_change


@dataclass(slots=True)
class Candidate:
    """A treatment considered for this person: the targets it fits and how strongly."""

    treatment: Treatment
    lines: dict[str, str] = field(default_factory=dict)  # target -> line
    notes: list[Indication] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.treatment.id

    @property
    def recommended(self) -> bool:
        """Has a first-line or add-on indication for one of the person's targets."""
        return any(line != "alternative" for line in self.lines.values())

    def score(self, pih: bool, preferred: bool) -> int:
        """The ranking score: line weights, preference bonus, PIH penalty when ``pih`` (the skin
        is prone to dark marks, :func:`pih_matters`)."""
        points = sum(LINE_WEIGHT[line] for line in self.lines.values())
        if preferred:
            points += PREFERENCE_BONUS
        if pih:
            points -= PIH_PENALTY[self.treatment.pih_risk.level]
        return points


def rank_key(candidate: Candidate, pih: bool, prefers: frozenset[str]) -> RankKey:
    """Sort key (best first): higher score, then less downtime, then lower cost, then vocabulary order."""
    t = candidate.treatment
    return (
        -candidate.score(pih, t.id in prefers),
        t.downtime_days.range[1],
        t.cost.range_usd[0],
        _ORDER[t.id],
    )


def consider(index: KBIndex, targets: tuple[str, ...]) -> dict[str, Candidate]:
    """Every treatment with an indication for one of ``targets``, by id, in phase order then id.

    Pure: the candidates depend on the targets alone, never on the rest of the profile (safety,
    limits and preferences are applied later), so they may be shared between plans and must not
    be changed once built.
    """
    candidates: dict[str, Candidate] = {}
    for target in targets:
        for treatment, ind in index.by_target.get(target, ()):
            cand = candidates.get(treatment.id)
            if cand is None:
                cand = candidates[treatment.id] = Candidate(treatment)
            cand.lines[target] = ind.line
            cand.notes.append(ind)
    ordered = sorted(candidates, key=lambda tid: (PHASE_RANK[candidates[tid].treatment.phase], tid))
    return {tid: candidates[tid] for tid in ordered}
