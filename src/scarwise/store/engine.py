"""Engines for the store: SQLite with WAL and foreign keys on, or PostgreSQL by URL.

SQLite transactions are begun by us, not by the driver: reads with ``BEGIN`` and writes with
``BEGIN IMMEDIATE``, so a writer takes the write lock before it reads and two processes writing
at once wait for each other (``busy_timeout``) instead of failing with "database is locked" half
way through.

Privacy on SQLite: the database file is created owner-only before SQLite opens it (SQLite gives
its ``-wal`` and ``-shm`` files the same mode), ``secure_delete`` is on for every connection, so
deleted rows are overwritten with zeros whatever the SQLite build's default, and
:func:`checkpoint` moves the WAL into the database and truncates it, so a deleted person's
name and notes are in neither file afterwards. ``trusted_schema`` is off: nothing stored in the
schema may call functions with side effects.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError

from scarwise.errors import InvalidInput, Problem, UsageError
from scarwise.store.privacy import create_private, tighten

__all__ = [
    "BUSY_TIMEOUT_MS",
    "backend_of",
    "checkpoint",
    "make_engine",
    "normalise_url",
    "prepare_sqlite_file",
    "sqlite_path",
    "sqlite_url",
]

BUSY_TIMEOUT_MS = 30_000


def normalise_url(url: str) -> URL:
    """Parse a store URL; ``postgresql://`` means psycopg 3, ``sqlite:///path`` a file.

    Raises
    ------
    UsageError
        Not a URL, or not SQLite or PostgreSQL.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as err:
        raise UsageError(
            problems=[Problem("db", "a database URL (sqlite:///path or postgresql://...)", url)]
        ) from err
    backend = parsed.get_backend_name()
    if backend == "postgresql" and parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif backend not in {"sqlite", "postgresql"}:
        raise UsageError(problems=[Problem("db", "a sqlite:/// or postgresql:// URL", backend)])
    if backend == "sqlite" and parsed.database in {None, "", ":memory:"}:
        raise UsageError(
            problems=[Problem("db", "a SQLite file (an in-memory store cannot keep photos)", url)]
        )
    return parsed


def backend_of(url: URL) -> str:
    """``"sqlite"`` or ``"postgresql"``."""
    return url.get_backend_name()


def sqlite_url(path: Path) -> URL:
    """The URL of the SQLite file ``path`` (any characters in the path, ``?`` and ``#`` too)."""
    return URL.create("sqlite", database=str(path))


def sqlite_path(url: URL) -> Path:
    """The database file of a SQLite URL."""
    return Path(str(url.database)).expanduser()


def make_engine(url: URL) -> Engine:
    """An engine for ``url``: SQLite file (created, WAL, foreign keys) or PostgreSQL."""
    if backend_of(url) == "sqlite":
        prepare_sqlite_file(sqlite_path(url))
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    try:
        return create_engine(url, pool_pre_ping=True)
    except ModuleNotFoundError as err:  # psycopg is the 'postgres' extra
        raise InvalidInput(
            problems=[
                Problem(
                    "db",
                    "the psycopg driver (pip install 'scarwise[postgres]')",
                    str(url.drivername),
                )
            ]
        ) from err


def prepare_sqlite_file(path: Path) -> None:
    """Create the database file owner-only (its folder too, if new); tighten one that exists."""
    if not create_private(path):
        for name in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            tighten(name)


def checkpoint(engine: Engine) -> None:
    """SQLite: copy the WAL into the database file and truncate it (after a deletion, so the
    deleted rows are in neither file). A reader still busy elsewhere may keep a part of the
    WAL; the next checkpoint, at the latest when the last connection closes, completes it."""
    if engine.dialect.name != "sqlite":
        return
    raw = engine.raw_connection()
    try:
        cursor = raw.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        finally:
            cursor.close()
    finally:
        raw.close()


def _sqlite_on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # Let SQLAlchemy's 'begin' event issue BEGIN itself (the driver's implicit BEGIN is deferred
    # and cannot be made IMMEDIATE for writes).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute("PRAGMA trusted_schema=OFF")
        _enable_wal(cursor)
    finally:
        cursor.close()


def _enable_wal(cursor: sqlite3.Cursor) -> None:
    # WAL is a property of the file and persists. Switching to it needs an exclusive lock, and
    # SQLite answers "database is locked" without calling the busy handler when another process
    # is creating the same new file at that moment: retry for up to the busy timeout.
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _sqlite_on_begin(connection: Any) -> None:
    mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")
