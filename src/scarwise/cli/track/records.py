"""``scarwise track assess``, ``session add``, ``plan save`` and ``note add``: one record each."""

import sys
from typing import Annotated, Any

import typer

from scarwise.cli.output import json_requested
from scarwise.cli.track._common import (
    DATE,
    DB,
    DEBUG,
    JSON,
    TREATMENT,
    PersonId,
    line,
    load_object,
    run_in_store,
)
from scarwise.errors import UsageError

__all__ = [
    "ask_scale_input",
    "assess",
    "note_add",
    "note_app",
    "plan_app",
    "plan_save",
    "session_add",
    "session_app",
]

session_app = typer.Typer(help="Log procedure sessions.", no_args_is_help=True)
plan_app = typer.Typer(help="Save treatment plans.", no_args_is_help=True)
note_app = typer.Typer(help="Free-text notes.", no_args_is_help=True)


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
    from scarwise.workflows import record_assessment

    get_scale(scale)
    if input_file is not None:
        data = load_document(input_file)
    elif sys.stdin.isatty() and not json_requested(ctx, json_output):
        data = ask_scale_input(scale)
    else:
        raise UsageError(
            "missing option --input FILE (or run in a terminal to be asked item by item)"
        )
    run_in_store(
        ctx,
        db,
        json_output,
        lambda s: record_assessment(s, person, scale, data, date=date, rater=rater),
        line(
            lambda r: (
                f"{r.assessment.scale}: {r.assessment.score} / {r.assessment.max} "
                f"on {r.assessment.date.date()} (id {r.assessment.id})"
            )
        ),
    )


def ask_scale_input(scale: str) -> dict[str, Any]:
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

    settings = load_object(settings_file, "settings") if settings_file else None
    run_in_store(
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
        line(lambda r: f"session {r.session.id}: {r.session.treatment} on {r.session.date.date()}"),
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

    from scarwise.workflows import save_plan

    data = load_object(profile, "profile")
    run_in_store(
        ctx,
        db,
        json_output,
        lambda s: save_plan(s, person, data, date=date),
        line(lambda r: f"plan {r.plan.id} saved (knowledge base {r.plan.knowledge_base_version})"),
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
    run_in_store(
        ctx,
        db,
        json_output,
        lambda s: s.add_note(person, text, date=date),
        line(lambda r: f"note {r.note.id}"),
    )
