"""``scarwise track regimen`` and ``dose``: home-care regimen items and their doses."""

from typing import TYPE_CHECKING, Any

import typer

from scarwise.cli.track._common import (
    DATE,
    DB,
    DEBUG,
    JSON,
    TREATMENT,
    PersonId,
    line,
    run_in_store,
)

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["dose_app", "dose_log", "regimen_add", "regimen_app", "regimen_list", "regimen_stop"]

regimen_app = typer.Typer(help="Home-care regimen items and their doses.", no_args_is_help=True)
dose_app = typer.Typer(help="Log regimen doses (adherence).", no_args_is_help=True)


@regimen_app.command("add")
def regimen_add(
    ctx: typer.Context,
    person: PersonId,
    treatment: str = TREATMENT,
    frequency: str = typer.Option(
        "daily",
        "--frequency",
        help="How often, in words or short form: 'once a day', 'twice a day', 'every night', "
        "'every other day', '3 times a week', 'weekly', 'every 2 weeks' (or daily, twice-daily, "
        "every-other-day, weekly, twice-weekly, Nx-daily, Nx-weekly, every-N-days).",
    ),
    start: str | None = typer.Option(None, "--start", help="Start date (default: now)."),
    stop: str | None = typer.Option(None, "--stop", help="Planned stop date."),
    notes: str | None = typer.Option(None, "--notes", help="Free text (product, amount)."),
    db: str | None = DB,
    json_output: bool = JSON,
    debug: bool = DEBUG,
) -> None:
    """Start a regimen item."""
    run_in_store(
        ctx,
        db,
        json_output,
        lambda s: s.add_regimen_item(
            person, treatment, frequency, start=start, stop=stop, notes=notes
        ),
        line(lambda r: f"regimen item {r.regimen.id}: {r.regimen.treatment} {r.regimen.frequency}"),
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
    run_in_store(
        ctx,
        db,
        json_output,
        lambda s: s.stop_regimen_item(item, date=date),
        line(lambda r: f"stopped {r.regimen.id}"),
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

    def render(console: "Console", result: Any) -> None:
        from rich.table import Table

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

    run_in_store(ctx, db, json_output, lambda s: s.list_regimen(person), render)


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
    run_in_store(
        ctx,
        db,
        json_output,
        lambda s: s.log_dose(item, date=date, status="skipped" if skipped else "taken"),
        line(lambda r: f"dose {r.dose.status} on {r.dose.date.isoformat()}"),
    )
