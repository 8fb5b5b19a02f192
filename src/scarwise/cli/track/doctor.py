"""``scarwise track doctor``: check the photo files against the records, and repair."""

from typing import TYPE_CHECKING, Any

import typer

from scarwise.cli.track._common import DB, DEBUG, JSON, run_in_store

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["doctor"]


def doctor(
    ctx: typer.Context,
    fix: bool = typer.Option(
        False,
        "--fix",
        help="Remove orphan photo files and temporaries, finish interrupted deletions and make "
        "the store's files owner-only. A file a record points at is never removed.",
    ),
    db: str | None = DB,
    json_output: bool = JSON,
    debug: bool = DEBUG,
) -> None:
    """Find what a crash left behind (orphan photo files, temporaries, records whose photo file
    is missing) and, with --fix, repair it."""
    from scarwise.store import doctor as check

    run_in_store(ctx, db, json_output, lambda s: check(s, fix=fix), _render)


def _render(console: "Console", result: Any) -> None:
    d = result.doctor
    console.print(f"photo folder {d.photo_dir}: {d.photo_files} photo files", markup=False)
    findings = [
        (d.orphan_files, "orphan photo file(s) no record points at"),
        (d.temporary_files, "temporary file(s) of interrupted writes or restores"),
        (d.pending_deletions, "photo file(s) of deleted people still to remove"),
        (d.loose_permissions, "file(s) or folder(s) others may read"),
        (d.missing_files, "record(s) whose photo file is missing"),
        (d.unknown_files, "other file(s) in the photo folder (left alone)"),
    ]
    for count, what in findings:
        if count:
            console.print(f"  {count} {what}", markup=False)
    for missing in d.missing:
        console.print(f"    photo {missing.photo} of person {missing.person}", markup=False)
    if d.fixed:
        console.print(
            f"fixed: removed {d.removed_files}, made {d.tightened} owner-only", markup=False
        )
    if d.missing_files:
        console.print("photo files are missing: restore a backup to get them back", markup=False)
    elif d.healthy:
        console.print("the store is consistent", markup=False)
    else:
        console.print("run 'scarwise track doctor --fix' to repair", markup=False)
