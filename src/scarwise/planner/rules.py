"""Transparent predicates: the facts of a profile, which rules hold, and how options are ranked.

Hand-written on purpose (STYLE §7: plain Python predicates; durable-rules and experta are stale):
every rule is data in ``knowledge/data/rules.yaml`` and its ``when`` is a conjunction of
``fact in {values}`` tests over the facts computed here, so anyone can read why a rule fired.

The tables derived from a knowledge base (rules by effect, indications by target) are computed
once per knowledge-base version (:func:`index_for`), and the candidates for a set of targets with
their rank keys once per (knowledge base, targets) (:func:`considered_for`), which keeps planning
well under a millisecond.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Final

from scarwise.knowledge.models import FACT_VALUES, Indication, KnowledgeBase, Rule, Treatment
from scarwise.knowledge.vocabulary import (
    MARK_TYPES,
    PHASE_KEYS,
    SCAR_TYPES,
    TARGETS,
    TREATMENT_IDS,
)
from scarwise.planner.models import (
    Evidence,
    Exclusion,
    Phase,
    PlanReference,
    Profile,
    Recommendation,
    Referral,
)

__all__ = [
    "LINE_WEIGHT",
    "MEMO_LIMIT",
    "PIH_PENALTY",
    "Candidate",
    "CompiledRule",
    "Considered",
    "Facts",
    "KBIndex",
    "Ranking",
    "considered_for",
    "course_cost",
    "every_target_set",
    "facts_for",
    "fired_rules",
    "index_for",
    "pih_matters",
    "prepare_considered",
    "present_targets",
    "rank_key",
    "rule_mask",
    "target_name",
]

Facts = Mapping[str, object]

#: Points per indication line when ranking options of one group (a transparent heuristic, [D]).
LINE_WEIGHT: Final = {"first": 10, "add-on": 4, "alternative": 1}
#: Ranking penalty by PIH risk for skin types IV-VI (clinical-facts §4.3 and §7 fact 7: fully
#: ablative > fractional ablative ~ non-ablative fractional > picosecond/RF microneedling/needling).
PIH_PENALTY: Final = {"none": 0, "low": 0, "moderate": 6, "high": 12, "very_high": 18}
PREFERENCE_BONUS: Final = 8


def pih_matters(fitzpatrick: int) -> bool:
    """Whether the PIH penalty applies: skin types IV-VI (clinical-facts §4.3)."""
    return fitzpatrick >= 4


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
    scars = profile.scars
    marks = profile.marks
    found = [t for t in SCAR_TYPES if getattr(scars, t) > 0]
    found += [m for m in MARK_TYPES if getattr(marks, m)]
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
    """Tables derived once from a knowledge base, and memos of pure functions of it.

    The memos (``fired``, ``considered``, ``recommendations``, ``exclusions``, ``phases``) are
    filled as plans are made; each holds values that are pure functions of its key and this
    knowledge base, and is cleared when it reaches :data:`MEMO_LIMIT` entries. Memoised output
    models are frozen and shared between plans (as ``evidence``, ``references`` and
    ``referrals`` always were).
    """

    kb: KnowledgeBase
    by_effect: Mapping[str, tuple[CompiledRule, ...]]
    by_target: Mapping[str, tuple[tuple[Treatment, Indication], ...]]
    phase_rank: Mapping[str, int]
    evidence: Mapping[str, Evidence]
    references: Mapping[str, PlanReference]  # in the knowledge base's order
    referrals: Mapping[str, Referral]  # refer rule id -> its referral
    target_names: Mapping[str, str]  # target -> its plain name (:func:`target_name`)
    course_costs: Mapping[str, tuple[int, int]]  # treatment id -> course_cost(treatment)
    compiled: tuple[CompiledRule, ...]  # every rule, in knowledge-base order (bit i = rule i)
    fact_masks: Mapping[str, Mapping[object, int]]  # fact -> value -> rules whose test passes
    effect_bits: Mapping[str, tuple[int, ...]]  # effect -> the bit of each rule in by_effect
    prevention_references: frozenset[str]  # reference ids of every prevention tip
    exclude_mask: int  # the bits of every exclude rule
    fired: dict[int, Mapping[str, tuple[CompiledRule, ...]]] = field(
        default_factory=dict, compare=False
    )
    #: [(facts, their rule mask)] of the last call of :func:`rule_mask` (a plan asks four times)
    last_mask: list[tuple[dict[str, object], int]] = field(default_factory=list, compare=False)
    considered: dict[tuple[str, ...], Considered] = field(default_factory=dict, compare=False)
    recommendations: dict[tuple[object, ...], Recommendation] = field(
        default_factory=dict, compare=False
    )
    exclusions: dict[tuple[object, ...], Exclusion] = field(default_factory=dict, compare=False)
    phases: dict[tuple[object, ...], Phase] = field(default_factory=dict, compare=False)


#: Entries per memo before it is cleared (the key spaces are small; this only bounds memory).
MEMO_LIMIT: Final = 20_000


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


_INDEX_CACHE: dict[str, KBIndex] = {}


def rule_mask(index: KBIndex, facts: Facts) -> int:
    """Bit i set when rule i (:attr:`KBIndex.compiled`) holds for ``facts``.

    Evaluated with :attr:`KBIndex.fact_masks` (per fact and value, the rules whose test on that
    fact passes): one AND per tested fact instead of testing every rule. The last answer is kept
    on the index: a plan asks four times for the same facts (screen, cautions, warnings and the
    final check), while the space of all facts is too large to memoise.
    """
    last = index.last_mask[0] if index.last_mask else None
    if last is not None and last[0] == facts:
        return last[1]
    mask = (1 << len(index.compiled)) - 1
    for fact, by_value in index.fact_masks.items():
        value = facts[fact]
        passing = by_value.get(value)
        if passing is None:  # a value outside FACT_VALUES: test each rule directly
            passing = _passing_mask(index.compiled, fact, value)
        mask &= passing
    index.last_mask[:] = [(dict(facts), mask)]  # one slot, replaced whole
    return mask


def fired_rules(index: KBIndex, facts: Facts) -> Mapping[str, tuple[CompiledRule, ...]]:
    """The rules whose ``when`` holds for ``facts``, by effect, in knowledge-base order.

    The result per set of fired rules (:func:`rule_mask`) is memoised on the index.
    """
    mask = rule_mask(index, facts)
    cached = index.fired.get(mask)
    if cached is not None:
        return cached
    fired = {
        effect: tuple(
            c for c, bit in zip(rules, index.effect_bits[effect], strict=True) if mask & bit
        )
        for effect, rules in index.by_effect.items()
    }
    if len(index.fired) >= MEMO_LIMIT:
        index.fired.clear()
    index.fired[mask] = fired
    return fired


def _passing_mask(compiled: Sequence[CompiledRule], fact: str, value: object) -> int:
    """Bit i set when rule i does not test ``fact`` or allows ``value``."""
    mask = 0
    for i, rule in enumerate(compiled):
        if all(value in allowed for name, allowed in rule.tests if name == fact):
            mask |= 1 << i
    return mask


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
    compiled: list[CompiledRule] = []
    for rule in kb.rules:
        tests = tuple((fact, frozenset(values)) for fact, values in rule.when.items())
        compiled.append(CompiledRule(rule, tests, frozenset(rule.treatments)))
        by_effect[rule.effect].append(compiled[-1])
    tested = dict.fromkeys(fact for c in compiled for fact, _ in c.tests)
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
        target_names={target: target_name(kb, target) for target in TARGETS},
        course_costs={t.id: course_cost(t) for t in kb.treatments.values()},
        compiled=tuple(compiled),
        prevention_references=frozenset(r for tip in kb.prevention for r in tip.references),
        exclude_mask=sum(1 << i for i, c in enumerate(compiled) if c.rule.effect == "exclude"),
        effect_bits={
            effect: tuple(1 << next(i for i, c in enumerate(compiled) if c is r) for r in rules)
            for effect, rules in by_effect.items()
        },
        fact_masks={
            fact: {
                value: _passing_mask(compiled, fact, value) for value in FACT_VALUES.get(fact, ())
            }
            for fact in tested
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
    #: The treatment's id (a plain attribute: it is read ~100 times per plan).
    id: str = field(init=False)

    def __post_init__(self) -> None:
        self.id = self.treatment.id

    @property
    def recommended(self) -> bool:
        """Has a first-line or add-on indication for one of the person's targets."""
        return any(line != "alternative" for line in self.lines.values())

    def score(self, fitzpatrick: int, preferred: bool) -> int:
        """The ranking score: line weights, preference bonus, PIH penalty for skin types IV-VI."""
        points = sum(LINE_WEIGHT[line] for line in self.lines.values())
        if preferred:
            points += PREFERENCE_BONUS
        if pih_matters(fitzpatrick):
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


_LINE_RANK: Final = {"first": 0, "add-on": 1, "alternative": 2}

RankKey = tuple[int, int, int, int]
BudgetOrder = tuple[int, int, int, RankKey]


@dataclass(frozen=True, slots=True)
class Ranking:
    """Rank keys (:func:`rank_key`) and budget order of the candidates for one PIH band.

    ``keys``/``order`` hold the values for a candidate the person does not prefer,
    ``preferred_keys``/``preferred_order`` for one they prefer. The budget order is: essentials,
    then first-line before add-ons (a preferred option counts as first-line), then phase order,
    then rank.
    """

    keys: Mapping[str, RankKey]
    preferred_keys: Mapping[str, RankKey]
    order: Mapping[str, BudgetOrder]
    preferred_order: Mapping[str, BudgetOrder]
    #: group -> its candidates sorted by ``keys`` (best first), for people who prefer none of them
    group_pools: Mapping[str, tuple[Candidate, ...]]


@dataclass(frozen=True, slots=True)
class Considered:
    """The candidates for one set of targets, with what ranking and choosing need of them.

    Built once per (knowledge base, targets) by :func:`considered_for`; the candidates are shared
    between plans and never changed after they are built. :meth:`ranking` is computed on first use,
    once per PIH band (:func:`pih_matters`).
    """

    candidates: Mapping[str, Candidate]  # every treatment with an indication for a target
    ordered: tuple[str, ...]  # their ids in phase order, then by id
    needed_groups: frozenset[str]  # groups with a recommended member
    phase_rank: Mapping[str, int]
    worst_downtime: Mapping[str, int]  # id -> the longest downtime per session, in days
    ungrouped: frozenset[str]  # ids of treatments in no group (each is chosen on its own)
    # ids of ungrouped treatments with a first-line or add-on indication (each taken alone)
    ungrouped_recommended: frozenset[str]
    # ids dropped with a reason when over the downtime limit: recommended ones and group members
    reportable: frozenset[str]
    rankings: dict[bool, Ranking] = field(default_factory=dict, compare=False)

    def ranking(self, fitzpatrick: int) -> Ranking:
        """The :class:`Ranking` of the candidates for skin type ``fitzpatrick``.

        :func:`rank_key` depends on the skin type only through :func:`pih_matters`, so there are
        two rankings per set of targets.
        """
        band = pih_matters(fitzpatrick)
        cached = self.rankings.get(band)
        if cached is not None:
            return cached
        keys: dict[str, RankKey] = {}
        preferred_keys: dict[str, RankKey] = {}
        order: dict[str, BudgetOrder] = {}
        preferred_order: dict[str, BudgetOrder] = {}
        for tid, cand in self.candidates.items():
            t = cand.treatment
            essential = 0 if t.essential else 1
            best_line = min((_LINE_RANK[line] for line in cand.lines.values()), default=2)
            phase = self.phase_rank[t.phase]
            keys[tid] = plain = rank_key(cand, fitzpatrick, frozenset())
            preferred_keys[tid] = preferred = rank_key(cand, fitzpatrick, frozenset((tid,)))
            order[tid] = (essential, best_line, phase, plain)
            preferred_order[tid] = (essential, 0, phase, preferred)
        pools: dict[str, list[Candidate]] = {}
        for cand in self.candidates.values():
            if cand.treatment.group is not None:
                pools.setdefault(cand.treatment.group, []).append(cand)
        group_pools = {
            group: tuple(sorted(members, key=lambda c: keys[c.id]))
            for group, members in sorted(pools.items())
        }
        made = Ranking(keys, preferred_keys, order, preferred_order, group_pools)
        self.rankings[band] = made
        return made


def considered_for(index: KBIndex, targets: tuple[str, ...]) -> Considered:
    """Every treatment with an indication for one of ``targets``, as shared :class:`Candidate` s.

    Pure; memoised on the index by ``targets`` (at most 2^11 target sets exist).
    """
    cached = index.considered.get(targets)
    if cached is not None:
        return cached
    candidates: dict[str, Candidate] = {}
    for target in targets:
        for treatment, ind in index.by_target.get(target, ()):
            cand = candidates.get(treatment.id)
            if cand is None:
                cand = candidates[treatment.id] = Candidate(treatment)
            cand.lines[target] = ind.line
            cand.notes.append(ind)
    recommended = frozenset(tid for tid, c in candidates.items() if c.recommended)
    ungrouped = frozenset(tid for tid, c in candidates.items() if c.treatment.group is None)
    considered = Considered(
        candidates=candidates,
        ordered=tuple(
            sorted(
                candidates, key=lambda tid: (index.phase_rank[candidates[tid].treatment.phase], tid)
            )
        ),
        needed_groups=frozenset(
            c.treatment.group
            for tid, c in candidates.items()
            if c.treatment.group is not None and tid in recommended
        ),
        phase_rank=index.phase_rank,
        worst_downtime={tid: c.treatment.downtime_days.range[1] for tid, c in candidates.items()},
        ungrouped=ungrouped,
        ungrouped_recommended=ungrouped & recommended,
        reportable=recommended
        | frozenset(tid for tid, c in candidates.items() if c.treatment.group is not None),
    )
    if len(index.considered) >= MEMO_LIMIT:
        index.considered.clear()
    index.considered[targets] = considered
    return considered


def every_target_set() -> Iterator[tuple[str, ...]]:
    """Every value :func:`present_targets` can return: each subset of the optional targets, in
    vocabulary order, ending with ``all`` (2^11 sets)."""
    optional = TARGETS[:-1]  # every target but "all", which every profile has
    for size in range(len(optional) + 1):
        for subset in combinations(optional, size):
            yield (*subset, "all")


def prepare_considered(index: KBIndex) -> int:
    """Fill the :func:`considered_for` memo, with both rankings, for every set of targets.

    For a long-running server (``scarwise serve`` runs it on a thread beside the server): the
    memo otherwise fills over the first tens of thousands of plans (a new set of targets costs
    ~0.5 ms to build and rank). All 2,048 sets take about a second and a few megabytes. Safe
    beside plans being made: each entry is a pure function of its key, so a set built twice is
    built the same. Returns the number of sets prepared.
    """
    count = 0
    for targets in every_target_set():
        considered = considered_for(index, targets)
        considered.ranking(1)  # the two PIH bands (pih_matters): skin types I-III and IV-VI
        considered.ranking(4)
        count += 1
    return count
