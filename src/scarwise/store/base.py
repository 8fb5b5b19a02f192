"""What every store function works on: one database, its photo files, a clock and an id source.

:class:`StoreBase` holds the engine and opens the transactions; the functions of the concept
modules (``people``, ``photos``, ``regimen`` ...) take it as their first argument, and
:class:`~scarwise.store.Store` gathers them as methods. Write transactions commit at the end or
roll back on any exception; a conflict with stored rows (a duplicate id, a missing reference) is
:class:`~scarwise.InvalidInput`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Self

from sqlalchemy import Engine
from sqlalchemy.engine import URL
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from scarwise.errors import InvalidInput, Problem
from scarwise.intake import IntakeLimits
from scarwise.store.checks import checked_when
from scarwise.store.engine import backend_of
from scarwise.store.files import PhotoFiles
from scarwise.store.locking import StoreLock, lock_path_for
from scarwise.tracking.dates import to_utc

__all__ = ["Clock", "IdFactory", "StoreBase", "When"]

#: A date as the store accepts it: ISO 8601 text, a date, an aware date-time, or None for now.
When = str | date | datetime | None
Clock = Callable[[], datetime]
IdFactory = Callable[[], str]


def _now() -> datetime:
    return datetime.now(UTC)


def _new_id() -> str:
    return uuid.uuid4().hex


class StoreBase:
    """A store's database and photo directory (build a :class:`~scarwise.store.Store` with
    ``open_store``)."""

    def __init__(
        self,
        engine: Engine,
        photo_dir: Path,
        *,
        url: URL,
        clock: Clock = _now,
        new_id: IdFactory = _new_id,
        max_upload_bytes: int = 50 * 1024 * 1024,
        max_image_pixels: int = 64_000_000,
    ) -> None:
        self.engine = engine
        self.url = url
        self.photos = PhotoFiles(photo_dir)
        self.lock = StoreLock(lock_path_for(photo_dir))
        self.clock = clock
        self.new_id = new_id
        self.max_upload_bytes = max_upload_bytes
        self.max_image_pixels = max_image_pixels
        self._read = sessionmaker(bind=engine, expire_on_commit=False)
        self._write = sessionmaker(
            bind=engine.execution_options(sqlite_begin="IMMEDIATE"), expire_on_commit=False
        )

    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return backend_of(self.url)

    @property
    def photo_dir(self) -> Path:
        return self.photos.root

    @property
    def intake_limits(self) -> IntakeLimits:
        """The intake gate's caps for photos entering this store (uploads and imports)."""
        return IntakeLimits(max_bytes=self.max_upload_bytes, max_pixels=self.max_image_pixels)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """One write transaction: commit at the end, roll back on any exception."""
        with self._write.begin() as session:
            try:
                yield session
                session.flush()
            except IntegrityError as err:
                raise InvalidInput(
                    "the change conflicts with records already in the store (duplicate id or missing reference)",
                    problems=[
                        Problem("record", "a new id that refers to existing records", "a conflict")
                    ],
                ) from err
            except DataError as err:
                raise InvalidInput(
                    "the database cannot store a value of this change (a number out of range "
                    "or text it refuses)",
                    problems=[Problem("record", "values the database can store", "a bad value")],
                ) from err

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """One read transaction."""
        with self._read() as session, session.begin():
            yield session

    def when(self, value: When, field_name: str = "date") -> datetime:
        """``value`` as an aware UTC date-time; None is now (by the store's clock).

        Raises
        ------
        InvalidInput
            Not ISO 8601, no UTC offset, or outside the years the store keeps
            (:data:`~scarwise.store.checks.FIRST_YEAR` to :data:`~scarwise.store.checks.LAST_YEAR`).
        """
        return to_utc(self.clock()) if value is None else checked_when(value, field_name)
