"""``scarwise track photo add``, ``analysis add``, ``analyze`` and ``analyze3d``: photos and
their analyses."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from scarwise.cli.track._common import (
    DATE,
    DB,
    DEBUG,
    JSON,
    PersonId,
    line,
    load_object,
    run_in_store,
)

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["analysis_add", "analysis_app", "analyze", "analyze3d", "photo_add", "photo_app"]

photo_app = typer.Typer(
    help="Add photos (through the intake gate; stored stripped).", no_args_is_help=True
)
analysis_app = typer.Typer(
    help="Keep photo analyses (analyze/1, analyze3d/1).", no_args_is_help=True
)


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

    def render(console: "Console", result: Any) -> None:
        for p in result.photos:
            console.print(
                f"photo {p.id}: {p.width_px}x{p.height_px} px, original sha256 {p.sha256_original[:16]}...",
                markup=False,
            )

    run_in_store(
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

    data = load_object(result_file, "result")
    run_in_store(
        ctx,
        db,
        json_output,
        lambda s: s.record_analysis(person, data, photo_ids=photo or [], date=date),
        line(lambda r: f"kept {r.analysis.kind} analysis {r.analysis.id}"),
    )


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
    from scarwise.workflows import analyze_stored_photo

    run_in_store(
        ctx,
        db,
        json_output,
        lambda s: analyze_stored_photo(s, person, photo, region=region, pixel_mm=pixel_mm),
        line(lambda r: f"kept analysis {r.analysis.id}"),
    )


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
    from scarwise.workflows import analyze_stored_photos_3d

    document = load_document(lights, field="lights")
    run_in_store(
        ctx,
        db,
        json_output,
        lambda s: analyze_stored_photos_3d(s, person, photos, document, pixel_mm),
        line(lambda r: f"kept analysis {r.analysis.id}: {r.analysis.result.get('summary')}"),
    )
