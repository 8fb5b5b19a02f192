"""Put the chosen treatments into phases, in the order they are done (clinical-facts §5).

Order: prepare and prevent (acne control, sunscreen, retinoid) -> colour care (red and brown marks)
-> focal and surgical work (TCA CROSS, punch techniques, subcision, raised-scar injections) ->
resurfacing series -> fillers for residual volume -> maintenance. The sequencing timeline is
"typical, not validated" ([D]/[M] in the research note); each phase's gap to the next comes from
``kb.yaml`` with its own citation. Only phases with recommendations are emitted, numbered from 1,
and a phase starts after the gaps of the phases before it.

Phases are frozen models; with a ``memo`` the same phase (same place in the plan, same start, the
very same shared recommendation objects) is built once and shared between plans, as the
recommendations in it are.
"""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence

from scarwise.knowledge.models import KnowledgeBase
from scarwise.planner.models import Phase, Recommendation
from scarwise.planner.rules import MEMO_LIMIT

__all__ = ["build_phases"]


def build_phases(
    kb: KnowledgeBase,
    items: Sequence[tuple[str, Recommendation]],
    memo: MutableMapping[tuple[object, ...], Phase] | None = None,
) -> list[Phase]:
    """Group ``(phase key, recommendation)`` pairs into ordered :class:`Phase` objects.

    ``memo`` (optional) keeps phases by (order, key, start, ids of the recommendation objects):
    a memoised phase holds those very objects, so their ids cannot be reused while it is kept.
    """
    by_key: dict[str, list[Recommendation]] = {}
    for key, rec in items:
        by_key.setdefault(key, []).append(rec)
    phases: list[Phase] = []
    start = 0
    for definition in kb.phases:
        recs = by_key.get(definition.key)
        if not recs:
            continue
        order = len(phases) + 1
        memo_key = (order, definition.key, start, *map(id, recs))
        phase = memo.get(memo_key) if memo is not None else None
        if phase is None:
            phase = Phase(
                order=order,
                key=definition.key,
                name=definition.name,
                starts_after_weeks=start,
                purpose=definition.purpose,
                recommendations=recs,
            )
            if memo is not None:
                if len(memo) >= MEMO_LIMIT:
                    memo.clear()
                memo[memo_key] = phase
        phases.append(phase)
        start += definition.gap_weeks.range[0]
    return phases
