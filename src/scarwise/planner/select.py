"""Choose the treatments of a plan: candidates by target, one best option per group, downtime, budget.

Pure functions of the profile, its candidates and what the rules block. Contraindicated and
avoided treatments (:func:`scarwise.planner.rules.blocked_treatments`) are removed before anything
is ranked, so an alternative is never an unsafe option either.

Order of decisions (each one transparent and recorded):

1. *considered*: every treatment with an indication for one of the person's targets;
2. *safety*: the fired ``exclude`` rules and the person's ``avoids`` block treatments;
3. *suitability*: a treatment whose ``requires`` does not hold for the person is not chosen (for
   example waiting to see whether marks fade suits recent marks only);
4. *downtime*: options whose longest downtime per session exceeds ``max_downtime_days`` go;
5. *choice*: ungrouped treatments with a first-line or add-on indication are taken; for a group
   (for example ``resurfacing``) that is needed, the best-ranked option is taken and the rest of the
   group become its alternatives; a treatment in ``prefers`` is taken when it fits a target and is
   safe and suitable: in its group, the best-ranked preferred option goes first;
6. *budget*: essentials (sunscreen, acne control) first, then first-line options before add-ons,
   then by phase and rank, each course's low
   cost estimate must fit what is left of ``budget_usd``; within a group a cheaper alternative may
   take the place of one that does not fit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from scarwise.planner.candidates import PHASE_RANK, Candidate, rank_key
from scarwise.planner.index import course_cost
from scarwise.planner.models import Profile
from scarwise.planner.rules import Block, Facts, holds_when

__all__ = ["Chosen", "Dropped", "Selection", "course_cost", "select"]

_LINE_RANK: Final = {"first": 0, "add-on": 1, "alternative": 2}


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
    blocked: dict[str, Block]  # the considered treatments that are blocked, in considered order
    dropped: list[Dropped]
    preferred_unused: list[str]  # preferred treatments that fit none of the person's targets
    unsuitable: dict[str, str] = field(default_factory=dict)  # id -> why its `requires` fails


def select(
    profile: Profile,
    candidates: Mapping[str, Candidate],
    blocked: Mapping[str, Block],
    costs: Mapping[str, tuple[int, int]],
    facts: Facts,
) -> Selection:
    """Decide which treatments enter the plan (see the module docstring for the order).

    ``candidates`` come from :func:`~scarwise.planner.candidates.consider`, ``blocked`` from
    :func:`~scarwise.planner.rules.blocked_treatments`, ``costs`` are the course costs by id and
    ``facts`` are :func:`~scarwise.planner.rules.facts_for` the profile.
    """
    pih = bool(facts["pih_prone"])
    prefers = frozenset(profile.prefers)
    unsuitable: dict[str, str] = {}
    allowed: list[Candidate] = []
    for c in candidates.values():
        if c.id in blocked:
            continue
        need = c.treatment.requires
        if need is not None and not holds_when(need.when, facts):
            unsuitable[c.id] = need.text
            continue
        allowed.append(c)

    dropped: list[Dropped] = []
    limit = profile.max_downtime_days
    usable: set[str] = set()
    for cand in allowed:
        worst = cand.treatment.downtime_days.range[1]
        if limit is None or worst <= limit:
            usable.add(cand.id)
        elif cand.recommended or cand.treatment.group is not None or cand.id in prefers:
            dropped.append(
                Dropped(
                    cand.id,
                    "downtime",
                    f"up to {_days(worst)} of downtime per session; you asked for at most {_days(limit)}",
                )
            )

    # An ungrouped treatment is taken on its own when recommended, or when preferred.
    chosen = [
        Chosen(cand, preferred=cand.id in prefers)
        for cand in allowed
        if cand.id in usable
        and cand.treatment.group is None
        and (cand.recommended or cand.id in prefers)
    ]
    # A group is needed when any member (safe or not) fits a target as first-line or add-on, or
    # is preferred; its best-ranked usable member is taken, the others are its alternatives.
    needed_groups = {
        c.treatment.group
        for c in candidates.values()
        if c.treatment.group is not None and (c.recommended or c.id in prefers)
    }
    for group in sorted(needed_groups):
        pool = [c for c in allowed if c.treatment.group == group and c.id in usable]
        if not pool:
            continue
        pool.sort(key=lambda c: (c.id not in prefers, rank_key(c, pih, prefers)))
        best = pool[0]
        chosen.append(Chosen(best, pool[1:], preferred=best.id in prefers, group_size=len(pool)))

    chosen.sort(key=lambda ch: _budget_order(ch, pih, prefers))
    chosen = _fit_budget(chosen, profile.budget_usd, dropped, costs, prefers)
    # preferred treatments that fit none of the person's targets (so were never considered)
    preferred_unused = [p for p in profile.prefers if p not in candidates]
    in_view = {c.id: blocked[c.id] for c in candidates.values() if c.id in blocked}
    return Selection(chosen, in_view, dropped, preferred_unused, unsuitable)


def _budget_order(
    chosen: Chosen, pih: bool, prefers: frozenset[str]
) -> tuple[int, int, int, tuple[int, int, int, int]]:
    """Essentials first, then first-line before add-ons (a preferred option counts as
    first-line), then phase order, then rank."""
    cand = chosen.candidate
    t = cand.treatment
    line = 0 if chosen.preferred else min(_LINE_RANK[line] for line in cand.lines.values())
    return (
        0 if t.essential else 1,
        line,
        PHASE_RANK[t.phase],
        rank_key(cand, pih, prefers),
    )


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
