"""``scarwise track doctor``: find, and with ``fix`` repair, what a crash can leave behind.

Photo files and rows change in a fixed order (:mod:`scarwise.store.locking`), so a crash at any
moment leaves only things that are safe to remove:

* **orphan files**: photo files no row names (a crash between a file's write and its row, or a
  refused write whose clean-up did not run);
* **temporaries**: ``.tmp-*`` files of a write that never finished, and the staging folders of
  an interrupted restore;
* **pending deletions**: photo files of deleted people whose removal was interrupted;
* **loose permissions**: files or folders of the store that others may read.

It also reports what it cannot repair: **missing files** (a row whose photo file is gone, which
the order above never produces; restore a backup) and files it does not know (never touched).

With ``fix`` it removes orphans, temporaries and pending files and makes the store owner-only.
Everything is done holding the store lock exclusive, so a writer between its file and its row is
waited for, and a file a row names is never removed.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Final

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from scarwise.results import Result
from scarwise.store import models as m
from scarwise.store.backups import staging_prefix
from scarwise.store.base import StoreBase
from scarwise.store.deletions import pending_count, purge_pending_locked
from scarwise.store.engine import sqlite_path
from scarwise.store.files import PhotoScan
from scarwise.store.privacy import loose, tighten

__all__ = ["DoctorInfo", "DoctorResult", "MissingPhoto", "doctor"]

#: Most paths or ids listed per kind of finding (the counts are always complete).
LISTED: Final = 50
#: How long the doctor waits for writers to finish, seconds.
DOCTOR_WAIT_S: Final = 60.0


class MissingPhoto(BaseModel):
    """A photo row whose file is not in the photo folder."""

    model_config = ConfigDict(frozen=True)

    photo: str
    person: str
    sha256: str


class DoctorInfo(BaseModel):
    """What the doctor found and, with ``fix``, did."""

    model_config = ConfigDict(frozen=True)

    photo_dir: str
    fixed: bool = Field(description="whether repairs were made (--fix)")
    healthy: bool = Field(description="nothing left to report after this run")
    photo_files: int = Field(description="photo files found")
    orphan_files: int
    temporary_files: int
    pending_deletions: int
    missing_files: int
    loose_permissions: int
    unknown_files: int
    removed_files: int = Field(description="files and folders removed (--fix)")
    tightened: int = Field(description="files and folders made owner-only (--fix)")
    orphans: list[str] = Field(description=f"hashes of orphan files (first {LISTED})")
    temporaries: list[str] = Field(description=f"temporary paths (first {LISTED})")
    missing: list[MissingPhoto] = Field(description=f"rows without their file (first {LISTED})")
    loose: list[str] = Field(description=f"paths others may read (first {LISTED})")
    unknown: list[str] = Field(description=f"other paths, never touched (first {LISTED})")


class DoctorResult(Result):
    """``track-doctor/1``: the store's consistency report."""

    schema_: str = Field(default="track-doctor/1", alias="schema", serialization_alias="schema")
    doctor: DoctorInfo


def doctor(store: StoreBase, *, fix: bool = False) -> DoctorResult:
    """Check the store's photo files against its rows, and with ``fix`` repair what is safe.

    Raises
    ------
    UsageError
        Writers kept the store busy for longer than a minute.
    """
    with store.lock.exclusive(DOCTOR_WAIT_S):
        with store.reading() as s:
            rows = s.execute(select(m.Photo.id, m.Photo.person_id, m.Photo.sha256)).all()
        referenced = {sha for _, _, sha in rows}
        scan = store.photos.scan()
        orphans = sorted(scan.digests - referenced)
        missing = [
            MissingPhoto(photo=pid, person=person, sha256=sha)
            for pid, person, sha in sorted(rows)
            if sha not in scan.digests
        ]
        temporaries = [*scan.temporaries, *_restore_leftovers(store)]
        pending = pending_count(store)
        loose_paths = _loose_paths(store, scan)
        removed = tightened = 0
        if fix:
            removed += store.photos.delete(orphans)
            for path in temporaries:
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
                removed += 1
            removed += purge_pending_locked(store)
            tightened = sum(tighten(p) for p in loose_paths)
    left = bool(missing) or (not fix and bool(orphans or temporaries or pending or loose_paths))
    return DoctorResult(
        doctor=DoctorInfo(
            photo_dir=str(store.photo_dir),
            fixed=fix,
            healthy=not left,
            photo_files=len(scan.digests),
            orphan_files=len(orphans),
            temporary_files=len(temporaries),
            pending_deletions=pending,
            missing_files=len(missing),
            loose_permissions=len(loose_paths),
            unknown_files=len(scan.unknown),
            removed_files=removed,
            tightened=tightened,
            orphans=orphans[:LISTED],
            temporaries=[str(p) for p in temporaries[:LISTED]],
            missing=missing[:LISTED],
            loose=[str(p) for p in loose_paths[:LISTED]],
            unknown=[str(p) for p in scan.unknown[:LISTED]],
        )
    )


def _restore_leftovers(store: StoreBase) -> list[Path]:
    parent = store.photo_dir.parent
    if not parent.is_dir():
        return []
    return sorted(parent.glob(staging_prefix(store.photo_dir) + "*"))


def _loose_paths(store: StoreBase, scan: PhotoScan) -> list[Path]:
    paths = list(scan.folders)
    paths += [store.photos.path_for(d) for d in sorted(scan.digests)]
    if store.backend == "sqlite":
        db = sqlite_path(store.url)
        paths += [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")]
    return [p for p in paths if loose(p)]
