"""Choose the treatments of a plan: candidates by target, one best option per group, downtime, budget.

Pure functions over the profile, its facts and a :class:`~scarwise.planner.rules.KBIndex`.
Contraindicated and avoided treatments are removed by :func:`scarwise.planner.safety.screen`
before anything is ranked, so an alternative is never an unsafe option either.

Order of decisions (each one transparent and recorded):

1. *considered*: every treatment with an indication for one of the person's targets;
2. *safety*: :func:`~scarwise.planner.safety.screen` blocks contraindicated and avoided ones;
3. *downtime*: options whose longest downtime per session exceeds ``max_downtime_days`` go;
4. *choice*: ungrouped treatments with a first-line or add-on indication are taken; for a group
   (for example ``resurfacing``) that is needed, the best-ranked option is taken and the rest of the
   group become its alternatives; a treatment in ``prefers`` is taken when it fits a target;
5. *budget*: essentials (sunscreen, acne control) first, then first-line options before add-ons,
   then by phase and rank, each course's low
   cost estimate must fit what is left of ``budget_usd``; within a group a cheaper alternative may
   take the place of one that does not fit.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass, field

from scarwise.planner.models import Profile
from scarwise.planner.rules import (
    Candidate,
    Facts,
    KBIndex,
    considered_for,
    course_cost,
)
from scarwise.planner.safety import Block, screen

__all__ = ["Chosen", "Dropped", "Selection", "course_cost", "select"]


@dataclass(slots=True)
class Chosen:
    """A treatment going into the plan."""

    candidate: Candidate
    pool: list[Candidate] = field(default_factory=list)  # safe alternatives of the group, ranked
    preferred: bool = False
    group_size: int = 1
    alternatives: list[str] = field(init=False)  # the ids of ``pool``

    def __post_init__(self) -> None:
        self.alternatives = [c.id for c in self.pool]


@dataclass(frozen=True, slots=True)
class Dropped:
    """A safe treatment left out for downtime or budget."""

    treatment: str
    kind: str  # "downtime" or "budget"
    reason: str


@dataclass(slots=True)
class Selection:
    chosen: list[Chosen]
    blocked: dict[str, Block]
    dropped: list[Dropped]
    preferred_unused: list[str]


def select(profile: Profile, facts: Facts, index: KBIndex, targets: tuple[str, ...]) -> Selection:
    """Decide which treatments enter the plan (see the module docstring for the order)."""
    considered = considered_for(index, targets)
    candidates = considered.candidates
    allowed, blocked = screen(index, facts, profile.avoids, considered.ordered)

    prefers = frozenset(profile.prefers)
    dropped: list[Dropped] = []
    limit = profile.max_downtime_days
    usable: set[str] = set()
    if limit is None:
        usable.update(allowed)
    else:
        worst_downtime = considered.worst_downtime
        for tid in allowed:
            worst = worst_downtime[tid]
            if worst <= limit:
                usable.add(tid)
            elif tid in considered.reportable or tid in prefers:
                dropped.append(
                    Dropped(
                        tid,
                        "downtime",
                        f"up to {_days(worst)} of downtime per session; you asked for at most {_days(limit)}",
                    )
                )

    ranking = considered.ranking(profile.fitzpatrick)
    # ungrouped treatments are taken on their own when recommended, or when preferred
    alone = considered.ungrouped_recommended
    if prefers:
        alone = alone | (prefers & considered.ungrouped)
    chosen: list[Chosen] = [
        Chosen(candidates[tid], preferred=tid in prefers)
        for tid in allowed
        if tid in alone and tid in usable
    ]
    # A group is needed when any member (safe or not) fits a target as first-line or add-on.
    needed_groups: Set[str] = considered.needed_groups
    if prefers:
        needed_groups = set(needed_groups)
        for tid in prefers:
            preferred_cand = candidates.get(tid)
            if preferred_cand is not None and preferred_cand.treatment.group is not None:
                needed_groups.add(preferred_cand.treatment.group)
    for group, ranked in ranking.group_pools.items():  # in group-name order
        if group not in needed_groups:
            continue
        pool = [c for c in ranked if c.id in usable]
        if not pool:
            continue
        if prefers and not prefers.isdisjoint(c.id for c in pool):  # ranked by its own key
            pool.sort(
                key=lambda c: (ranking.preferred_keys if c.id in prefers else ranking.keys)[c.id]
            )
        best = pool[0]
        chosen.append(Chosen(best, pool[1:], preferred=best.id in prefers, group_size=len(pool)))

    # Budget order: essentials, then first-line before add-ons, then phase order, then rank.
    if prefers:
        chosen.sort(
            key=lambda ch: (ranking.preferred_order if ch.preferred else ranking.order)[
                ch.candidate.id
            ]
        )
    else:
        order = ranking.order
        chosen.sort(key=lambda ch: order[ch.candidate.id])
    chosen = _fit_budget(chosen, profile.budget_usd, dropped, index.course_costs, prefers)
    # preferred treatments that fit none of the person's targets (so were never considered)
    preferred_unused = [p for p in profile.prefers if p not in candidates]
    return Selection(chosen, blocked, dropped, preferred_unused)


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def _fit_budget(
    chosen: list[Chosen],
    budget: float | None,
    dropped: list[Dropped],
    costs: Mapping[str, tuple[int, int]],
    prefers: frozenset[str],
) -> list[Chosen]:
    if budget is None:
        return chosen
    left = budget
    kept: list[Chosen] = []
    for ch in chosen:
        t = ch.candidate.treatment
        low = costs[t.id][0]
        if t.essential:
            kept.append(ch)
            left -= low
            continue
        if low <= left:
            kept.append(ch)
            left -= low
            continue
        # try the group's alternatives (already safe and within downtime) in rank order
        replacement = next((c for c in ch.pool if costs[c.id][0] <= left), None)
        if replacement is not None:
            others = [c for c in ch.pool if c is not replacement]
            kept.append(
                Chosen(
                    replacement,
                    others,
                    preferred=replacement.id in prefers,
                    group_size=ch.group_size,
                )
            )
            left -= costs[replacement.id][0]
            dropped.append(
                Dropped(
                    t.id,
                    "budget",
                    f"the course (from ${low:,}) does not fit the budget left; "
                    f"{replacement.id} was chosen instead",
                )
            )
        else:
            dropped.append(
                Dropped(
                    t.id,
                    "budget",
                    f"the course costs from ${low:,}, more than the ${max(left, 0):,.0f} of budget left",
                )
            )
    return kept
