"""The knowledge base compiled for planning: rules by effect, treatments by target, output parts.

A plan reads the knowledge base many times over (which rules can fire, which treatments fit a
target, each treatment's evidence and course cost, each reference's citation). :func:`build_index`
derives those tables once per knowledge base; the evidence, citations and referrals are frozen
output models shared by every plan that uses them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from scarwise.knowledge.models import Indication, KnowledgeBase, Rule, Treatment
from scarwise.knowledge.vocabulary import TARGETS, TREATMENT_IDS
from scarwise.planner.models import Evidence, PlanReference, Referral

__all__ = ["EFFECTS", "KBIndex", "build_index", "course_cost", "target_name"]

#: The effects a rule can have, in the order the planner applies them.
EFFECTS: Final = ("exclude", "caution", "defer", "warn", "urgent", "refer")


@dataclass(frozen=True, slots=True, eq=False)
class KBIndex:
    """Tables derived from one knowledge base (compared and hashed by identity)."""

    kb: KnowledgeBase
    rules: Mapping[str, tuple[Rule, ...]]  # effect -> its rules, in knowledge-base order
    by_target: Mapping[str, tuple[tuple[Treatment, Indication], ...]]  # in vocabulary order
    evidence: Mapping[str, Evidence]  # treatment id -> its evidence, as a plan shows it
    references: Mapping[str, PlanReference]  # in the knowledge base's order
    referrals: Mapping[str, Referral]  # refer rule id -> its referral
    target_names: Mapping[str, str]  # target -> its plain name (:func:`target_name`)
    course_costs: Mapping[str, tuple[int, int]]  # treatment id -> :func:`course_cost`
    prevention_references: frozenset[str]  # reference ids of every prevention tip
    # effect -> (rule, its ``when`` as (fact, allowed values) pairs), in knowledge-base order
    conditions: Mapping[str, tuple[tuple[Rule, tuple[tuple[str, frozenset[object]], ...]], ...]]


_SPECIAL_NAMES: Final = {"active_acne": "active acne", "all": "all skin"}


def target_name(kb: KnowledgeBase, target: str) -> str:
    """Plain name of a target: ``boxcar_shallow`` -> ``shallow boxcar scars``."""
    if target in _SPECIAL_NAMES:
        return _SPECIAL_NAMES[target]
    st = kb.scar_types.get(target)
    return st.name[0].lower() + st.name[1:] if st is not None else target.replace("_", " ")


def course_cost(t: Treatment) -> tuple[int, int]:
    """[low, high] US$ for the course: per-session price x sessions, or per-month x months."""
    lo, hi = t.cost.range_usd
    basis = t.sessions if t.cost.per == "session" else t.duration_months
    n_lo, n_hi = basis.range if basis is not None else (1, 1)
    return (lo * n_lo, hi * n_hi)


def build_index(kb: KnowledgeBase) -> KBIndex:
    """The planning tables of ``kb`` (pure)."""
    by_target: dict[str, list[tuple[Treatment, Indication]]] = {}
    for tid in TREATMENT_IDS:
        treatment = kb.treatments[tid]
        for ind in treatment.indications:
            by_target.setdefault(ind.target, []).append((treatment, ind))
    return KBIndex(
        kb=kb,
        rules={effect: tuple(r for r in kb.rules if r.effect == effect) for effect in EFFECTS},
        by_target={target: tuple(pairs) for target, pairs in by_target.items()},
        evidence={
            t.id: Evidence(
                level=t.evidence.level,
                references=list(t.evidence.references),
                certainty=t.evidence.certainty,
            )
            for t in kb.treatments.values()
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
        referrals={
            rule.id: Referral(to=rule.to or "dermatologist", reason=rule.text)
            for rule in kb.rules
            if rule.effect == "refer"
        },
        target_names={target: target_name(kb, target) for target in TARGETS},
        course_costs={t.id: course_cost(t) for t in kb.treatments.values()},
        prevention_references=frozenset(r for tip in kb.prevention for r in tip.references),
        conditions={
            effect: tuple(
                (r, tuple((fact, frozenset(values)) for fact, values in r.when.items()))
                for r in kb.rules
                if r.effect == effect
            )
            for effect in EFFECTS
        },
    )
