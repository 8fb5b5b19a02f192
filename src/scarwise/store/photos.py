"""Photos: every one passes the intake gate and only its stripped, re-encoded PNG is kept.

Files are written before their rows commit, under the store lock held shared
(:mod:`scarwise.store.locking`), and removed again if the transaction fails, so a refused photo
or a failed write leaves neither a row nor a file behind, and a crash at any moment leaves at
most a file no row names (``scarwise track doctor`` finds and removes it).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, select

from scarwise.errors import InvalidInput, NotFound, Problem
from scarwise.intake import Photo, read_photo, read_photo_file
from scarwise.store import models as m
from scarwise.store.base import StoreBase, When
from scarwise.store.checks import MAX_LABEL, require_person, text
from scarwise.store.deletions import discard_unreferenced, purge_pending, queue_deletions
from scarwise.store.engine import checkpoint
from scarwise.store.people import get_person
from scarwise.store.rows import photo_record
from scarwise.tracking.models import PhotoRecord, PhotosResult

__all__ = [
    "add_gated_photos",
    "add_photo_bytes",
    "add_photos",
    "delete_photo",
    "photo",
    "photo_png",
    "prune_photo_files",
    "prune_photo_files_locked",
]


def add_photos(
    store: StoreBase,
    person_id: str,
    files: Sequence[str | Path],
    *,
    date: When = None,
    region: str | None = None,
) -> PhotosResult:
    """Pass each file through the intake gate and keep only its stripped, re-encoded PNG.

    Every file is checked before anything is stored: one refused photo stores none.
    """
    when = store.when(date)
    region = text(region, "region", limit=MAX_LABEL)
    get_person(store, person_id)
    if not files:
        raise InvalidInput(problems=[Problem("files", "one or more photo files", "none")])
    gated = [read_photo_file(f, limits=store.intake_limits) for f in files]
    return _store_photos(
        store,
        person_id,
        [(p.sha256_original, p.size_px, p.to_png_bytes()) for p in gated],
        when,
        region,
    )


def add_photo_bytes(
    store: StoreBase,
    person_id: str,
    data: bytes,
    *,
    name: str = "upload",
    date: When = None,
    region: str | None = None,
) -> PhotosResult:
    """As :func:`add_photos`, for bytes already in memory (a web upload)."""
    when = store.when(date)
    region = text(region, "region", limit=MAX_LABEL)
    get_person(store, person_id)
    gated = read_photo(data, limits=store.intake_limits, name=name)
    return _store_photos(
        store,
        person_id,
        [(gated.sha256_original, gated.size_px, gated.to_png_bytes())],
        when,
        region,
    )


def add_gated_photos(
    store: StoreBase,
    person_id: str,
    photos: Sequence[Photo],
    *,
    date: When = None,
    region: str | None = None,
) -> PhotosResult:
    """Keep photos that already passed the intake gate (a workflow that analysed them first), in
    one transaction and in the given order: their stripped, re-encoded PNGs only."""
    when = store.when(date)
    region = text(region, "region", limit=MAX_LABEL)
    get_person(store, person_id)
    if not photos:
        raise InvalidInput(problems=[Problem("photos", "one or more photos", "none")])
    return _store_photos(
        store,
        person_id,
        [(p.sha256_original, p.size_px, p.to_png_bytes()) for p in photos],
        when,
        region,
    )


def photo(store: StoreBase, photo_id: str) -> PhotoRecord:
    """One photo's record (:class:`~scarwise.NotFound` if there is no such id)."""
    with store.reading() as s:
        row = s.get(m.Photo, photo_id)
        if row is None:
            raise NotFound(problems=[Problem("photo", "an existing photo id", photo_id)])
        return photo_record(row)


def delete_photo(store: StoreBase, photo_id: str, *, person_id: str | None = None) -> PhotoRecord:
    """Delete one photo: its row, its place in the analyses made from it (the analyses stay), and
    its file unless another photo row has the very same image. Returns the deleted record.

    The file goes as a person's do (:mod:`scarwise.store.deletions`): listed for removal in the
    transaction that deletes the row, removed after the commit under the store lock.

    Raises
    ------
    NotFound
        No such photo, or (with ``person_id``) not a photo of that person.
    """
    with store.writing() as s:
        row = s.get(m.Photo, photo_id)
        if row is None or (person_id is not None and row.person_id != person_id):
            raise NotFound(problems=[Problem("photo", "an existing photo id", photo_id)])
        record = photo_record(row)
        s.execute(delete(m.Photo).where(m.Photo.id == photo_id))
        queue_deletions(s, [record.sha256])
    purge_pending(store)
    checkpoint(store.engine)
    return record


def photo_png(store: StoreBase, photo_id: str) -> bytes:
    """The stored PNG of a photo (checked against its hash)."""
    return store.photos.read(photo(store, photo_id).sha256)


def prune_photo_files(store: StoreBase) -> int:
    """Delete photo files that no photo row names (left by a crash between a file's write and
    its row, or between a deletion's commit and the file removal); returns how many were
    removed. Waits for writers (the store lock, exclusive)."""
    with store.lock.exclusive():
        return prune_photo_files_locked(store)


def prune_photo_files_locked(store: StoreBase) -> int:
    """As :func:`prune_photo_files`, for a caller already holding the lock exclusive."""
    with store.reading() as s:
        referenced = set(s.scalars(select(m.Photo.sha256)))
    return store.photos.remove_unreferenced(referenced)


def _store_photos(
    store: StoreBase,
    person_id: str,
    items: Sequence[tuple[str, tuple[int, int], bytes]],
    when: datetime,
    region: str | None,
) -> PhotosResult:
    written: list[str] = []
    rows: list[m.Photo] = []
    try:
        with store.lock.shared():
            for original, (width, height), png in items:
                digest, new = store.photos.put(png)
                if new:
                    written.append(digest)
                rows.append(
                    m.Photo(
                        id=store.new_id(),
                        person_id=person_id,
                        occurred_at=when,
                        sha256_original=original,
                        sha256=digest,
                        width_px=width,
                        height_px=height,
                        region=region,
                    )
                )
            with store.writing() as s:
                require_person(s, person_id)
                s.add_all(rows)
    except BaseException:
        discard_unreferenced(store, written)
        raise
    return PhotosResult(photos=[photo_record(r) for r in rows])
