"""Reading a person back: every record, the timeline, and what changed between two dates.

Each read is one transaction. :func:`history` reads only the tables the wanted event kinds come
from, and turns dose rows (thousands per person after a few years) into events directly.
"""

from __future__ import annotations

import gc
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scarwise.errors import InvalidInput, Problem
from scarwise.store import models as m
from scarwise.store.base import StoreBase, When
from scarwise.store.checks import checked_when, require_person
from scarwise.store.rows import (
    analysis_record,
    assessment_record,
    note_record,
    person_record,
    photo_record,
    plan_record,
    regimen_record,
    session_record,
)
from scarwise.tracking.history import EVENT_KINDS, event_of, sort_events
from scarwise.tracking.models import (
    DoseRecord,
    HistoryEvent,
    HistoryResult,
    PersonRecords,
    ProgressResult,
)
from scarwise.tracking.progress import compare_progress

__all__ = ["TABLES", "TABLE_EVENTS", "history", "progress", "records"]

#: PersonRecords list -> the history event kinds its records make.
TABLE_EVENTS: dict[str, set[str]] = {
    "assessments": {"assessment"},
    "photos": {"photo"},
    "analyses": {"analysis"},
    "plans": {"plan"},
    "regimen": {"regimen", "regimen-stop"},
    "doses": {"dose"},
    "sessions": {"session"},
    "notes": {"note"},
}
TABLES: tuple[str, ...] = tuple(TABLE_EVENTS)


def records(
    store: StoreBase, person_id: str, *, tables: Collection[str] | None = None
) -> PersonRecords:
    """Every record of one person (one read transaction).

    ``tables`` loads only some lists (names of :class:`~scarwise.tracking.PersonRecords` fields);
    the others stay empty.
    """
    with _cyclic_gc_paused(), store.reading() as s:
        return _records(s, person_id, set(TABLES if tables is None else tables))


def history(
    store: StoreBase, person_id: str, *, kinds: Sequence[str] | None = None
) -> HistoryResult:
    """A person's timeline, oldest first (``kinds`` keeps only some event kinds)."""
    if kinds is not None:
        unknown = [k for k in kinds if k not in EVENT_KINDS]
        if unknown:
            raise InvalidInput(
                problems=[Problem("kinds", "one of " + ", ".join(EVENT_KINDS), k) for k in unknown]
            )
    wanted = set(EVENT_KINDS if kinds is None else kinds)
    tables = {table for table, made in TABLE_EVENTS.items() if made & wanted}
    with _cyclic_gc_paused():
        with store.reading() as s:
            recs = _records(s, person_id, tables - {"doses"})
            # unordered: the events are sorted once below (saves SQLite a temporary sort)
            dose_rows = _dose_rows(s, person_id, ordered=False) if "doses" in tables else []
        events = [e for record in recs.all() for e in event_of(record)]
        events += [
            HistoryEvent(kind="dose", id=i, date=d, regimen_id=g, status=st)
            for i, g, d, st in dose_rows
        ]
        events = sort_events([e for e in events if e.kind in wanted])
        return HistoryResult(person=recs.person, events=events)


def progress(
    store: StoreBase, person_id: str, date_from: When, date_to: When = None
) -> ProgressResult:
    """What changed between two dates.

    ``date_to`` defaults to now. Without ``date_from``, each measure is compared from its own
    first record ("since the beginning").
    """
    start = checked_when(date_from, "from") if date_from is not None else None
    end = store.when(date_to, "to")
    recs = records(store, person_id)
    if start is None:
        firsts: list[datetime] = [a.date for a in recs.assessments]
        firsts += [a.date for a in recs.analyses] + [p.date for p in recs.photos]
        firsts += [x.date for x in recs.sessions] + [r.start for r in recs.regimen]
        start = min(firsts) if firsts else recs.person.created_at
    return compare_progress(
        recs.person,
        start,
        end,
        assessments=recs.assessments,
        analyses=recs.analyses,
        regimen=recs.regimen,
        doses=recs.doses,
        sessions=recs.sessions,
        from_first=date_from is None,
    )


def _records(s: Session, person_id: str, tables: set[str]) -> PersonRecords:
    person = person_record(require_person(s, person_id))

    def rows(name: str, model: Any, order: Any) -> Sequence[Any]:
        if name not in tables:
            return []
        query = select(model).where(model.person_id == person_id).order_by(order, model.id)
        return s.scalars(query).all()

    links: dict[str, list[str]] = {}
    if "analyses" in tables:
        for analysis_id, photo_id in s.execute(
            select(m.AnalysisPhoto.analysis_id, m.AnalysisPhoto.photo_id)
            .join(m.Analysis, m.Analysis.id == m.AnalysisPhoto.analysis_id)
            .where(m.Analysis.person_id == person_id)
            .order_by(m.AnalysisPhoto.analysis_id, m.AnalysisPhoto.position)
        ):
            links.setdefault(analysis_id, []).append(photo_id)
    doses = [
        DoseRecord.model_validate(
            {"id": i, "person_id": person_id, "regimen_id": g, "date": d, "status": st}
        )
        for i, g, d, st in (_dose_rows(s, person_id) if "doses" in tables else [])
    ]
    return PersonRecords(
        person=person,
        assessments=[
            assessment_record(r)
            for r in rows("assessments", m.Assessment, m.Assessment.occurred_at)
        ],
        photos=[photo_record(r) for r in rows("photos", m.Photo, m.Photo.occurred_at)],
        analyses=[
            analysis_record(r, links.get(r.id, []))
            for r in rows("analyses", m.Analysis, m.Analysis.occurred_at)
        ],
        plans=[plan_record(r) for r in rows("plans", m.Plan, m.Plan.occurred_at)],
        regimen=[regimen_record(r) for r in rows("regimen", m.RegimenItem, m.RegimenItem.start_at)],
        doses=doses,
        sessions=[
            session_record(r)
            for r in rows("sessions", m.ProcedureSession, m.ProcedureSession.occurred_at)
        ],
        notes=[note_record(r) for r in rows("notes", m.Note, m.Note.occurred_at)],
    )


def _dose_rows(s: Session, person_id: str, *, ordered: bool = True) -> Sequence[Any]:
    query = select(
        m.DoseLog.id, m.DoseLog.regimen_id, m.DoseLog.occurred_at, m.DoseLog.status
    ).where(m.DoseLog.person_id == person_id)
    if ordered:
        query = query.order_by(m.DoseLog.occurred_at, m.DoseLog.id)
    return s.execute(query).all()


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while thousands of records are built.

    Every 700 new objects start a collection that walks SQLAlchemy's large object graph; for a
    person with years of daily doses that was half the time of reading a history. Reference
    counting still frees everything; only cycle detection waits until the block ends. Nested or
    concurrent use is harmless: the collector is re-enabled only by the block that disabled it.
    """
    was_enabled = gc.isenabled()
    if was_enabled:
        gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
