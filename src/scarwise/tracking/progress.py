"""Progress between two dates: score change, scar count and volume change, redness, adherence.

Each measure is taken from the last record at or before each date, so "progress from March to
June" compares what was known on those days. Nothing is interpolated.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

from scarwise.tracking.adherence import adherence
from scarwise.tracking.models import (
    AnalysisRecord,
    AssessmentRecord,
    DoseRecord,
    PersonRecord,
    ProgressResult,
    RednessChange,
    RegimenItemRecord,
    ScaleChange,
    ScarChange,
    SessionRecord,
)
from scarwise.tracking.timeline import score_series

__all__ = ["compare_progress"]

_N = TypeVar("_N", int, float)


def compare_progress(
    person: PersonRecord,
    date_from: datetime,
    date_to: datetime,
    *,
    assessments: Sequence[AssessmentRecord],
    analyses: Sequence[AnalysisRecord],
    regimen: Sequence[RegimenItemRecord],
    doses: Sequence[DoseRecord],
    sessions: Sequence[SessionRecord],
    from_first: bool = False,
) -> ProgressResult:
    """Compare a person's records at ``date_from`` and ``date_to`` (aware datetimes).

    With ``from_first``, a measure that has no record at or before ``date_from`` starts from its
    first record instead (how "progress since the beginning" reads: each measure from its own
    first value).
    """
    if date_to < date_from:
        date_from, date_to = date_to, date_from
    scores: list[ScaleChange] = []
    for series in score_series(assessments):
        before = [p for p in series.points if p.date <= date_from]
        after = [p for p in series.points if p.date <= date_to]
        a = before[-1] if before else (series.points[0] if from_first and after else None)
        b = after[-1] if after else None
        if b is None:
            continue
        scores.append(
            ScaleChange(
                scale=series.scale,
                region=series.region,
                score_from=a.score if a else None,
                score_to=b.score,
                max=b.max,
                change=(b.score - a.score) if a else None,
                date_from=a.date if a else None,
                date_to=b.date,
            )
        )
    scars_a = _last(analyses, "analyze3d", date_from, date_to if from_first else None)
    scars_b = _last(analyses, "analyze3d", date_to)
    count_a, vol_a = _scar_numbers(scars_a)
    count_b, vol_b = _scar_numbers(scars_b)
    colour_a = _last(analyses, "analyze", date_from, date_to if from_first else None)
    colour_b = _last(analyses, "analyze", date_to)
    red_a, red_b = _indices(colour_a), _indices(colour_b)
    return ProgressResult(
        person=person,
        date_from=date_from,
        date_to=date_to,
        scores=scores,
        scars=ScarChange(
            count_from=count_a,
            count_to=count_b,
            count_change=_diff(count_a, count_b),
            volume_from_mm3=vol_a,
            volume_to_mm3=vol_b,
            volume_change_mm3=_rounded(_diff(vol_a, vol_b)),
            date_from=scars_a.date if scars_a else None,
            date_to=scars_b.date if scars_b else None,
        ),
        redness=RednessChange(
            mean_a_star_from=red_a.get("mean_a_star"),
            mean_a_star_to=red_b.get("mean_a_star"),
            erythema_index_from=red_a.get("erythema_index"),
            erythema_index_to=red_b.get("erythema_index"),
            date_from=colour_a.date if colour_a else None,
            date_to=colour_b.date if colour_b else None,
        ),
        adherence=adherence(regimen, doses, date_from.date(), date_to.date(), with_days=False),
        sessions=[s for s in sessions if date_from <= s.date <= date_to],
    )


def _last(
    analyses: Sequence[AnalysisRecord],
    kind: str,
    when: datetime,
    first_until: datetime | None = None,
) -> AnalysisRecord | None:
    """The last ``kind`` analysis at or before ``when``; else, given ``first_until``, the first one
    up to that date."""
    found = [a for a in analyses if a.kind == kind and a.date <= when]
    if found:
        return max(found, key=lambda a: (a.date, a.id))
    if first_until is not None:
        later = [a for a in analyses if a.kind == kind and a.date <= first_until]
        return min(later, key=lambda a: (a.date, a.id)) if later else None
    return None


def _scar_numbers(record: AnalysisRecord | None) -> tuple[int | None, float | None]:
    if record is None:
        return None, None
    summary: dict[str, Any] = record.result.get("summary") or {}
    count = summary.get("count")
    volume = summary.get("total_volume_mm3")
    return (
        int(count) if count is not None else None,
        float(volume) if volume is not None else None,
    )


def _indices(record: AnalysisRecord | None) -> dict[str, float]:
    if record is None:
        return {}
    indices: dict[str, Any] = record.result.get("indices") or {}
    return {k: float(v) for k, v in indices.items() if isinstance(v, int | float)}


def _diff(a: _N | None, b: _N | None) -> _N | None:
    return None if a is None or b is None else b - a


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 6)
