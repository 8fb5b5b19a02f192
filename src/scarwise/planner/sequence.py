"""Put the chosen treatments into phases, in the order they are done (clinical-facts §5).

Order: prepare and prevent (acne control, sunscreen, retinoid) -> colour care (red and brown marks)
-> focal and surgical work (TCA CROSS, punch techniques, subcision, raised-scar injections) ->
resurfacing series -> fillers for residual volume -> maintenance. The sequencing timeline is
"typical, not validated" ([D]/[M] in the research note); each phase's gap to the next comes from
``kb.yaml`` with its own citation. Only phases with recommendations are emitted, numbered from 1,
and a phase starts after the gaps of the phases before it.

Some treatments must wait (a ``defer`` rule: acne under control first, a tan faded): a phase whose
every item waits starts when the earliest of them may, and an item that must wait longer than its
phase carries its own ``starts_after_weeks``. Later phases keep their gaps after a phase that moved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from scarwise.knowledge.models import KnowledgeBase
from scarwise.planner.models import Phase, Recommendation

__all__ = ["build_phases"]


def build_phases(
    kb: KnowledgeBase,
    items: Sequence[tuple[str, Recommendation]],
    wait_weeks: Mapping[str, int] | None = None,
) -> list[Phase]:
    """Group ``(phase key, recommendation)`` pairs into ordered :class:`Phase` objects.

    ``wait_weeks`` maps a treatment id to the week it may start at the earliest.
    """
    waits = wait_weeks or {}
    by_key: dict[str, list[Recommendation]] = {}
    for key, rec in items:
        by_key.setdefault(key, []).append(rec)
    phases: list[Phase] = []
    start = 0
    for definition in kb.phases:
        recs = by_key.get(definition.key)
        if not recs:
            continue
        start = max(start, min(waits.get(rec.treatment, 0) for rec in recs))
        recs = [
            rec.model_copy(update={"starts_after_weeks": waits[rec.treatment]})
            if waits.get(rec.treatment, 0) > start
            else rec
            for rec in recs
        ]
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
