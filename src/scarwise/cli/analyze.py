"""``scarwise analyze``: colour analysis of one photo (skin tone, redness, pigment, marks)."""

from typing import TYPE_CHECKING, Any

import typer

from scarwise.cli.output import emit, json_requested
from scarwise.errors import InvalidInput, Problem

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    app.command(
        "analyze",
        help="Colour analysis of one photo: skin tone (CIELAB, ITA), redness and pigment indices, "
        "and the red and brown marks found.",
    )(analyze_command)


def analyze_command(
    ctx: typer.Context,
    photo: str = typer.Argument(..., help="Photo file: JPEG, PNG, TIFF, WebP or HEIC."),
    region: str = typer.Option(
        "auto",
        "--region",
        help="auto (the face's skin when a face is found, else the skin found by colour), "
        "face, or full (every pixel).",
    ),
    pixel_mm: float | None = typer.Option(
        None, "--pixel-mm", help="Size of one pixel on the skin in mm (gives areas in mm²)."
    ),
    overlay: str | None = typer.Option(
        None, "--overlay", help="Write a PNG with the marks outlined and numbered to this file."
    ),
    grey_card: str | None = typer.Option(
        None, "--grey-card", help="X,Y,W,H of an 18 % grey card in the photo (calibrates colour)."
    ),
    mask: str | None = typer.Option(
        None,
        "--mask",
        help="Image of the photo's size: white = skin to analyse (overrides --region).",
    ),
    skin_mask_out: str | None = typer.Option(
        None,
        "--skin-mask-out",
        help="Write the skin that was analysed to this file: an 8-bit PNG of the photo's size, "
        "255 = analysed skin, 0 = anything else.",
    ),
    json_output: bool = typer.Option(False, "--json", help="Machine-readable JSON on stdout."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks of internal errors."),
) -> None:
    from pathlib import Path

    from scarwise.config import Settings
    from scarwise.imaging import analyze_photo, render_overlay, skin_mask_png
    from scarwise.intake import IntakeLimits, read_photo_file

    json_mode = json_requested(ctx, json_output)
    limits = IntakeLimits.from_settings(Settings())
    card = _parse_box(grey_card) if grey_card is not None else None
    picture = read_photo_file(photo, limits=limits)
    skin_mask = None
    if mask is not None:
        mask_photo = read_photo_file(mask, limits=limits)
        px = mask_photo.pixels
        grey = px if px.ndim == 2 else px.max(axis=-1)
        skin_mask = grey > (grey.max() // 2 if grey.max() > 0 else 0)
    result = analyze_photo(
        picture, region=region, pixel_mm=pixel_mm, grey_card=card, mask=skin_mask
    )
    if overlay is not None:
        Path(overlay).write_bytes(render_overlay(picture, result))
    if skin_mask_out is not None:
        Path(skin_mask_out).write_bytes(skin_mask_png(result))
    emit(result, json_mode=json_mode, render=lambda c: _render(c, result.to_json_dict()))


def _parse_box(text: str) -> tuple[int, int, int, int]:
    parts = text.split(",")
    try:
        values = tuple(int(p.strip()) for p in parts)
    except ValueError:
        values = ()
    if len(values) != 4:
        raise InvalidInput(
            problems=[Problem("grey_card", "four integers X,Y,W,H in pixels", text)],
            prefix="analyze",
        )
    return values[0], values[1], values[2], values[3]


def _render(console: "Console", data: dict[str, Any]) -> None:
    tone = data["skin_tone"]
    lab = ", ".join(f"{v:.1f}" for v in tone["lab"])
    console.print(
        f"[bold]skin tone[/]: L*a*b* ({lab})   ITA {tone['ita_deg']:.1f}° ({tone['category']})"
        + ("" if tone["calibrated"] else "   [dim]uncalibrated[/]")
    )
    ind = data["indices"]
    console.print(
        f"mean a* {ind['mean_a_star']:.1f}   erythema index {ind['erythema_index']:.3f}   "
        f"melanin index {ind['melanin_index']:.3f}"
    )
    console.print(f"region: {data['region']} (face found: {'yes' if data['face_found'] else 'no'})")
    spots = data["spots"]
    if spots:
        from rich.table import Table

        table = Table(title=f"{len(spots)} marks")
        for col in ("id", "kind", "centroid (x, y)", "area px", "area mm²", "ΔE00", "region"):
            table.add_column(col)
        for s in spots:
            table.add_row(
                str(s["id"]),
                s["kind"],
                f"{s['centroid_px'][0]:.0f}, {s['centroid_px'][1]:.0f}",
                str(s["area_px"]),
                "" if s["area_mm2"] is None else f"{s['area_mm2']:.2f}",
                f"{s['delta_e']:.1f}",
                s.get("region") or "",
            )
        console.print(table)
    else:
        console.print("no marks found")
    for w in data["warnings"]:
        console.print(f"[yellow]warning[/]: {w}", markup=True, highlight=False)
