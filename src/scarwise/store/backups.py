"""Backup and restore: SQLite's online backup API plus a copy of the photo files.

A backup of ``store.db`` written to ``OUT.db`` is itself a store: its photos are copied to
``OUT-photos/``, the directory :func:`scarwise.store.photo_dir_for` gives for that file, so
``scarwise track history --db sqlite:///OUT.db`` reads it directly. The online backup API copies
a consistent snapshot while other connections keep reading and writing.

PostgreSQL stores are backed up with ``pg_dump``/``pg_restore``; we say how instead of
half-doing it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from scarwise.errors import InvalidInput, NotFound, Problem, UsageError
from scarwise.store.base import StoreBase
from scarwise.store.files import PhotoFiles
from scarwise.store.migrate import upgrade
from scarwise.store.photos import prune_photo_files
from scarwise.tracking.models import BackupInfo, BackupResult, RestoreResult

__all__ = ["backup", "backup_photo_dir", "pg_dump_advice", "restore"]


def backup_photo_dir(db_file: Path) -> Path:
    """Where the photos of the backup ``db_file`` go: ``<stem>-photos`` beside it."""
    return db_file.with_name(f"{db_file.stem}-photos")


def pg_dump_advice(store: StoreBase) -> str:
    """How to back up and restore a PostgreSQL store with its own tools."""
    safe = store.url.render_as_string(hide_password=True).replace(
        "postgresql+psycopg", "postgresql"
    )
    return (
        f"back up a PostgreSQL store with: pg_dump --format=custom --file=scarwise.dump '{safe}' "
        f"and copy the photo directory {store.photo_dir}; restore with pg_restore --clean "
        f"--dbname='{safe}' scarwise.dump and copy the photos back"
    )


def backup(store: StoreBase, out: str | Path) -> BackupResult:
    """Write a consistent copy of the store's SQLite database to ``out`` and copy its photos.

    Raises
    ------
    UsageError
        ``out`` exists already (a backup never overwrites), or the store is on PostgreSQL (the
        hint says how to use ``pg_dump``).
    """
    out = Path(out)
    if store.backend != "sqlite":
        raise UsageError(
            "backup of a PostgreSQL store is done with pg_dump", hint=pg_dump_advice(store)
        )
    if out.exists():
        raise UsageError(
            problems=[Problem("out", "a file that does not exist yet", str(out))],
            hint="choose a new file name; a backup never overwrites",
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    photo_out = backup_photo_dir(out)
    raw = store.engine.raw_connection()
    try:
        source = raw.driver_connection
        assert isinstance(source, sqlite3.Connection)
        target = sqlite3.connect(out)
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
    finally:
        raw.close()
    digests = _digests(out)
    copied = _copy_photos(store.photos, PhotoFiles(photo_out), digests)
    return BackupResult(
        backup=BackupInfo(
            file=str(out), photo_dir=str(photo_out), photos=copied, method="sqlite-online-backup"
        )
    )


def restore(store: StoreBase, source: str | Path) -> RestoreResult:
    """Replace the store's database and photos with the backup at ``source``.

    The backup is checked first (a SQLite scarwise database whose photos are all present);
    then the database is copied in with the online backup API and upgraded to the current schema.

    Raises
    ------
    NotFound
        No such backup file.
    InvalidInput
        Not a scarwise SQLite database, or photos of the backup are missing.
    UsageError
        The store is on PostgreSQL (the hint says how to use ``pg_restore``).
    """
    source = Path(source)
    if store.backend != "sqlite":
        raise UsageError(
            "restore of a PostgreSQL store is done with pg_restore", hint=pg_dump_advice(store)
        )
    if not source.is_file():
        raise NotFound(problems=[Problem("backup", "an existing backup file", str(source))])
    digests = _digests(source)
    backup_photos = PhotoFiles(backup_photo_dir(source))
    missing = [d for d in sorted(digests) if not backup_photos.exists(d)]
    if missing:
        raise InvalidInput(
            problems=[
                Problem("photos", "every photo of the backup", f"{d[:12]}... missing")
                for d in missing[:20]
            ]
        )
    copied = _copy_photos(backup_photos, store.photos, digests)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    raw = store.engine.raw_connection()
    try:
        target = raw.driver_connection
        assert isinstance(target, sqlite3.Connection)
        src.backup(target)
    finally:
        raw.close()
        src.close()
    store.engine.dispose()
    upgrade(store.engine)
    prune_photo_files(store)
    return RestoreResult(
        restore=BackupInfo(
            file=str(source),
            photo_dir=str(store.photo_dir),
            photos=copied,
            method="sqlite-online-backup",
        )
    )


def _digests(db_file: Path) -> set[str]:
    """The photo hashes a SQLite scarwise database refers to (:class:`InvalidInput` if it is none)."""
    try:
        con = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
    except sqlite3.Error as err:
        raise InvalidInput(
            problems=[Problem("backup", "a scarwise SQLite database", str(db_file))]
        ) from err
    try:
        con.execute("SELECT version_num FROM alembic_version").fetchone()
        return {row[0] for row in con.execute("SELECT sha256 FROM photos")}
    except sqlite3.DatabaseError as err:
        raise InvalidInput(
            problems=[Problem("backup", "a scarwise SQLite database", str(db_file))]
        ) from err
    finally:
        con.close()


def _copy_photos(source: PhotoFiles, target: PhotoFiles, digests: set[str]) -> int:
    copied = 0
    for digest in sorted(digests):
        if not target.exists(digest):
            target.put(source.read(digest))
        copied += 1
    return copied
