"""``scarwise track report`` and ``plot``: one person's progress, drawn."""

from pathlib import Path
from typing import Annotated

import typer

from scarwise.cli.track._common import DB, DEBUG, JSON, PersonId, line, run_in_store
from scarwise.errors import UsageError

__all__ = ["plot", "report"]


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
    from scarwise.workflows import write_progress_report

    run_in_store(
        ctx,
        db,
        json_output,
        lambda s: write_progress_report(s, person, out),
        line(
            lambda r: (
                f"wrote {r.report.file} ({len(r.report.plots)} plots, {r.report.photo_pairs} photo pairs)"
            )
        ),
    )


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
    from scarwise.workflows import write_progress_plots

    if fmt not in {"svg", "png"}:
        raise UsageError(f"--format must be svg or png, not {fmt!r}")
    run_in_store(
        ctx,
        db,
        json_output,
        lambda s: write_progress_plots(s, person, out_dir, fmt=fmt),
        line(lambda r: "wrote " + ", ".join(r.files)),
    )
