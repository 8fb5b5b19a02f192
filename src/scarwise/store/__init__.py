"""The tracking store: people, assessments, photos, analyses, plans, regimen, sessions, notes.

Open one with :func:`open_store` and call its methods; each is one transaction and returns the
pydantic result that ``scarwise track ... --json`` prints (``contracts/cli.md``, Tracking)::

    from scarwise.store import open_store

    with open_store() as store:                     # SQLite in the user data dir
        ann = store.add_person("Ann").person
        store.record_assessment(ann.id, "ecca", {"counts": {"boxcar_u": 6}}, date="2026-03-01")
        store.add_photos(ann.id, ["front.jpg"], date="2026-03-01")      # through the intake gate
        item = store.add_regimen_item(ann.id, "topical-retinoid", "daily", start="2026-03-01").regimen
        store.log_dose(item.id, date="2026-03-02")
        store.add_session(ann.id, "subcision", date="2026-03-10", provider="Dr B")
        store.history(ann.id).events                # oldest first
        store.progress(ann.id, "2026-03-01", "2026-06-01")
        store.export_zip("ann.zip", [ann.id])

Methods: ``add_person``, ``list_people``, ``get_person``, ``delete_person``,
``record_assessment``, ``add_photos``, ``add_photo_bytes``, ``photo``, ``photo_png``,
``prune_photo_files``, ``record_analysis``, ``analyze_photo``, ``analyze_photos_3d``, ``save_plan``, ``record_plan``, ``add_regimen_item``,
``stop_regimen_item``, ``list_regimen``, ``log_dose``, ``add_session``, ``add_note``,
``records``, ``history``, ``progress``, ``export_zip``, ``import_zip``, ``backup``, ``restore``,
``report``. Results are the pydantic models of :mod:`scarwise.tracking.models` (``to_json_dict()``
is the ``--json`` object); errors are :class:`~scarwise.ScarwiseError` subclasses.

Where things live: the URL is the ``url`` argument, else ``SCARWISE_DATABASE_URL``, else the SQLite
file ``scarwise.db`` in the user data directory (``Settings.data_dir``; WAL mode, foreign keys on).
Photos are PNG files named by their SHA-256 beside the database: ``Settings.photo_dir`` for the
default database, ``<name>-photos/`` next to any other SQLite file, and ``Settings.photo_dir``
for PostgreSQL (or the ``photo_dir`` argument). The schema is created and upgraded by the Alembic
revisions shipped in ``scarwise/store/migrations`` every time a store is opened.

Importing this package imports SQLAlchemy; ``import scarwise`` does not.
"""

from __future__ import annotations

from pathlib import Path

from scarwise.config import Settings
from scarwise.store.engine import backend_of, make_engine, normalise_url, sqlite_path
from scarwise.store.migrate import upgrade
from scarwise.store.store import Clock, IdFactory, PersonRecords, Store, known_treatments

__all__ = ["PersonRecords", "Store", "known_treatments", "open_store", "photo_dir_for"]


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
        Override where photo files are kept (see the module docstring for the default).
    clock, new_id
        Injected for deterministic tests: the time of records without a date, and new ids.
    migrate
        Bring the schema to the newest revision (default); ``False`` only for migration tests.

    Raises
    ------
    UsageError
        ``url`` is not a SQLite or PostgreSQL URL.
    """
    settings = settings or Settings()
    raw = url or settings.store_url
    parsed = normalise_url(raw)
    engine = make_engine(parsed)
    if migrate:
        upgrade(engine)
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
    return store
