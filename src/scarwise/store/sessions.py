"""Procedure sessions: a peel, a laser pass, subcision ... and what followed it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import delete

from scarwise.errors import InvalidInput, NotFound, Problem
from scarwise.store import models as m
from scarwise.store.base import StoreBase, When
from scarwise.store.checks import MAX_NOTE, json_problems, require_person, text, treatment_problems
from scarwise.store.engine import checkpoint
from scarwise.store.rows import session_record
from scarwise.tracking.models import SessionRecord, SessionResult

__all__ = ["add_session", "delete_session"]


def add_session(
    store: StoreBase,
    person_id: str,
    treatment: str,
    *,
    date: When,
    provider: str | None = None,
    settings: Mapping[str, Any] | None = None,
    downtime_days: float | None = None,
    side_effects: Sequence[str] = (),
    outcome_rating: int | None = None,
    notes: str | None = None,
) -> SessionResult:
    """Log one procedure session (``treatment`` is a knowledge-base treatment id)."""
    problems = treatment_problems(treatment)
    if downtime_days is not None and not (0 <= downtime_days <= 365):  # NaN fails too
        problems.append(
            Problem("downtime_days", "a number of days from 0 to 365", str(downtime_days))
        )
    problems += json_problems(dict(settings or {}), "settings")
    if outcome_rating is not None and outcome_rating not in range(1, 6):
        problems.append(Problem("outcome_rating", "an integer from 1 to 5", outcome_rating))
    if problems:
        raise InvalidInput(problems=problems)
    when = store.when(date)
    row = m.ProcedureSession(
        id=store.new_id(),
        person_id=person_id,
        occurred_at=when,
        treatment=treatment,
        provider=text(provider, "provider"),
        settings=dict(settings or {}),
        downtime_days=downtime_days,
        side_effects=[text(x, "side_effects", required=True) or "" for x in side_effects],
        outcome_rating=outcome_rating,
        notes=text(notes, "notes", limit=MAX_NOTE),
    )
    with store.writing() as s:
        require_person(s, person_id)
        s.add(row)
    return SessionResult(session=session_record(row))


def delete_session(
    store: StoreBase, session_id: str, *, person_id: str | None = None
) -> SessionRecord:
    """Delete one procedure session; returns the deleted record.

    Raises
    ------
    NotFound
        No such session, or (with ``person_id``) not a session of that person.
    """
    with store.writing() as s:
        row = s.get(m.ProcedureSession, session_id)
        if row is None or (person_id is not None and row.person_id != person_id):
            raise NotFound(problems=[Problem("session", "an existing session id", session_id)])
        record = session_record(row)
        s.execute(delete(m.ProcedureSession).where(m.ProcedureSession.id == session_id))
    checkpoint(store.engine)
    return record
