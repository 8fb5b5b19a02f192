"""Score timelines: every assessment of a scale (per region), oldest first."""

from __future__ import annotations

from collections.abc import Iterable

from scarwise.tracking.models import AssessmentRecord, ScorePoint, ScoreSeries

__all__ = ["score_series"]


def score_series(assessments: Iterable[AssessmentRecord]) -> list[ScoreSeries]:
    """Group assessments into one series per (scale, region), each sorted by date.

    Regions are never mixed: a face score and a back score are different series, as the scales
    themselves ask (``contracts/scales.md``: regions are never added together).
    """
    groups: dict[tuple[str, str | None], list[ScorePoint]] = {}
    for a in assessments:
        groups.setdefault((a.scale, a.region), []).append(
            ScorePoint(date=a.date, score=a.score, max=a.max, assessment_id=a.id)
        )
    return [
        ScoreSeries(
            scale=scale,
            region=region,
            points=sorted(points, key=lambda p: (p.date, p.assessment_id)),
        )
        for (scale, region), points in sorted(
            groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")
        )
    ]
