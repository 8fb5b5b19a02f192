"""Schema migrations: Alembic, run in-process from the revisions shipped in the package.

``open_store`` calls :func:`upgrade` on every open; when the database is already at the head
revision it returns after one query, without importing Alembic.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, Engine, inspect, text

__all__ = ["HEAD", "MIGRATIONS_DIR", "current_revision", "downgrade", "upgrade"]

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
HEAD = "0002"


def current_revision(connection: Connection) -> str | None:
    """The revision the database is at, or ``None`` for an empty database."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` (default: the newest), in one write transaction."""
    with engine.connect() as probe:
        at = current_revision(probe)
        probe.rollback()
    if revision == "head" and at == HEAD:
        return
    with engine.execution_options(sqlite_begin="IMMEDIATE").begin() as connection:
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
