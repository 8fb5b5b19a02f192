"""The tracking store: people, assessments, photos, analyses, plans, regimen, sessions, notes.

The store only persists: it keeps what it is given and reads it back. Open one with
:func:`open_store` and call its methods; each is one transaction and returns the pydantic result
that ``scarwise track ... --json`` prints (``contracts/cli.md``, Tracking)::

    from scarwise.store import export_zip, open_store

    with open_store() as store:                     # SQLite in the user data dir
        ann = store.add_person("Ann").person
        store.add_photos(ann.id, ["front.jpg"], date="2026-03-01")      # through the intake gate
        item = store.add_regimen_item(ann.id, "topical-retinoid", "daily", start="2026-03-01").regimen
        store.log_dose(item.id, date="2026-03-02")
        store.add_session(ann.id, "subcision", date="2026-03-10", provider="Dr B")
        store.history(ann.id).events                # oldest first
        store.progress(ann.id, "2026-03-01", "2026-06-01")
        export_zip(store, "ann.zip", [ann.id])

Methods (each the function of the same name in its module): ``add_person``, ``list_people``,
``get_person``, ``delete_person`` (:mod:`~scarwise.store.people`); ``add_assessment``;
``add_photos``, ``add_photo_bytes``, ``add_gated_photos``, ``photo``, ``photo_png``,
``delete_photo``, ``prune_photo_files`` (:mod:`~scarwise.store.photos`); ``record_analysis``;
``record_plan``; ``add_regimen_item``, ``stop_regimen_item``, ``delete_regimen_item``,
``list_regimen``, ``log_dose`` (:mod:`~scarwise.store.regimen`); ``add_session``,
``delete_session``; ``add_note``; ``records``, ``history``, ``progress``
(:mod:`~scarwise.store.records`). Functions of the store: :func:`export_zip`, :func:`import_zip`,
:func:`backup`, :func:`restore` and :func:`doctor` (find and repair what a crash left behind).
Results are the pydantic models of
:mod:`scarwise.tracking.models`; errors are :class:`~scarwise.ScarwiseError` subclasses.

Jobs that compute as well as keep (score and keep an assessment, analyse a stored photo, plan
and keep a plan, write the progress report) are in :mod:`scarwise.workflows`.

Where things live: the URL is the ``url`` argument, else ``SCARWISE_DATABASE_URL``, else the SQLite
file ``scarwise.db`` in the user data directory (``Settings.data_dir``; WAL mode, foreign keys on).
Photos are PNG files named by their SHA-256 beside the database: ``Settings.photo_dir`` for the
default database, ``<name>-photos/`` next to any other SQLite file, and ``Settings.photo_dir``
for PostgreSQL (or the ``photo_dir`` argument). Everything the store writes is owner-only
(:mod:`~scarwise.store.privacy`); photo files change in step with their rows under a file lock
(:mod:`~scarwise.store.locking`), so a crash leaves at most files no row names. The schema is created and upgraded by the Alembic
revisions shipped in ``scarwise/store/migrations`` every time a store is opened.

Importing this package imports SQLAlchemy; ``import scarwise`` does not.
"""

from scarwise.store.backups import backup, restore
from scarwise.store.checks import known_treatments
from scarwise.store.doctor import doctor
from scarwise.store.opening import open_store, photo_dir_for
from scarwise.store.store import Store
from scarwise.store.transfer import EXPORT_SCHEMA, ExportDocument, export_zip, import_zip

__all__ = [
    "EXPORT_SCHEMA",
    "ExportDocument",
    "Store",
    "backup",
    "doctor",
    "export_zip",
    "import_zip",
    "known_treatments",
    "open_store",
    "photo_dir_for",
    "restore",
]
