"""``scarwise track``: people, assessments, photos, sessions, plans, regimen, history, progress.

Each command opens the store (``--db`` URL, else ``SCARWISE_DATABASE_URL``, else the SQLite file
in the user data dir), calls one library function (a :class:`scarwise.store.Store` method, a
function of :mod:`scarwise.store` or a job of :mod:`scarwise.workflows`) and prints its result.
The library is imported inside the command bodies, so ``scarwise --help`` stays fast.

One module per command group; this module puts them together, in the order ``scarwise track
--help`` lists them.
"""

import typer

from scarwise.cli.track import (
    doctor,
    people,
    photos,
    reading,
    records,
    regimen,
    reports,
    transfer,
)

__all__ = ["register", "track_app"]

track_app = typer.Typer(
    help="Track a person's scars, treatments and regimen over time.", no_args_is_help=True
)

for _name, _command in (
    ("assess", records.assess),
    ("analyze", photos.analyze),
    ("analyze3d", photos.analyze3d),
    ("history", reading.history),
    ("progress", reading.progress),
    ("export", transfer.export),
    ("import", transfer.import_),
    ("backup", transfer.backup),
    ("restore", transfer.restore),
    ("doctor", doctor.doctor),
    ("report", reports.report),
    ("plot", reports.plot),
):
    track_app.command(_name)(_command)

for _group, _name in (
    (people.person_app, "person"),
    (photos.photo_app, "photo"),
    (records.session_app, "session"),
    (records.plan_app, "plan"),
    (regimen.regimen_app, "regimen"),
    (regimen.dose_app, "dose"),
    (records.note_app, "note"),
    (photos.analysis_app, "analysis"),
):
    track_app.add_typer(_group, name=_name)


def register(app: typer.Typer) -> None:
    """Add ``scarwise track`` and its commands to the main app."""
    app.add_typer(track_app, name="track")
