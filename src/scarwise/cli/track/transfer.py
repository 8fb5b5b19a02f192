"""``scarwise track export``, ``import``, ``backup`` and ``restore``: the store's data safety."""

import sys
from pathlib import Path
from typing import Annotated

import typer

from scarwise.cli.output import json_requested
from scarwise.cli.track._common import DB, DEBUG, JSON, line, run_in_store
from scarwise.errors import UsageError

__all__ = ["backup", "export", "import_", "restore"]


def export(
    ctx: typer.Context,
    out: Annotated[
        str,
        typer.Option(
            "--out",
            help="The zip file to write, or a directory (an existing one, or a path ending in "
            "/): then scarwise-export-YYYY-MM-DD.zip is written into it.",
        ),
    ],
    people: Annotated[
        list[str] | None, typer.Argument(help="Person ids (default: everyone).")
    ] = None,
    db: str | None = DB,
    json_output: bool = JSON,
    debug: bool = DEBUG,
) -> None:
    """Export people and their photos to one owner-only zip (schema scarwise-export/1)."""
    from scarwise.store import export_zip

    run_in_store(
        ctx,
        db,
        json_output,
        lambda s: export_zip(s, out, people or []),
        line(
            lambda r: f"wrote {r.export.file}: {r.export.people} people, {r.export.photos} photos"
        ),
    )


def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A zip made by 'scarwise track export'.")],
    db: str | None = DB,
    json_output: bool = JSON,
    debug: bool = DEBUG,
) -> None:
    """Import an export (all or nothing)."""
    from scarwise.store import import_zip

    run_in_store(
        ctx,
        db,
        json_output,
        lambda s: import_zip(s, file),
        line(lambda r: f"imported {r.import_.people} people, {r.import_.photos} photos"),
    )


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
    from scarwise.store import backup as write_backup

    run_in_store(
        ctx,
        db,
        json_output,
        lambda s: write_backup(s, out),
        line(
            lambda r: (
                f"backed up to {r.backup.file} ({r.backup.photos} photos in {r.backup.photo_dir})"
            )
        ),
    )


def restore(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A backup made by 'scarwise track backup'.")],
    yes: bool = typer.Option(False, "--yes", help="Replace the store without asking."),
    db: str | None = DB,
    json_output: bool = JSON,
    debug: bool = DEBUG,
) -> None:
    """Replace the store's content with a backup, after checking all of it (a bad backup changes
    nothing: exit 3)."""
    if not yes:
        if json_requested(ctx, json_output) or not sys.stdin.isatty():
            raise UsageError("restoring replaces everything in the store and needs --yes")
        if not typer.confirm("Replace everything in the store with this backup?"):
            raise typer.Abort()
    from scarwise.store import restore as restore_backup

    run_in_store(
        ctx,
        db,
        json_output,
        lambda s: restore_backup(s, file),
        line(lambda r: f"restored {r.restore.file} ({r.restore.photos} photos)"),
    )
