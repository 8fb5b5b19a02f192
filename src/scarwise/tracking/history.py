"""A person's timeline: every record as one :class:`HistoryEvent`, oldest first.

Events at the same instant are ordered by kind (plan, regimen, session, assessment, photo,
analysis, dose, regimen-stop, note), then by id, so a history is always printed the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scarwise.tracking.models import (
    AnalysisRecord,
    AssessmentRecord,
    DoseRecord,
    HistoryEvent,
    PhotoRecord,
    PlanRecord,
    Record,
    RegimenItemRecord,
    SessionRecord,
)

__all__ = ["EVENT_KINDS", "build_history", "event_of", "sort_events"]

EVENT_KINDS: tuple[str, ...] = (
    "plan",
    "regimen",
    "session",
    "assessment",
    "photo",
    "analysis",
    "dose",
    "regimen-stop",
    "note",
)
_ORDER = {kind: i for i, kind in enumerate(EVENT_KINDS)}


def event_of(record: Record) -> list[HistoryEvent]:
    """The event(s) one record contributes (a stopped regimen item gives two)."""
    if isinstance(record, AssessmentRecord):
        return [
            _event(
                "assessment",
                record.id,
                record.date,
                scale=record.scale,
                score=record.score,
                max=record.max,
                region=record.region,
                rater=record.rater,
            )
        ]
    if isinstance(record, PhotoRecord):
        return [
            _event(
                "photo",
                record.id,
                record.date,
                sha256_original=record.sha256_original,
                region=record.region,
            )
        ]
    if isinstance(record, AnalysisRecord):
        return [
            _event(
                "analysis",
                record.id,
                record.date,
                analysis=record.kind,
                photo_ids=list(record.photo_ids),
                software_version=record.software_version,
                summary=_analysis_summary(record),
            )
        ]
    if isinstance(record, PlanRecord):
        return [
            _event(
                "plan",
                record.id,
                record.date,
                knowledge_base_version=record.knowledge_base_version,
                status=record.status,
            )
        ]
    if isinstance(record, RegimenItemRecord):
        events = [
            _event(
                "regimen",
                record.id,
                record.start,
                treatment=record.treatment,
                frequency=record.frequency,
            )
        ]
        if record.stop is not None:
            events.append(
                _event("regimen-stop", record.id, record.stop, treatment=record.treatment)
            )
        return events
    if isinstance(record, DoseRecord):
        return [
            _event(
                "dose", record.id, record.date, regimen_id=record.regimen_id, status=record.status
            )
        ]
    if isinstance(record, SessionRecord):
        return [
            _event(
                "session",
                record.id,
                record.date,
                treatment=record.treatment,
                provider=record.provider,
                downtime_days=record.downtime_days,
                side_effects=list(record.side_effects),
                outcome_rating=record.outcome_rating,
            )
        ]
    return [_event("note", record.id, record.date, text=record.text)]


def build_history(records: Iterable[Record]) -> list[HistoryEvent]:
    """Every record's events, oldest first (ties broken by kind, then id)."""
    return sort_events([event for record in records for event in event_of(record)])


def sort_events(events: Iterable[HistoryEvent]) -> list[HistoryEvent]:
    """Oldest first; events at the same instant by kind (see :data:`EVENT_KINDS`), then id."""
    return sorted(events, key=lambda e: (e.date, _ORDER.get(e.kind, len(_ORDER)), e.id))


def _event(kind: str, id_: str, date: Any, **fields: Any) -> HistoryEvent:
    return HistoryEvent(kind=kind, id=id_, date=date, **fields)


def _analysis_summary(record: AnalysisRecord) -> dict[str, Any]:
    if record.kind == "analyze3d":
        summary = record.result.get("summary") or {}
        return {k: summary.get(k) for k in ("count", "total_volume_mm3", "mean_depth_mm")}
    indices = record.result.get("indices") or {}
    tone = record.result.get("skin_tone") or {}
    return {
        "mean_a_star": indices.get("mean_a_star"),
        "erythema_index": indices.get("erythema_index"),
        "ita_deg": tone.get("ita_deg"),
    }
