"""Removing photo files safely: only files no committed row names, and never half-done.

A person's deletion records their photo files in ``pending_deletions`` in the same transaction
that deletes the rows; :func:`purge_pending` removes the files after the commit and then forgets
them. A crash between the two leaves the list, which the next purge (after the next deletion,
when a store is opened, or ``scarwise track doctor``) finishes. Files of a write that failed
are removed by :func:`discard_unreferenced`. Both look at the rows again under the store lock
held exclusive (:mod:`scarwise.store.locking`), so a file another writer has just reused for a
new row stays.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from datetime import UTC, datetime
from typing import Final, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from scarwise.store import models as m
from scarwise.store.base import StoreBase

__all__ = [
    "PURGE_WAIT_S",
    "discard_unreferenced",
    "pending_count",
    "purge_pending",
    "purge_pending_locked",
    "queue_deletions",
    "referenced_among",
]

#: How long a purge waits for writers before leaving the files for the next purge, seconds.
PURGE_WAIT_S: Final = 10.0
_CHUNK: Final = 500
_T = TypeVar("_T")


def queue_deletions(s: Session, digests: Iterable[str]) -> None:
    """Record photo files to remove once no row names them (inside the deleting transaction)."""
    wanted = set(digests)
    if not wanted:
        return
    known: set[str] = set()
    for part in _chunks(sorted(wanted)):
        known |= set(
            s.scalars(select(m.PendingDeletion.sha256).where(m.PendingDeletion.sha256.in_(part)))
        )
    now = datetime.now(UTC)
    s.add_all(m.PendingDeletion(sha256=d, queued_at=now) for d in sorted(wanted - known))


def referenced_among(s: Session, digests: Collection[str]) -> set[str]:
    """The hashes of ``digests`` some photo row names."""
    found: set[str] = set()
    for part in _chunks(sorted(digests)):
        found |= set(s.scalars(select(m.Photo.sha256).where(m.Photo.sha256.in_(part)).distinct()))
    return found


def pending_count(store: StoreBase) -> int:
    """How many photo files wait to be removed."""
    with store.reading() as s:
        return len(list(s.scalars(select(m.PendingDeletion.sha256))))


def purge_pending(store: StoreBase, *, wait_s: float = PURGE_WAIT_S) -> int:
    """Remove the pending files no row names and forget them; returns how many were removed.

    If writers hold the lock for longer than ``wait_s`` the files stay pending for the next
    purge (0 is returned).
    """
    with store.reading() as s:
        pending = set(s.scalars(select(m.PendingDeletion.sha256)))
    if not pending:
        return 0
    with store.lock.try_exclusive(wait_s) as locked:
        if not locked:
            return 0
        return _purge_locked(store, pending)


def purge_pending_locked(store: StoreBase) -> int:
    """As :func:`purge_pending`, for a caller already holding the lock exclusive."""
    with store.reading() as s:
        pending = set(s.scalars(select(m.PendingDeletion.sha256)))
    return _purge_locked(store, pending) if pending else 0


def discard_unreferenced(store: StoreBase, digests: Collection[str]) -> int:
    """Remove those of the files ``digests`` that no row names (after a failed write).

    If the lock does not come in time, they stay for ``scarwise track doctor``.
    """
    if not digests:
        return 0
    with store.lock.try_exclusive(PURGE_WAIT_S) as locked:
        if not locked:
            return 0
        with store.reading() as s:
            used = referenced_among(s, digests)
        return store.photos.delete(set(digests) - used)


def _purge_locked(store: StoreBase, pending: set[str]) -> int:
    # Files first, then the list: a crash in between only repeats the removal.
    with store.reading() as s:
        used = referenced_among(s, pending)
    removed = store.photos.delete(pending - used)
    with store.writing() as s:
        for part in _chunks(sorted(pending)):
            s.execute(delete(m.PendingDeletion).where(m.PendingDeletion.sha256.in_(part)))
    return removed


def _chunks(items: list[_T]) -> Iterator[list[_T]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]
