"""pytest fixtures for the tracking store, on SQLite and on PostgreSQL.

Use it from a ``conftest.py`` with ``from scarwise.testing.store_fixtures import *``. The
``store`` fixture is parametrised over both engines: ``[sqlite]`` uses a fresh file in
``tmp_path``; ``[postgresql]`` a fresh schema in the database named by
``SCARWISE_TEST_POSTGRES_URL`` (default ``postgresql://postgres@127.0.0.1:5432/test``), dropped
after the test. Schema names carry the process id and a random token, so parallel runs never
share tables.

If PostgreSQL does not answer, the ``[postgresql]`` tests **fail** with a message saying how to
start it (``scripts/ensure-postgres``); they are never skipped.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from scarwise.config import Settings

__all__ = [
    "DEFAULT_POSTGRES_URL",
    "TickingClock",
    "make_store_url",
    "pg_admin_url",
    "store",
    "store_backend",
    "store_url",
]

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


class TickingClock:
    """A deterministic clock: starts at ``start`` and moves one second per call."""

    def __init__(self, start: datetime = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def pg_admin_url() -> str:
    return os.environ.get("SCARWISE_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def _pg_connect() -> Any:
    import psycopg

    url = pg_admin_url()
    try:
        return psycopg.connect(
            url.replace("postgresql+psycopg://", "postgresql://"),
            autocommit=True,
            connect_timeout=5,
        )
    except psycopg.OperationalError as err:
        pytest.fail(
            f"PostgreSQL is not reachable at {url} ({str(err).strip().splitlines()[0]}). The store tests "
            "run on both SQLite and PostgreSQL and are never skipped: start it with "
            "scripts/ensure-postgres or point SCARWISE_TEST_POSTGRES_URL at a server.",
            pytrace=False,
        )


def make_store_url(backend: str, tmp_path: Path) -> tuple[str, Callable[[], None]]:
    """A fresh, empty store URL on ``backend`` and a function that removes it again."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}", lambda: None
    schema = f"scarwise_test_{os.getpid()}_{secrets.token_hex(4)}"
    with _pg_connect() as con:
        con.execute(f'CREATE SCHEMA "{schema}"')
    base = pg_admin_url().replace("postgresql://", "postgresql+psycopg://", 1)
    sep = "&" if "?" in base else "?"
    url = f"{base}{sep}options=-csearch_path%3D{schema}"

    def drop() -> None:
        with _pg_connect() as con:
            con.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')

    return url, drop


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_backend(request: pytest.FixtureRequest) -> str:
    """``"sqlite"`` or ``"postgresql"``: each store test runs once on each."""
    return str(request.param)


@pytest.fixture
def store_url(store_backend: str, tmp_path: Path) -> Iterator[str]:
    """A URL of a fresh, empty store (not yet migrated) on the current backend."""
    url, drop = make_store_url(store_backend, tmp_path)
    try:
        yield url
    finally:
        drop()


@pytest.fixture
def store(store_url: str, tmp_path: Path) -> Iterator[Any]:
    """An open, migrated :class:`scarwise.store.Store` with a deterministic clock."""
    from scarwise.store import open_store

    settings = Settings(data_dir=tmp_path / "data", database_url=None)
    opened = open_store(
        store_url, settings=settings, photo_dir=tmp_path / "photos", clock=TickingClock()
    )
    try:
        yield opened
    finally:
        opened.close()
