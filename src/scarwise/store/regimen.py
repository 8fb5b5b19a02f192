"""The home-care regimen: items (a treatment at a frequency from a start date) and their doses."""

from __future__ import annotations

from sqlalchemy import delete, select

from scarwise.errors import InvalidInput, NotFound, Problem
from scarwise.store import models as m
from scarwise.store.base import StoreBase, When
from scarwise.store.checks import (
    MAX_NOTE,
    checked_when,
    require,
    require_person,
    text,
    treatment_problems,
)
from scarwise.store.engine import checkpoint
from scarwise.store.rows import dose_record, regimen_record
from scarwise.tracking.models import (
    DoseResult,
    DoseStatus,
    RegimenItemRecord,
    RegimenListResult,
    RegimenResult,
)
from scarwise.tracking.regimen import parse_frequency

__all__ = [
    "add_regimen_item",
    "delete_regimen_item",
    "list_regimen",
    "log_dose",
    "stop_regimen_item",
]


def add_regimen_item(
    store: StoreBase,
    person_id: str,
    treatment: str,
    frequency: str,
    *,
    start: When = None,
    stop: When = None,
    notes: str | None = None,
) -> RegimenResult:
    """Start a home-care step (e.g. ``topical-retinoid`` ``daily``)."""
    problems = treatment_problems(treatment)
    try:
        parse_frequency(frequency)
    except InvalidInput as err:
        problems += err.problems
    if problems:
        raise InvalidInput(problems=problems)
    start_at = store.when(start, "start")
    stop_at = None if stop is None else checked_when(stop, "stop")
    if stop_at is not None and stop_at <= start_at:
        raise InvalidInput(
            problems=[Problem("stop", "a date after the start", stop_at.isoformat())]
        )
    row = m.RegimenItem(
        id=store.new_id(),
        person_id=person_id,
        treatment=treatment,
        frequency=frequency.strip().lower(),
        start_at=start_at,
        stop_at=stop_at,
        notes=text(notes, "notes", limit=MAX_NOTE),
    )
    with store.writing() as s:
        require_person(s, person_id)
        s.add(row)
    return RegimenResult(regimen=regimen_record(row))


def stop_regimen_item(store: StoreBase, regimen_id: str, *, date: When = None) -> RegimenResult:
    """Stop a regimen item on ``date`` (default now), which must be after its start."""
    when = store.when(date, "stop")
    with store.writing() as s:
        row = require(s, m.RegimenItem, regimen_id, "regimen")
        if when <= row.start_at:
            raise InvalidInput(
                problems=[Problem("stop", "a date after the start", when.isoformat())]
            )
        row.stop_at = when
    return RegimenResult(regimen=regimen_record(row))


def delete_regimen_item(
    store: StoreBase, regimen_id: str, *, person_id: str | None = None
) -> RegimenItemRecord:
    """Delete one routine step and every dose logged for it; returns the deleted record.

    (:func:`stop_regimen_item` ends a step but keeps its history; this removes it, as for a step
    added by mistake.)

    Raises
    ------
    NotFound
        No such routine step, or (with ``person_id``) not a step of that person.
    """
    with store.writing() as s:
        row = s.get(m.RegimenItem, regimen_id)
        if row is None or (person_id is not None and row.person_id != person_id):
            raise NotFound(problems=[Problem("regimen", "an existing regimen id", regimen_id)])
        record = regimen_record(row)
        s.execute(delete(m.DoseLog).where(m.DoseLog.regimen_id == regimen_id))
        s.execute(delete(m.RegimenItem).where(m.RegimenItem.id == regimen_id))
    checkpoint(store.engine)
    return record


def list_regimen(store: StoreBase, person_id: str) -> RegimenListResult:
    """A person's regimen items, by start date."""
    with store.reading() as s:
        require_person(s, person_id)
        rows = s.scalars(
            select(m.RegimenItem)
            .where(m.RegimenItem.person_id == person_id)
            .order_by(m.RegimenItem.start_at, m.RegimenItem.id)
        ).all()
        return RegimenListResult(regimen=[regimen_record(r) for r in rows])


def log_dose(
    store: StoreBase, regimen_id: str, *, date: When = None, status: DoseStatus = "taken"
) -> DoseResult:
    """Log one dose of a regimen item (``status`` ``taken`` or ``skipped``)."""
    if status not in ("taken", "skipped"):
        raise InvalidInput(problems=[Problem("status", "taken or skipped", status)])
    when = store.when(date)
    with store.writing() as s:
        item = require(s, m.RegimenItem, regimen_id, "regimen")
        row = m.DoseLog(
            id=store.new_id(),
            person_id=item.person_id,
            regimen_id=regimen_id,
            occurred_at=when,
            status=status,
        )
        s.add(row)
    return DoseResult(dose=dose_record(row))
