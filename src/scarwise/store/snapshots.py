"""Checking a SQLite database nobody vouches for (a backup to restore) before any of it is used.

:func:`check_snapshot` opens a private copy with ``trusted_schema`` off and refuses it, as
:class:`~scarwise.errors.InvalidInput`, unless

1. SQLite reads it and ``PRAGMA integrity_check`` answers ``ok`` (a corrupted page is refused
   here, not found later as "database disk image is malformed");
2. it holds no trigger and no view (a planted ``CREATE TRIGGER ... DELETE FROM people`` would
   fire on the next note), and exactly the tables and indexes, with the same columns, foreign
   keys and index columns, that scarwise's migrations make at its revision (compared with a
   database built by those migrations);
3. its revision is one this version knows (a newer one says to upgrade scarwise);
4. ``PRAGMA foreign_key_check`` finds no row pointing at nothing.
"""

from __future__ import annotations

import functools
import sqlite3
import tempfile
from pathlib import Path
from typing import Any, Final

from scarwise.errors import InvalidInput, Problem
from scarwise.store.engine import make_engine, sqlite_url
from scarwise.store.migrate import HEAD, REVISIONS, upgrade

__all__ = ["Shape", "check_snapshot", "reference_shape", "shape_of"]

#: A database's shape: schema object -> a description of it (columns, keys, index columns).
Shape = dict[tuple[str, str], tuple[Any, ...]]

_FIELD: Final = "backup"


def check_snapshot(path: Path) -> str:
    """Check the SQLite file ``path`` as the module docstring says; returns its revision.

    ``path`` must be a private copy: checking it may write to it (SQLite rolls back a hot
    journal on opening).

    Raises
    ------
    InvalidInput
        Not a SQLite database, damaged, a trigger or view, an unexpected table, index or
        column, an unknown or newer revision, or a broken reference; the hint says what to do.
    """
    try:
        con = sqlite3.connect(path)
    except sqlite3.Error as err:
        raise _refused("a readable SQLite database", "unreadable", err) from err
    try:
        con.execute("PRAGMA trusted_schema=OFF")
        try:
            verdict = [row[0] for row in con.execute("PRAGMA integrity_check(20)")]
        except sqlite3.DatabaseError as err:
            raise _refused("a scarwise SQLite database", "not a database", err) from err
        if verdict != ["ok"]:
            raise InvalidInput(
                "the backup's database is damaged (PRAGMA integrity_check failed)",
                problems=[Problem(_FIELD, "an intact SQLite database", v[:200]) for v in verdict],
                hint="use another backup; this one cannot be restored",
            )
        shape = shape_of(con)
        planted = sorted(name for kind, name in shape if kind in {"trigger", "view"})
        if planted:
            raise InvalidInput(
                "the backup holds triggers or views, which scarwise never makes",
                problems=[Problem(_FIELD, "no triggers or views", name) for name in planted],
                hint="this file was altered after scarwise wrote it; do not restore it",
            )
        revision = _revision(con)
        expected = reference_shape(revision)
        problems = _shape_problems(expected, shape)
        if problems:
            raise InvalidInput(
                "the backup's tables are not the ones scarwise makes",
                problems=problems[:20],
                hint="this file was altered after scarwise wrote it, or is not a scarwise backup",
            )
        dangling = con.execute("PRAGMA foreign_key_check").fetchmany(20)
        if dangling:
            raise InvalidInput(
                "rows of the backup refer to rows that are not there",
                problems=[
                    Problem(f"{_FIELD}.{row[0]}", "rows that refer to existing rows", row[2])
                    for row in dangling
                ],
                hint="use another backup; this one is inconsistent",
            )
        return revision
    finally:
        con.close()


def shape_of(con: sqlite3.Connection) -> Shape:
    """Every schema object with what matters about it (internal ``sqlite_stat`` tables left out)."""
    shape: Shape = {}
    objects = con.execute(
        "SELECT type, name, tbl_name FROM sqlite_master ORDER BY type, name"
    ).fetchall()
    for kind, name, table in objects:
        if str(name).startswith("sqlite_stat"):
            continue
        if kind == "table":
            columns = tuple(
                (c[1], str(c[2]).upper(), c[3], c[4], c[5], c[6])
                for c in con.execute(f'PRAGMA table_xinfo("{_quoted(name)}")')
            )
            keys = tuple(
                sorted(
                    (k[2], k[3], k[4], k[5], k[6])
                    for k in con.execute(f'PRAGMA foreign_key_list("{_quoted(name)}")')
                )
            )
            shape[(kind, name)] = (columns, keys)
        elif kind == "index":
            listed = {
                i[1]: (i[2], i[4]) for i in con.execute(f'PRAGMA index_list("{_quoted(table)}")')
            }
            columns = tuple(c[2] for c in con.execute(f'PRAGMA index_info("{_quoted(name)}")'))
            shape[(kind, name)] = (table, columns, listed.get(name))
        else:
            shape[(kind, name)] = (table,)
    return shape


@functools.lru_cache(maxsize=len(REVISIONS))
def reference_shape(revision: str) -> Shape:
    """The shape scarwise's migrations give a new database at ``revision``."""
    with tempfile.TemporaryDirectory(prefix="scarwise-reference-") as folder:
        path = Path(folder) / "reference.db"
        engine = make_engine(sqlite_url(path))
        try:
            upgrade(engine, revision)
        finally:
            engine.dispose()
        con = sqlite3.connect(path)
        try:
            return shape_of(con)
        finally:
            con.close()


def _revision(con: sqlite3.Connection) -> str:
    try:
        rows = con.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.DatabaseError as err:
        raise _refused("a scarwise SQLite database", "no schema revision", err) from err
    if len(rows) != 1 or not isinstance(rows[0][0], str):
        raise InvalidInput(
            problems=[Problem(f"{_FIELD}.schema", "one schema revision", [r[0] for r in rows][:5])]
        )
    revision: str = rows[0][0]
    if revision in REVISIONS:
        return revision
    newer = revision.isdigit() and int(revision) > int(HEAD)
    raise InvalidInput(
        f"the backup has schema revision {revision!r}, which this version of scarwise does not "
        f"know (it knows {', '.join(REVISIONS)})",
        problems=[Problem(f"{_FIELD}.schema", f"one of {', '.join(REVISIONS)}", revision)],
        hint=(
            "it was made by a newer scarwise: upgrade scarwise to restore it"
            if newer
            else "this file was altered after scarwise wrote it, or is not a scarwise backup"
        ),
    )


def _shape_problems(expected: Shape, found: Shape) -> list[Problem]:
    problems = [
        Problem(f"{_FIELD}.{kind}", f"no {kind} {name!r}", "an extra one")
        for kind, name in sorted(set(found) - set(expected))
    ]
    problems += [
        Problem(f"{_FIELD}.{kind}", f"the {kind} {name!r}", "missing")
        for kind, name in sorted(set(expected) - set(found))
    ]
    problems += [
        Problem(f"{_FIELD}.{kind}", f"the {kind} {name!r} as scarwise makes it", "altered")
        for (kind, name) in sorted(set(expected) & set(found))
        if expected[(kind, name)] != found[(kind, name)]
    ]
    return problems


def _quoted(name: str) -> str:
    return name.replace('"', '""')


def _refused(expected: str, got: str, err: Exception) -> InvalidInput:
    return InvalidInput(
        f"the backup is not a readable scarwise database ({type(err).__name__})",
        problems=[Problem(_FIELD, expected, got)],
        hint="choose a file written by 'scarwise track backup'",
    )
