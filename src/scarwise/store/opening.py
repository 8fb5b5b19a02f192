"""Opening a store: the database URL, its photo directory, and the schema brought up to date.

Opening also finishes what a crash interrupted, if it can do so at once: photo files of deleted
people still waiting for removal are removed (without waiting for other writers; the next
purge or ``scarwise track doctor`` does it otherwise), and a photo folder an older version
created readable by others is made owner-only.
"""

from __future__ import annotations

from pathlib import Path

from scarwise.config import Settings
from scarwise.store.base import Clock, IdFactory
from scarwise.store.deletions import purge_pending
from scarwise.store.engine import backend_of, make_engine, normalise_url, sqlite_path
from scarwise.store.migrate import upgrade
from scarwise.store.privacy import tighten
from scarwise.store.store import Store

__all__ = ["open_store", "photo_dir_for"]


def photo_dir_for(url: str, settings: Settings) -> Path:
    """The photo directory that belongs to the store at ``url``."""
    parsed = normalise_url(url)
    if backend_of(parsed) == "sqlite":
        path = sqlite_path(parsed).resolve()
        default = sqlite_path(
            normalise_url(
                Settings.model_construct(data_dir=settings.data_dir, database_url=None).store_url
            )
        ).resolve()
        if path == default:
            return settings.photo_dir
        return path.with_name(f"{path.stem}-photos")
    return settings.photo_dir


def open_store(
    url: str | None = None,
    *,
    settings: Settings | None = None,
    photo_dir: str | Path | None = None,
    clock: Clock | None = None,
    new_id: IdFactory | None = None,
    migrate: bool = True,
) -> Store:
    """Open (creating or upgrading if needed) the store at ``url``.

    Parameters
    ----------
    url
        ``sqlite:///path/to/file.db`` or ``postgresql://user@host/db``; default
        ``settings.store_url``.
    settings
        Data directory and limits; default read from ``SCARWISE_*`` environment variables.
    photo_dir
        Override where photo files are kept (see :mod:`scarwise.store` for the default).
    clock, new_id
        Injected for deterministic tests: the time of records without a date, and new ids.
    migrate
        Bring the schema to the newest revision (default); ``False`` only for migration tests.

    Raises
    ------
    UsageError
        ``url`` is not a SQLite or PostgreSQL URL, or the database was written by a newer
        scarwise.
    """
    settings = settings or Settings()
    raw = url or settings.store_url
    parsed = normalise_url(raw)
    engine = make_engine(parsed)
    if migrate:
        try:
            upgrade(engine)
        except BaseException:
            engine.dispose()
            raise
    store = Store(
        engine,
        Path(photo_dir) if photo_dir is not None else photo_dir_for(raw, settings),
        url=parsed,
        max_upload_bytes=settings.max_upload_bytes,
        max_image_pixels=settings.max_image_pixels,
    )
    if clock is not None:
        store.clock = clock
    if new_id is not None:
        store.new_id = new_id
    if migrate:
        tighten(store.photo_dir)
        purge_pending(store, wait_s=0)
    return store
