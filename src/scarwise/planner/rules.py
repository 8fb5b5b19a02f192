"""Transparent predicates: the facts of a profile, which rules hold, and how options are ranked.

Hand-written on purpose (STYLE §7: plain Python predicates; durable-rules and experta are stale):
every rule is data in ``knowledge/data/rules.yaml`` and its ``when`` is a conjunction of
``fact in {values}`` tests over the facts computed here, so anyone can read why a rule fired.

The tables derived from a knowledge base (rules by effect, indications by target) are computed
once per knowledge-base version (:func:`index_for`), which keeps planning well under a
millisecond.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from scarwise.knowledge.models import Indication, KnowledgeBase, Rule, Treatment
from scarwise.knowledge.vocabulary import MARK_TYPES, PHASE_KEYS, SCAR_TYPES, TREATMENT_IDS
from scarwise.planner.models import Evidence, PlanReference, Profile, Referral

__all__ = [
    "LINE_WEIGHT",
    "PIH_PENALTY",
    "Candidate",
    "CompiledRule",
    "Facts",
    "KBIndex",
    "facts_for",
    "fired_rules",
    "index_for",
    "present_targets",
    "rank_key",
]

Facts = Mapping[str, object]

#: Points per indication line when ranking options of one group (a transparent heuristic, [D]).
LINE_WEIGHT: Final = {"first": 10, "add-on": 4, "alternative": 1}
#: Ranking penalty by PIH risk for skin types IV-VI (clinical-facts §4.3 and §7 fact 7: fully
#: ablative > fractional ablative ~ non-ablative fractional > picosecond/RF microneedling/needling).
PIH_PENALTY: Final = {"none": 0, "low": 0, "moderate": 6, "high": 12, "very_high": 18}
PREFERENCE_BONUS: Final = 8
_ORDER: Final = {tid: i for i, tid in enumerate(TREATMENT_IDS)}


def facts_for(profile: Profile) -> dict[str, object]:
    """The facts rules test, computed from a profile (names match ``FACT_VALUES``)."""
    scars = profile.scars
    raised = scars.hypertrophic > 0 or scars.keloid > 0
    return {
        "isotretinoin": profile.isotretinoin,
        "active_acne": profile.active_acne,
        "fitzpatrick": profile.fitzpatrick,
        "pregnant_or_breastfeeding": profile.pregnant_or_breastfeeding,
        "keloid_history": profile.keloid_history,
        # Papular scars correlate with keloids: treat them as a keloid-risk marker (§4.4, R4 [V]).
        "keloid_tendency": profile.keloid_history or raised or scars.papular > 0,
        "raised_scars": raised,
        # Icepick and deep punched-out scars are Goodman-Baron grade-4 examples (§2.1 [M]).
        "severe_atrophic": scars.icepick > 0 or scars.boxcar_deep > 0,
        "herpes_labialis_history": profile.herpes_labialis_history,
        "anticoagulants": profile.anticoagulants,
        "bdd_screen_positive": profile.bdd_screen_positive,
        "age_over_21": profile.age > 21,
        "hypopigmentation": profile.marks.hypopigmentation,
        # Hypertrophic scars are more common on the chest and back (clinical-facts §1.2 [S]).
        "trunk": "chest" in profile.regions or "back" in profile.regions,
    }


def present_targets(profile: Profile) -> tuple[str, ...]:
    """The plan targets this profile has, in vocabulary order, always ending with ``all``."""
    scars = profile.scars.model_dump()
    marks = profile.marks.model_dump()
    found = [t for t in SCAR_TYPES if scars[t] > 0]
    found += [m for m in MARK_TYPES if marks[m]]
    if profile.active_acne != "none":
        found.append("active_acne")
    found.append("all")
    return tuple(found)


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """A rule with its ``when`` as ``(fact, allowed values)`` pairs and its treatments as a set."""

    rule: Rule
    tests: tuple[tuple[str, frozenset[object]], ...]
    treatments: frozenset[str]

    def holds(self, facts: Facts) -> bool:
        return all(facts[fact] in allowed for fact, allowed in self.tests)


@dataclass(frozen=True, slots=True)
class KBIndex:
    """Tables derived once from a knowledge base."""

    kb: KnowledgeBase
    by_effect: Mapping[str, tuple[CompiledRule, ...]]
    by_target: Mapping[str, tuple[tuple[Treatment, Indication], ...]]
    phase_rank: Mapping[str, int]
    evidence: Mapping[str, Evidence]
    references: Mapping[str, PlanReference]  # in the knowledge base's order
    referrals: Mapping[str, Referral]  # refer rule id -> its referral


_INDEX_CACHE: dict[str, KBIndex] = {}
_FIRED_CACHE: dict[tuple[object, ...], Mapping[str, tuple[CompiledRule, ...]]] = {}
_FIRED_LIMIT = 20_000


def fired_rules(index: KBIndex, facts: Facts) -> Mapping[str, tuple[CompiledRule, ...]]:
    """The rules whose ``when`` holds for ``facts``, by effect (memoised: the fact space is small)."""
    key = (index.kb.version, *sorted(facts.items()))
    cached = _FIRED_CACHE.get(key)
    if cached is not None:
        return cached
    fired = {
        effect: tuple(c for c in rules if c.holds(facts))
        for effect, rules in index.by_effect.items()
    }
    if len(_FIRED_CACHE) >= _FIRED_LIMIT:
        _FIRED_CACHE.clear()
    _FIRED_CACHE[key] = fired
    return fired


def index_for(kb: KnowledgeBase) -> KBIndex:
    """The derived tables of ``kb``, computed once per knowledge-base version."""
    cached = _INDEX_CACHE.get(kb.version)
    if cached is not None and cached.kb is kb:
        return cached
    by_effect: dict[str, list[CompiledRule]] = {
        "exclude": [],
        "caution": [],
        "warn": [],
        "refer": [],
    }
    for rule in kb.rules:
        tests = tuple((fact, frozenset(values)) for fact, values in rule.when.items())
        by_effect[rule.effect].append(CompiledRule(rule, tests, frozenset(rule.treatments)))
    by_target: dict[str, list[tuple[Treatment, Indication]]] = {}
    for tid in TREATMENT_IDS:
        treatment = kb.treatments[tid]
        for ind in treatment.indications:
            by_target.setdefault(ind.target, []).append((treatment, ind))
    index = KBIndex(
        kb=kb,
        by_effect={k: tuple(v) for k, v in by_effect.items()},
        by_target={k: tuple(v) for k, v in by_target.items()},
        phase_rank={key: i for i, key in enumerate(PHASE_KEYS)},
        evidence={
            t.id: Evidence(
                level=t.evidence.level,
                references=list(t.evidence.references),
                certainty=t.evidence.certainty,
            )
            for t in kb.treatments.values()
        },
        referrals={
            rule.id: Referral(to=rule.to or "dermatologist", reason=rule.text)
            for rule in kb.rules
            if rule.effect == "refer"
        },
        references={
            ref.id: PlanReference(
                id=ref.id,
                citation=ref.citation,
                doi=ref.doi,
                pmid=ref.pmid,
                url=ref.url
                or (
                    f"https://www.ncbi.nlm.nih.gov/pmc/articles/{ref.pmcid}/" if ref.pmcid else None
                ),
            )
            for ref in kb.references.values()
        },
    )
    _INDEX_CACHE[kb.version] = index
    return index


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

    def score(self, fitzpatrick: int, preferred: bool) -> int:
        """The ranking score: line weights, preference bonus, PIH penalty for skin types IV-VI."""
        points = sum(LINE_WEIGHT[line] for line in self.lines.values())
        if preferred:
            points += PREFERENCE_BONUS
        if fitzpatrick >= 4:
            points -= PIH_PENALTY[self.treatment.pih_risk.level]
        return points


def rank_key(
    candidate: Candidate, fitzpatrick: int, prefers: frozenset[str]
) -> tuple[int, int, int, int]:
    """Sort key (best first): higher score, then less downtime, then lower cost, then vocabulary order."""
    t = candidate.treatment
    return (
        -candidate.score(fitzpatrick, t.id in prefers),
        t.downtime_days.range[1],
        t.cost.range_usd[0],
        _ORDER[t.id],
    )
