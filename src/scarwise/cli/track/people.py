"""``scarwise track person``: add, list and delete people."""

import sys
from typing import TYPE_CHECKING, Any

import typer

from scarwise.cli.output import json_requested
from scarwise.cli.track._common import DB, DEBUG, JSON, PersonId, line, run_in_store
from scarwise.errors import UsageError

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["person_add", "person_app", "person_delete", "person_list"]

person_app = typer.Typer(help="Add, list and delete people.", no_args_is_help=True)


@person_app.command("add")
def person_add(
    ctx: typer.Context,
    name: str = typer.Option(..., "--name", help="The person's name."),
    db: str | None = DB,
    json_output: bool = JSON,
    debug: bool = DEBUG,
) -> None:
    """Add a person; prints their id."""
    run_in_store(
        ctx,
        db,
        json_output,
        lambda s: s.add_person(name),
        line(lambda r: f"added {r.person.name}: {r.person.id}"),
    )


@person_app.command("list")
def person_list(
    ctx: typer.Context, db: str | None = DB, json_output: bool = JSON, debug: bool = DEBUG
) -> None:
    """List everyone in the store."""

    def render(console: "Console", result: Any) -> None:
        from rich.table import Table

        table = Table("id", "name", "added")
        for p in result.people:
            table.add_row(p.id, p.name, p.created_at.date().isoformat())
        console.print(table)

    run_in_store(ctx, db, json_output, lambda s: s.list_people(), render)


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
    run_in_store(
        ctx,
        db,
        json_output,
        lambda s: s.delete_person(person),
        line(lambda r: f"deleted {r.deleted.person} and {r.deleted.photos} photo(s)"),
    )
