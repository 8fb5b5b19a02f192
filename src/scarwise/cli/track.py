"""``scarwise track``: people, assessments, photos, sessions, plans, regimen, history, progress.

Each command opens the store (``--db`` URL, else ``SCARWISE_DATABASE_URL``, else the SQLite file
in the user data dir), calls one :class:`scarwise.store.Store` method and prints its result.
SQLAlchemy is imported inside the command bodies, so ``scarwise --help`` stays fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from scarwise.cli.output import emit, json_requested
from scarwise.errors import InvalidInput, Problem, UsageError

if TYPE_CHECKING:
    from scarwise.results import Result
    from scarwise.store import Store

__all__ = ["register"]

track_app = typer.Typer(
    help="Track a person's scars, treatments and regimen over time.", no_args_is_help=True
)
person_app = typer.Typer(help="Add, list and delete people.", no_args_is_help=True)
photo_app = typer.Typer(
    help="Add photos (through the intake gate; stored stripped).", no_args_is_help=True
)
session_app = typer.Typer(help="Log procedure sessions.", no_args_is_help=True)
plan_app = typer.Typer(help="Save treatment plans.", no_args_is_help=True)
regimen_app = typer.Typer(help="Home-care regimen items and their doses.", no_args_is_help=True)
dose_app = typer.Typer(help="Log regimen doses (adherence).", no_args_is_help=True)
note_app = typer.Typer(help="Free-text notes.", no_args_is_help=True)
analysis_app = typer.Typer(
    help="Keep photo analyses (analyze/1, analyze3d/1).", no_args_is_help=True
)
for _sub, _name in (
    (person_app, "person"),
    (photo_app, "photo"),
    (session_app, "session"),
    (plan_app, "plan"),
    (regimen_app, "regimen"),
    (dose_app, "dose"),
    (note_app, "note"),
    (analysis_app, "analysis"),
):
    track_app.add_typer(_sub, name=_name)

DB = typer.Option(
    None,
    "--db",
    help="Store URL (default: SCARWISE_DATABASE_URL, else the SQLite file in the user data dir).",
)
JSON = typer.Option(False, "--json", help="Machine-readable JSON on stdout.")
DEBUG = typer.Option(False, "--debug", help="Show tracebacks of internal errors.")
DATE = typer.Option(None, "--date", help="ISO 8601 date or date-time with offset (default: now).")
TREATMENT = typer.Option(..., "--treatment", help="Treatment id (contracts/treatments.txt).")
PersonId = Annotated[str, typer.Argument(help="The person's id.")]


def register(app: typer.Typer) -> None:
    app.add_typer(track_app, name="track")


def _run(
    ctx: typer.Context,
    db: str | None,
    json_output: bool,
    action: Callable[[Store], Result],
    render: Callable[[Console, Any], None] | None = None,
) -> None:
    from scarwise.store import open_store

    json_mode = json_requested(ctx, json_output)
    with open_store(db) as store:
        result = action(store)
    emit(result, json_mode=json_mode, render=(lambda c: render(c, result)) if render else None)


def _line(text: Callable[[Any], str]) -> Callable[[Console, Any], None]:
    return lambda console, result: console.print(text(result), markup=False, highlight=False)


# --- people ----------------------------------------------------------------------------------------


@person_app.command("add")
def person_add(
    ctx: typer.Context,
    name: str = typer.Option(..., "--name", help="The person's name."),
    db: str | None = DB,
    json_output: bool = JSON,
    debug: bool = DEBUG,
) -> None:
    """Add a person; prints their id."""
    _run(
        ctx,
        db,
        json_output,
        lambda s: s.add_person(name),
        _line(lambda r: f"added {r.person.name}: {r.person.id}"),
    )


@person_app.command("list")
def person_list(
    ctx: typer.Context, db: str | None = DB, json_output: bool = JSON, debug: bool = DEBUG
) -> None:
    """List everyone in the store."""

    def render(console: Console, result: Any) -> None:
        table = Table("id", "name", "added")
        for p in result.people:
            table.add_row(p.id, p.name, p.created_at.date().isoformat())
        console.print(table)

    _run(ctx, db, json_output, lambda s: s.list_people(), render)


@person_app.command("delete")
def person_delete(
    ctx: typer.Context,
    person: PersonId,
    yes: bool = typer.Option(False, "--yes", help="Delete without asking."),
    db: str | None = DB,
    json_output: bool = JSON,
    debug: bool = DEBUG,
) -> None:
    """Delete a person, all their records and their photo files."""
    if not yes:
        if json_requested(ctx, json_output) or not sys.stdin.isatty():
            raise UsageError(
                "deleting a person needs --yes (it removes every record and photo of theirs)",
                hint="scarwise track person delete PERSON --yes",
            )
        if not typer.confirm(f"Delete person {person}, all of their records and photo files?"):
            raise typer.Abort()
    _run(
        ctx,
        db,
        json_output,
        lambda s: s.delete_person(person),
        _line(lambda r: f"deleted {r.deleted.person} and {r.deleted.photos} photo(s)"),
    )


# --- assessments, photos, analyses ---------------------------------------------------------------


@track_app.command("assess")
def assess(
    ctx: typer.Context,
    person: PersonId,
    scale: str = typer.Option(..., "--scale", help="Scale id (see 'scarwise score --list')."),
    input_file: str | None = typer.Option(
        None,
        "--input",
        "-i",
        help="Scale input or 'scarwise score --json' output (JSON/YAML, '-' = stdin); "
        "without it, asks for each item.",
    ),
    date: str | None = DATE,
    rater: str | None = typer.Option(None, "--rater", help="Who rated."),
    db: str | None = DB,
    json_output: bool = JSON,
    debug: bool = DEBUG,
) -> None:
    """Record a scored assessment of one scale."""
    from scarwise.documents import load_document
    from scarwise.scales import get_scale

    get_scale(scale)
    if input_file is not None:
        data = load_document(input_file)
    elif sys.stdin.isatty() and not json_requested(ctx, json_output):
        data = _ask_scale_input(scale)
    else:
        raise UsageError(
            "missing option --input FILE (or run in a terminal to be asked item by item)"
        )
    _run(
        ctx,
        db,
        json_output,
        lambda s: s.record_assessment(person, scale, data, date=date, rater=rater),
        _line(
            lambda r: (
                f"{r.assessment.scale}: {r.assessment.score} / {r.assessment.max} "
                f"on {r.assessment.date.date()} (id {r.assessment.id})"
            )
        ),
    )


def _ask_scale_input(scale: str) -> dict[str, Any]:
    """Ask for every field of the scale's input model (nested objects field by field)."""
    from pydantic import BaseModel

    from scarwise.scales import get_scale

    def ask(model: type[BaseModel], prefix: str = "") -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, info in model.model_fields.items():
            annotation = info.annotation
            label = f"{prefix}{name}"
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                out[name] = ask(annotation, f"{label}.")
            elif annotation is bool:
                out[name] = typer.confirm(
                    label, default=bool(info.default) if info.default is not None else False
                )
            elif annotation is int or annotation == int | None:
                default = info.default if isinstance(info.default, int) else 0
                out[name] = typer.prompt(label, default=default, type=int)
            elif annotation is float:
                out[name] = typer.prompt(label, default=info.default or 0.0, type=float)
            else:
                value = typer.prompt(label, default=str(info.default or ""))
                if value:
                    out[name] = value
        return out

    return ask(get_scale(scale).input_model)


@photo_app.command("add")
def photo_add(
    ctx: typer.Context,
    person: PersonId,
    files: Annotated[list[Path], typer.Argument(help="Photo files (JPEG, PNG, TIFF, WebP, HEIC).")],
    date: str | None = DATE,
    region: str | None = typer.Option(
        None, "--region", help="Body region shown (face, chest, back, ...)."
    ),
    db: str | None = DB,
    json_output: bool = JSON,
    debug: bool = DEBUG,
) -> None:
    """Add photos: each passes the intake gate; only the stripped re-encoded PNG is kept."""

    def render(console: Console, result: Any) -> None:
        for p in result.photos:
            console.print(
                f"photo {p.id}: {p.width_px}x{p.height_px} px, original sha256 {p.sha256_original[:16]}...",
                markup=False,
            )

    _run(
        ctx,
        db,
        json_output,
        lambda s: s.add_photos(person, files, date=date, region=region),
        render,
    )


@analysis_app.command("add")
def analysis_add(
    ctx: typer.Context,
    person: PersonId,
    result_file: str = typer.Option(
        ..., "--result", help="'scarwise analyze/analyze3d --json' output."
    ),
    photo: Annotated[
        list[str] | None,
        typer.Option("--photo", help="Id of a stored photo the analysis used (repeatable)."),
    ] = None,
    date: str | None = DATE,
    db: str | None = DB,
    json_output: bool = JSON,
    debug: bool = DEBUG,
) -> None:
    """Keep an analysis made by 'scarwise analyze' or 'scarwise analyze3d'."""

    data = _load_object(result_file, "result")
    _run(
        ctx,
        db,
        json_output,
        lambda s: s.record_analysis(person, data, photo_ids=photo or [], date=date),
        _line(lambda r: f"kept {r.analysis.kind} analysis {r.analysis.id}"),
    )


@track_app.command("analyze")
def analyze(
    ctx: typer.Context,
    person: PersonId,
    photo: str = typer.Argument(..., help="Id of a stored photo."),
    region: str = typer.Option("auto", "--region", help="auto, face or full."),
    pixel_mm: float | None = typer.Option(
        None, "--pixel-mm", help="Size of one pixel on the skin, mm."
    ),
    db: str | None = DB,
    json_output: bool = JSON,
    debug: bool = DEBUG,
) -> None:
    """Run the colour analysis (analyze/1) on a stored photo and keep the result."""
    _run(
        ctx,
        db,
        json_output,
        lambda s: s.analyze_photo(person, photo, region=region, pixel_mm=pixel_mm),
        _line(lambda r: f"kept analysis {r.analysis.id}"),
    )


@track_app.command("analyze3d")
def analyze3d(
    ctx: typer.Context,
    person: PersonId,
    photos: Annotated[
        list[str], typer.Argument(help="Ids of 3 or more stored photos, one per light.")
    ],
    lights: Annotated[
        str,
        typer.Option(
            "--lights", help="Light directions (contracts/imaging.md); names = photo ids."
        ),
    ],
    pixel_mm: Annotated[
        float, typer.Option("--pixel-mm", help="Size of one pixel on the skin, mm.")
    ],
    db: str | None = DB,
    json_output: bool = JSON,
    debug: bool = DEBUG,
) -> None:
    """Measure atrophic scars (analyze3d/1) from stored multi-light photos and keep the result."""
    from scarwise.documents import load_document

    document = load_document(lights, field="lights")
    _run(
        ctx,
        db,
        json_output,
        lambda s: s.analyze_photos_3d(person, photos, document, pixel_mm),
        _line(lambda r: f"kept analysis {r.analysis.id}: {r.analysis.result.get('summary')}"),
    )


# --- sessions, plans, regimen, notes --------------------------------------------------------------


@session_app.command("add")
def session_add(
    ctx: typer.Context,
    person: PersonId,
    treatment: str = TREATMENT,
    date: str = typer.Option(..., "--date", help="ISO 8601 date of the session."),
    provider: str | None = typer.Option(None, "--provider", help="Who performed it."),
    notes: str | None = typer.Option(None, "--notes", help="Free text."),
    downtime_days: float | None = typer.Option(
        None, "--downtime-days", help="Downtime observed, days."
    ),
    side_effect: Annotated[
        list[str] | None, typer.Option("--side-effect", help="A side effect seen (repeatable).")
    ] = None,
    rating: int | None = typer.Option(
        None, "--rating", help="Outcome rating 1 (worse) to 5 (much better)."
    ),
    settings_file: str | None = typer.Option(
        None, "--settings", help="JSON/YAML file of device settings."
    ),
    db: str | None = DB,
    json_output: bool = JSON,
    debug: bool = DEBUG,
) -> None:
    """Log one procedure session."""

    settings = _load_object(settings_file, "settings") if settings_file else None
    _run(
        ctx,
        db,
        json_output,
        lambda s: s.add_session(
            person,
            treatment,
            date=date,
            provider=provider,
            notes=notes,
            settings=settings,
            downtime_days=downtime_days,
            side_effects=side_effect or [],
            outcome_rating=rating,
        ),
        _line(
            lambda r: f"session {r.session.id}: {r.session.treatment} on {r.session.date.date()}"
        ),
    )


@plan_app.command("save")
def plan_save(
    ctx: typer.Context,
    person: PersonId,
    profile: str = typer.Option(..., "--profile", help="Profile file (contracts/profile.md)."),
    date: str | None = DATE,
    db: str | None = DB,
    json_output: bool = JSON,
    debug: bool = DEBUG,
) -> None:
    """Make a plan for a profile and save it (earlier plans become 'superseded')."""

    data = _load_object(profile, "profile")
    _run(
        ctx,
        db,
        json_output,
        lambda s: s.save_plan(person, data, date=date),
        _line(lambda r: f"plan {r.plan.id} saved (knowledge base {r.plan.knowledge_base_version})"),
    )


@regimen_app.command("add")
def regimen_add(
    ctx: typer.Context,
    person: PersonId,
    treatment: str = TREATMENT,
    frequency: str = typer.Option(
        "daily",
        "--frequency",
        help="daily, twice-daily, every-other-day, weekly, twice-weekly, Nx-daily, "
        "Nx-weekly, every-N-days.",
    ),
    start: str | None = typer.Option(None, "--start", help="Start date (default: now)."),
    stop: str | None = typer.Option(None, "--stop", help="Planned stop date."),
    notes: str | None = typer.Option(None, "--notes", help="Free text (product, amount)."),
    db: str | None = DB,
    json_output: bool = JSON,
    debug: bool = DEBUG,
) -> None:
    """Start a regimen item."""
    _run(
        ctx,
        db,
        json_output,
        lambda s: s.add_regimen_item(
            person, treatment, frequency, start=start, stop=stop, notes=notes
        ),
        _line(
            lambda r: f"regimen item {r.regimen.id}: {r.regimen.treatment} {r.regimen.frequency}"
        ),
    )


@regimen_app.command("stop")
def regimen_stop(
    ctx: typer.Context,
    item: str = typer.Argument(..., help="Regimen item id."),
    date: str | None = DATE,
    db: str | None = DB,
    json_output: bool = JSON,
    debug: bool = DEBUG,
) -> None:
    """Stop a regimen item."""
    _run(
        ctx,
        db,
        json_output,
        lambda s: s.stop_regimen_item(item, date=date),
        _line(lambda r: f"stopped {r.regimen.id}"),
    )


@regimen_app.command("list")
def regimen_list(
    ctx: typer.Context,
    person: PersonId,
    db: str | None = DB,
    json_output: bool = JSON,
    debug: bool = DEBUG,
) -> None:
    """List a person's regimen items."""

    def render(console: Console, result: Any) -> None:
        table = Table("id", "treatment", "frequency", "start", "stop")
        for r in result.regimen:
            table.add_row(
                r.id,
                r.treatment,
                r.frequency,
                r.start.date().isoformat(),
                r.stop.date().isoformat() if r.stop else "",
            )
        console.print(table)

    _run(ctx, db, json_output, lambda s: s.list_regimen(person), render)


@dose_app.command("log")
def dose_log(
    ctx: typer.Context,
    item: str = typer.Argument(..., help="Regimen item id."),
    date: str | None = DATE,
    skipped: bool = typer.Option(False, "--skipped", help="Record a deliberately skipped dose."),
    db: str | None = DB,
    json_output: bool = JSON,
    debug: bool = DEBUG,
) -> None:
    """Log one dose of a regimen item."""
    _run(
        ctx,
        db,
        json_output,
        lambda s: s.log_dose(item, date=date, status="skipped" if skipped else "taken"),
        _line(lambda r: f"dose {r.dose.status} on {r.dose.date.isoformat()}"),
    )


@note_app.command("add")
def note_add(
    ctx: typer.Context,
    person: PersonId,
    text: str = typer.Argument(..., help="The note."),
    date: str | None = DATE,
    db: str | None = DB,
    json_output: bool = JSON,
    debug: bool = DEBUG,
) -> None:
    """Add a free-text note."""
    _run(
        ctx,
        db,
        json_output,
        lambda s: s.add_note(person, text, date=date),
        _line(lambda r: f"note {r.note.id}"),
    )


# --- reading ---------------------------------------------------------------------------------------


@track_app.command("history")
def history(
    ctx: typer.Context,
    person: PersonId,
    kind: Annotated[
        list[str] | None, typer.Option("--kind", help="Only these event kinds (repeatable).")
    ] = None,
    db: str | None = DB,
    json_output: bool = JSON,
    debug: bool = DEBUG,
) -> None:
    """A person's timeline, oldest first."""
    _run(ctx, db, json_output, lambda s: s.history(person, kinds=kind or None), _render_history)


def _render_history(console: Console, result: Any) -> None:
    console.print(
        f"[bold]{result.person.name}[/] ({result.person.id}): {len(result.events)} events"
    )
    table = Table("date", "kind", "what", show_lines=False)
    for e in result.events:
        extra = e.model_extra or {}
        if e.kind == "assessment":
            what = f"{extra['scale']} {extra['score']}/{extra['max']}"
        elif e.kind in {"session", "regimen", "regimen-stop"}:
            what = str(extra.get("treatment")) + (
                f" {extra['frequency']}" if e.kind == "regimen" else ""
            )
        elif e.kind == "dose":
            what = str(extra.get("status"))
        elif e.kind == "note":
            what = str(extra.get("text"))[:60]
        elif e.kind == "analysis":
            what = f"{extra.get('analysis')} {extra.get('summary')}"
        elif e.kind == "plan":
            what = f"knowledge base {extra.get('knowledge_base_version')} ({extra.get('status')})"
        else:
            what = e.id
        table.add_row(e.date.strftime("%Y-%m-%d %H:%M"), e.kind, what)
    console.print(table)


@track_app.command("progress")
def progress(
    ctx: typer.Context,
    person: PersonId,
    date_from: str | None = typer.Option(
        None, "--from", help="First date (default: the first record)."
    ),
    date_to: str | None = typer.Option(None, "--to", help="Second date (default: now)."),
    db: str | None = DB,
    json_output: bool = JSON,
    debug: bool = DEBUG,
) -> None:
    """Compare two dates: score change, scar count and volume, redness, adherence."""
    _run(ctx, db, json_output, lambda s: s.progress(person, date_from, date_to), _render_progress)


def _render_progress(console: Console, r: Any) -> None:
    console.print(f"[bold]{r.person.name}[/]: {r.date_from.date()} -> {r.date_to.date()}")
    table = Table("scale", "region", "from", "to", "change")
    for c in r.scores:
        table.add_row(
            c.scale, c.region or "", _num(c.score_from), f"{c.score_to}/{c.max}", _num(c.change)
        )
    console.print(table)
    console.print(
        f"scars: {_num(r.scars.count_from)} -> {_num(r.scars.count_to)}; volume "
        f"{_num(r.scars.volume_from_mm3)} -> {_num(r.scars.volume_to_mm3)} mm3",
        markup=False,
    )
    console.print(
        f"redness (mean a*): {_num(r.redness.mean_a_star_from)} -> {_num(r.redness.mean_a_star_to)}",
        markup=False,
    )
    rate = "nothing due" if r.adherence.rate is None else f"{r.adherence.rate:.0%}"
    console.print(
        f"adherence: {rate} ({r.adherence.taken:g} of {r.adherence.expected:g} doses)", markup=False
    )
    console.print(f"sessions: {len(r.sessions)}", markup=False)


def _num(value: object) -> str:
    return "-" if value is None else f"{value}"


# --- data safety and reports -------------------------------------------------------------------


@track_app.command("export")
def export(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="The zip file to write.")],
    people: Annotated[
        list[str] | None, typer.Argument(help="Person ids (default: everyone).")
    ] = None,
    db: str | None = DB,
    json_output: bool = JSON,
    debug: bool = DEBUG,
) -> None:
    """Export people and their photos to one zip (schema scarwise-export/1)."""
    _run(
        ctx,
        db,
        json_output,
        lambda s: s.export_zip(out, people or []),
        _line(
            lambda r: f"wrote {r.export.file}: {r.export.people} people, {r.export.photos} photos"
        ),
    )


@track_app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A zip made by 'scarwise track export'.")],
    db: str | None = DB,
    json_output: bool = JSON,
    debug: bool = DEBUG,
) -> None:
    """Import an export (all or nothing)."""
    _run(
        ctx,
        db,
        json_output,
        lambda s: s.import_zip(file),
        _line(lambda r: f"imported {r.import_.people} people, {r.import_.photos} photos"),
    )


@track_app.command("backup")
def backup(
    ctx: typer.Context,
    out: Annotated[
        Path, typer.Option("--out", help="New SQLite file; photos go to <name>-photos/ beside it.")
    ],
    db: str | None = DB,
    json_output: bool = JSON,
    debug: bool = DEBUG,
) -> None:
    """Back up a SQLite store (online backup API) with its photos; PostgreSQL: says how to use pg_dump."""
    _run(
        ctx,
        db,
        json_output,
        lambda s: s.backup(out),
        _line(
            lambda r: (
                f"backed up to {r.backup.file} ({r.backup.photos} photos in {r.backup.photo_dir})"
            )
        ),
    )


@track_app.command("restore")
def restore(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A backup made by 'scarwise track backup'.")],
    yes: bool = typer.Option(False, "--yes", help="Replace the store without asking."),
    db: str | None = DB,
    json_output: bool = JSON,
    debug: bool = DEBUG,
) -> None:
    """Replace the store's content with a backup."""
    if not yes:
        if json_requested(ctx, json_output) or not sys.stdin.isatty():
            raise UsageError("restoring replaces everything in the store and needs --yes")
        if not typer.confirm("Replace everything in the store with this backup?"):
            raise typer.Abort()
    _run(
        ctx,
        db,
        json_output,
        lambda s: s.restore(file),
        _line(lambda r: f"restored {r.restore.file} ({r.restore.photos} photos)"),
    )


@track_app.command("report")
def report(
    ctx: typer.Context,
    person: PersonId,
    out: Annotated[
        Path, typer.Option("--out", help="The file to write: .html, or .pdf for a PDF.")
    ],
    db: str | None = DB,
    json_output: bool = JSON,
    debug: bool = DEBUG,
) -> None:
    """Write a self-contained progress report (HTML or PDF): plots and before/after photo pairs."""
    _run(
        ctx,
        db,
        json_output,
        lambda s: s.report(person, out),
        _line(
            lambda r: (
                f"wrote {r.report.file} ({len(r.report.plots)} plots, {r.report.photo_pairs} photo pairs)"
            )
        ),
    )


@track_app.command("plot")
def plot(
    ctx: typer.Context,
    person: PersonId,
    out_dir: Annotated[Path, typer.Option("--out", help="Directory for the plot files.")],
    fmt: str = typer.Option("svg", "--format", help="svg or png."),
    db: str | None = DB,
    json_output: bool = JSON,
    debug: bool = DEBUG,
) -> None:
    """Write the progress plots (scores, scar volume, redness, adherence calendar) as files."""
    from scarwise.reports.plots import write_plots

    if fmt not in {"svg", "png"}:
        raise UsageError(f"--format must be svg or png, not {fmt!r}")
    _run(
        ctx,
        db,
        json_output,
        lambda s: write_plots(s.records(person), out_dir, fmt=fmt),
        _line(lambda r: "wrote " + ", ".join(r.files)),
    )


def _load_object(path: str, field: str) -> dict[str, Any]:
    """A JSON/YAML file that must hold one object (a list or a number there is invalid input)."""
    from scarwise.documents import load_document

    data = load_document(path, field=field)
    if not isinstance(data, dict):
        raise InvalidInput(problems=[Problem(field, "one JSON object", type(data).__name__)])
    return data
