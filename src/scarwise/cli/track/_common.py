"""What every ``scarwise track`` command shares: the common options, and opening the store
around one library call.

A track command runs with the umask ``077``: every file it creates (the database and its
``-wal``/``-shm``, photos, exports, backups, reports and plots) is readable by the owner only,
whichever library writes it.
"""

import contextlib
import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Annotated, Any

import typer

from scarwise.cli.output import emit, json_requested
from scarwise.errors import InvalidInput, Problem

if TYPE_CHECKING:
    from rich.console import Console

    from scarwise.results import Result
    from scarwise.store import Store

__all__ = [
    "DATE",
    "DB",
    "DEBUG",
    "JSON",
    "TREATMENT",
    "PersonId",
    "line",
    "load_object",
    "private_umask",
    "run_in_store",
]

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


@contextlib.contextmanager
def private_umask() -> Iterator[None]:
    """Create files owner-only (umask ``077``) inside the block, then restore the umask."""
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def run_in_store(
    ctx: typer.Context,
    db: str | None,
    json_output: bool,
    action: "Callable[[Store], Result]",
    render: "Callable[[Console, Any], None] | None" = None,
) -> None:
    """Open the store, run ``action`` (one library call) on it, close it, print the result."""
    from scarwise.store import open_store

    json_mode = json_requested(ctx, json_output)
    with private_umask(), open_store(db) as store:
        result = action(store)
    emit(result, json_mode=json_mode, render=(lambda c: render(c, result)) if render else None)


def line(text: Callable[[Any], str]) -> "Callable[[Console, Any], None]":
    """A renderer that prints one plain line made from the result."""
    return lambda console, result: console.print(text(result), markup=False, highlight=False)


def load_object(path: str, field: str) -> dict[str, Any]:
    """A JSON/YAML file that must hold one object (a list or a number there is invalid input)."""
    from scarwise.documents import load_document

    data = load_document(path, field=field)
    if not isinstance(data, dict):
        raise InvalidInput(problems=[Problem(field, "one JSON object", type(data).__name__)])
    return data
