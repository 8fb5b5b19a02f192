"""People: add, list, read and delete a person (with every record and photo file of theirs).

Deleting a person leaves no trace: the rows go in one transaction that also lists their photo
files as pending removal, the files go right after the commit (or, after a crash, at the next
purge: :mod:`scarwise.store.deletions`), and on SQLite the WAL is checkpointed into the database
file, where ``secure_delete`` has overwritten the deleted rows with zeros.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select

from scarwise.store import models as m
from scarwise.store.base import StoreBase
from scarwise.store.checks import require_person, text
from scarwise.store.deletions import purge_pending, queue_deletions
from scarwise.store.engine import checkpoint
from scarwise.store.rows import person_record
from scarwise.tracking.dates import to_utc
from scarwise.tracking.models import (
    DeletedInfo,
    DeletedResult,
    PeopleResult,
    PersonRecord,
    PersonResult,
)

__all__ = ["add_person", "delete_person", "get_person", "list_people"]


def add_person(store: StoreBase, name: str) -> PersonResult:
    """Add a person; returns their new id."""
    clean = text(name, "name", required=True)
    assert clean is not None
    row = m.Person(id=store.new_id(), name=clean, created_at=to_utc(store.clock()))
    with store.writing() as s:
        s.add(row)
    return PersonResult(person=person_record(row))


def list_people(store: StoreBase) -> PeopleResult:
    """Everyone in the store, by name."""
    with store.reading() as s:
        rows = s.scalars(select(m.Person).order_by(m.Person.name, m.Person.id)).all()
        return PeopleResult(people=[person_record(r) for r in rows])


def get_person(store: StoreBase, person_id: str) -> PersonRecord:
    """One person (:class:`~scarwise.NotFound` if there is no such id)."""
    with store.reading() as s:
        return person_record(require_person(s, person_id))


def delete_person(store: StoreBase, person_id: str) -> DeletedResult:
    """Delete a person, every record of theirs, and their photo files (unless another person
    has the very same image)."""
    with store.writing() as s:
        require_person(s, person_id)
        digests = set(s.scalars(select(m.Photo.sha256).where(m.Photo.person_id == person_id)))
        count = s.scalar(
            select(func.count()).select_from(m.Photo).where(m.Photo.person_id == person_id)
        )
        s.execute(delete(m.Person).where(m.Person.id == person_id))
        queue_deletions(s, digests)
    purge_pending(store)
    checkpoint(store.engine)
    return DeletedResult(deleted=DeletedInfo(person=person_id, photos=int(count or 0)))
