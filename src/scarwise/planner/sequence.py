"""Put the chosen treatments into phases, in the order they are done (clinical-facts §5).

Order: prepare and prevent (acne control, sunscreen, retinoid) -> colour care (red and brown marks)
-> focal and surgical work (TCA CROSS, punch techniques, subcision, raised-scar injections) ->
resurfacing series -> fillers for residual volume -> maintenance. The sequencing timeline is
"typical, not validated" ([D]/[M] in the research note); each phase's gap to the next comes from
``kb.yaml`` with its own citation. Only phases with recommendations are emitted, numbered from 1,
and a phase starts after the gaps of the phases before it.
"""

from __future__ import annotations

from collections.abc import Sequence

from scarwise.knowledge.models import KnowledgeBase
from scarwise.planner.models import Phase, Recommendation

__all__ = ["build_phases"]


def build_phases(kb: KnowledgeBase, items: Sequence[tuple[str, Recommendation]]) -> list[Phase]:
    """Group ``(phase key, recommendation)`` pairs into ordered :class:`Phase` objects."""
    by_key: dict[str, list[Recommendation]] = {}
    for key, rec in items:
        by_key.setdefault(key, []).append(rec)
    phases: list[Phase] = []
    start = 0
    for definition in kb.phases:
        recs = by_key.get(definition.key)
        if not recs:
            continue
        phases.append(
            Phase(
                order=len(phases) + 1,
                key=definition.key,
                name=definition.name,
                starts_after_weeks=start,
                purpose=definition.purpose,
                recommendations=recs,
            )
        )
        start += definition.gap_weeks.range[0]
    return phases
