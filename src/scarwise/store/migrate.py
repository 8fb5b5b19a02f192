"""Schema migrations: Alembic, run in-process from the revisions shipped in the package.

``open_store`` calls :func:`upgrade` on every open; when the database is already at the head
revision it returns after one query, without importing Alembic.

Several processes may open a new or older database at once. On SQLite the migration runs in
one ``BEGIN IMMEDIATE`` transaction, so the others wait and then find the schema current. On
PostgreSQL the transaction first takes a transaction-level advisory lock
(``pg_advisory_xact_lock``, keyed by the schema), so migrations of one schema run one at a time
and the later ones find nothing left to do.

A database at a revision this version does not know was written by a newer scarwise: it is
refused with a clear message instead of failing inside Alembic.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from sqlalchemy import Connection, Engine, inspect, text

from scarwise.errors import Problem, UsageError

__all__ = [
    "HEAD",
    "MIGRATIONS_DIR",
    "REVISIONS",
    "current_revision",
    "downgrade",
    "newer_schema_error",
    "upgrade",
]

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
#: Every revision this version ships, oldest first.
REVISIONS: Final = ("0001", "0002", "0003")
HEAD: Final = REVISIONS[-1]
_LOCK_KEY: Final = "scarwise-migrations"


def current_revision(connection: Connection) -> str | None:
    """The revision the database is at, or ``None`` for an empty database."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def newer_schema_error(revision: object, what: str = "store") -> UsageError:
    """The error for a database at a revision this version does not know."""
    return UsageError(
        f"this {what} has schema revision {revision!r}, which this version of scarwise does "
        f"not know (it knows {', '.join(REVISIONS)}): it was written by a newer scarwise",
        problems=[Problem("schema", f"one of {', '.join(REVISIONS)}", revision)],
        hint="upgrade scarwise to open it",
    )


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` (default: the newest), in one write transaction.

    Raises
    ------
    UsageError
        The database is at a revision this version does not know (a newer scarwise wrote it).
    """
    with engine.connect() as probe:
        at = current_revision(probe)
        probe.rollback()
    if at is not None and at not in REVISIONS:
        raise newer_schema_error(at)
    if revision == "head" and at == HEAD:
        return
    with engine.execution_options(sqlite_begin="IMMEDIATE").begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(hashtext(:key), hashtext(current_schema()))"),
                {"key": _LOCK_KEY},
            )
        if revision == "head" and current_revision(connection) == HEAD:
            return  # another process migrated while this one waited
        _run(connection, "upgrade", revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the database back to ``revision`` (used by the migration tests)."""
    with engine.execution_options(sqlite_begin="IMMEDIATE").begin() as connection:
        _run(connection, "downgrade", revision)


def _run(connection: Connection, direction: str, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    if direction == "upgrade":
        command.upgrade(config, revision)
    else:
        command.downgrade(config, revision)
