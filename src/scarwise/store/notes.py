"""Free-text notes on a date."""

from __future__ import annotations

from scarwise.store import models as m
from scarwise.store.base import StoreBase, When
from scarwise.store.checks import MAX_NOTE, require_person
from scarwise.store.checks import text as clean_text
from scarwise.store.rows import note_record
from scarwise.tracking.models import NoteResult

__all__ = ["add_note"]


def add_note(store: StoreBase, person_id: str, text: str, *, date: When = None) -> NoteResult:
    """Add a note (up to 10,000 characters) to a person's history."""
    clean = clean_text(text, "text", required=True, limit=MAX_NOTE)
    assert clean is not None
    row = m.Note(id=store.new_id(), person_id=person_id, occurred_at=store.when(date), text=clean)
    with store.writing() as s:
        require_person(s, person_id)
        s.add(row)
    return NoteResult(note=note_record(row))
