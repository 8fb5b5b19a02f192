"""Backup and restore: SQLite's online backup API plus a copy of the photo files.

A backup of ``store.db`` written to ``OUT.db`` is itself a store: its photos are copied to
``OUT-photos/``, the directory :func:`scarwise.store.photo_dir_for` gives for that file, so
``scarwise track history --db sqlite:///OUT.db`` reads it directly. The online backup API copies
a consistent snapshot while other connections keep reading and writing; the backup is
owner-only (0600 file, 0700 folder).

A restore never changes the store until the whole backup has been checked, in a staging folder
beside the photo folder (``.<photo folder>.restore-*``, removed afterwards):

1. the database file is copied there and checked (:func:`scarwise.store.snapshots.check_snapshot`:
   integrity, no triggers or views, exactly scarwise's tables, a revision this version knows),
   upgraded to the current schema, and every person's records read back;
2. every photo a row names is read from the backup's photo folder (nothing else in it is
   looked at, so a stray ``.tmp-*`` file left by a crash is ignored), checked against its hash,
   passed through the intake gate and staged as the gate's re-encoded PNG.

Any problem is an :class:`~scarwise.errors.InvalidInput` (exit 3) and leaves the database and
the photo folder as they were. Then, holding the store lock exclusive (writers wait;
:mod:`scarwise.store.locking`), the staged photos are moved into the photo folder, the staged
database replaces the live one through the backup API in one step (one SQLite write
transaction: other connections see the old or the new database, never a mixture), and the
photo files no restored row names are removed. A crash at any moment leaves either the old
store or the new one, at worst with photo files no row names (``scarwise track doctor``).

PostgreSQL stores are backed up with ``pg_dump``/``pg_restore``; we say how instead of
half-doing it.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError

from scarwise.errors import InvalidInput, NotFound, Problem, ScarwiseError, UsageError
from scarwise.intake import read_photo
from scarwise.store import models as m
from scarwise.store.base import StoreBase
from scarwise.store.deletions import purge_pending_locked
from scarwise.store.engine import checkpoint, make_engine, sqlite_url
from scarwise.store.files import PhotoFiles, sha256_hex
from scarwise.store.migrate import upgrade
from scarwise.store.photos import prune_photo_files_locked
from scarwise.store.privacy import create_private, private_dir
from scarwise.store.records import records
from scarwise.store.snapshots import check_snapshot
from scarwise.tracking.models import BackupInfo, BackupResult, RestoreResult

__all__ = ["backup", "backup_photo_dir", "pg_dump_advice", "restore", "staging_prefix"]

#: What reading rows of an untrusted database may raise besides scarwise's own errors.
_DATA_ERRORS = (
    ValidationError,
    SQLAlchemyError,
    sqlite3.Error,
    ValueError,
    TypeError,
    KeyError,
    OverflowError,
)


def backup_photo_dir(db_file: Path) -> Path:
    """Where the photos of the backup ``db_file`` go: ``<stem>-photos`` beside it."""
    return db_file.with_name(f"{db_file.stem}-photos")


def staging_prefix(photo_dir: Path) -> str:
    """The name prefix of a restore's staging folder, beside ``photo_dir``."""
    return f".{photo_dir.name}.restore-"


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
    if out.exists() or not create_private(out):
        raise UsageError(
            problems=[Problem("out", "a file that does not exist yet", str(out))],
            hint="choose a new file name; a backup never overwrites",
        )
    photo_out = PhotoFiles(backup_photo_dir(out))
    had_photo_dir = photo_out.root.exists()
    try:
        with store.lock.shared():  # no photo file is removed while the backup copies it
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
            for digest in sorted(digests):
                if not photo_out.exists(digest):
                    photo_out.put(store.photos.read(digest))
        private_dir(photo_out.root)
    except BaseException:  # an unfinished backup is no backup: leave nothing behind
        out.unlink(missing_ok=True)
        if not had_photo_dir:
            shutil.rmtree(photo_out.root, ignore_errors=True)
        raise
    return BackupResult(
        backup=BackupInfo(
            file=str(out),
            photo_dir=str(photo_out.root),
            photos=len(digests),
            method="sqlite-online-backup",
        )
    )


def restore(store: StoreBase, source: str | Path) -> RestoreResult:
    """Replace the store's database and photos with the backup at ``source``, or change nothing.

    See the module docstring for the checks and the order of the swap.

    Raises
    ------
    NotFound
        No such backup file.
    InvalidInput
        Not a scarwise SQLite database, damaged, altered (triggers, views, other tables), of a
        schema this version does not know (a newer one: the hint says to upgrade scarwise),
        records that do not read back, or a photo that is missing, does not match its hash or
        fails the intake gate. Nothing was changed.
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
    with _staging(store.photo_dir) as staging:
        staged = staging / "restore.db"
        staged_photos = PhotoFiles(staging / "photos")
        _copy_database(source, staged)
        check_snapshot(staged)
        digests = _stage(store, staged, PhotoFiles(backup_photo_dir(source)), staged_photos)
        _match_page_size(staged, _page_size(store))
        with store.lock.exclusive():
            _move_photos(staged_photos, store.photos)
            _swap_database(staged, store)
            prune_photo_files_locked(store)
            purge_pending_locked(store)
            checkpoint(store.engine)
    return RestoreResult(
        restore=BackupInfo(
            file=str(source),
            photo_dir=str(store.photo_dir),
            photos=len(digests),
            method="sqlite-online-backup",
        )
    )


@contextmanager
def _staging(photo_dir: Path) -> Iterator[Path]:
    """A private folder beside the photo folder (same file system), removed afterwards."""
    parent = private_dir(photo_dir.parent)
    folder = Path(tempfile.mkdtemp(prefix=staging_prefix(photo_dir), dir=parent))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _copy_database(source: Path, staged: Path) -> None:
    """Copy the backup (and a WAL beside it, which SQLite then applies) to the staging folder."""
    create_private(staged)
    shutil.copyfile(source, staged)
    wal = source.with_name(source.name + "-wal")
    if wal.is_file():
        create_private(staged.with_name(staged.name + "-wal"))
        shutil.copyfile(wal, staged.with_name(staged.name + "-wal"))


def _stage(
    store: StoreBase, staged: Path, backup_photos: PhotoFiles, target: PhotoFiles
) -> set[str]:
    """Upgrade the staged copy, read every person back, stage every photo through the gate;
    returns the photo hashes the restored rows name."""
    engine = make_engine(sqlite_url(staged))
    try:
        try:
            upgrade(engine)
        except _DATA_ERRORS as err:
            raise _unreadable("the schema could not be brought up to date", err) from err
        copy = StoreBase(engine, target.root, url=sqlite_url(staged))
        with copy.reading() as s:
            people = list(s.scalars(select(m.Person.id)))
            digests = set(s.scalars(select(m.Photo.sha256).distinct()))
        for person_id in people:
            try:
                records(copy, person_id)
            except _DATA_ERRORS as err:
                raise _unreadable(
                    f"the records of person {person_id} do not read back", err
                ) from err
        renamed = _stage_photos(store, digests, backup_photos, target)
        if renamed:
            with copy.writing() as s:
                for old, new in sorted(renamed.items()):
                    s.execute(
                        text("UPDATE photos SET sha256 = :new WHERE sha256 = :old"),
                        {"new": new, "old": old},
                    )
        return {renamed.get(d, d) for d in digests}
    finally:
        engine.dispose()


def _stage_photos(
    store: StoreBase, digests: set[str], backup_photos: PhotoFiles, target: PhotoFiles
) -> dict[str, str]:
    """Gate every photo into ``target``; the hashes the re-encoding changed (old -> new)."""
    limits = store.intake_limits
    problems: list[Problem] = []
    renamed: dict[str, str] = {}
    for digest in sorted(digests):
        try:
            path = backup_photos.path_for(digest)
        except ScarwiseError:
            problems.append(Problem("backup.photos", "a SHA-256 photo name", digest[:80]))
            continue
        name = f"{backup_photos.root.name}/{path.parent.name}/{path.name}"
        if path.is_symlink() or not path.is_file():
            problems.append(Problem(name, "the photo file", "missing"))
            continue
        if path.stat().st_size > limits.max_bytes:
            problems.append(Problem(name, f"at most {limits.max_bytes} bytes", path.stat().st_size))
            continue
        data = path.read_bytes()
        if sha256_hex(data) != digest:
            problems.append(Problem(name, "content matching its SHA-256 name", "different content"))
            continue
        try:
            png = read_photo(data, limits=limits, name=path.name).to_png_bytes()
        except InvalidInput as err:
            problems.extend(Problem(name, p.expected, p.got) for p in err.problems[:1])
            continue
        new, _ = target.put(png)
        if new != digest:
            renamed[digest] = new
        if len(problems) >= 20:
            break
    if problems:
        raise InvalidInput(
            "photos of the backup are missing or damaged; nothing was restored",
            problems=problems[:20],
        )
    return renamed


def _page_size(store: StoreBase) -> int:
    raw = store.engine.raw_connection()
    try:
        cursor = raw.driver_connection.cursor()  # type: ignore[union-attr]
        size = int(cursor.execute("PRAGMA page_size").fetchone()[0])
        cursor.close()
        return size
    finally:
        raw.close()


def _match_page_size(staged: Path, page_size: int) -> None:
    """Give the staged copy the live database's page size (the backup API into a WAL database
    needs equal page sizes) and no free pages."""
    con = sqlite3.connect(staged)
    try:
        con.execute("PRAGMA journal_mode=DELETE").fetchall()
        con.execute(f"PRAGMA page_size={int(page_size)}")
        con.execute("VACUUM")
    finally:
        con.close()


def _move_photos(staged: PhotoFiles, live: PhotoFiles) -> None:
    """Move the staged files into the photo folder (same file system: a rename each)."""
    for digest in sorted(staged.all_digests()):
        target = live.path_for(digest)
        if target.is_file():
            continue
        private_dir(target.parent)
        os.replace(staged.path_for(digest), target)


def _swap_database(staged: Path, store: StoreBase) -> None:
    """Copy the staged database over the live one in one step of the backup API."""
    src = sqlite3.connect(staged)
    raw = store.engine.raw_connection()
    try:
        target = raw.driver_connection
        assert isinstance(target, sqlite3.Connection)
        src.backup(target)
    finally:
        raw.close()
        src.close()
    store.engine.dispose()


def _unreadable(what: str, err: Exception) -> InvalidInput:
    return InvalidInput(
        f"the backup cannot be restored: {what} ({type(err).__name__})",
        problems=[Problem("backup", "records scarwise can read", "unreadable")],
        hint="this file was altered after scarwise wrote it, or is not a scarwise backup",
    )


def _digests(db_file: Path) -> set[str]:
    """The photo hashes a SQLite scarwise database refers to (:class:`InvalidInput` if it is none)."""
    try:
        con = sqlite3.connect(f"{db_file.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as err:
        raise InvalidInput(
            problems=[Problem("backup", "a scarwise SQLite database", str(db_file))]
        ) from err
    try:
        return {row[0] for row in con.execute("SELECT sha256 FROM photos")}
    except sqlite3.DatabaseError as err:
        raise InvalidInput(
            problems=[Problem("backup", "a scarwise SQLite database", str(db_file))]
        ) from err
    finally:
        con.close()
