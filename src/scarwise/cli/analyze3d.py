"""``scarwise analyze3d``: measure atrophic scars from photos under several lights."""

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import typer

from scarwise.cli.output import emit, json_requested
from scarwise.errors import InvalidInput, NotFound, Problem, UsageError

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    app.command(
        "analyze3d",
        help="Measure atrophic scars (depth, width, volume, type) from 3 or more photos of one skin "
        "area taken from a fixed camera with the light in different places (photometric stereo).",
    )(analyze3d_command)


def analyze3d_command(
    ctx: typer.Context,
    images: list[str] = typer.Argument(..., help="3 or more images, one per light, same size."),
    lights_file: str = typer.Option(
        ..., "--lights", help="Lights file (JSON): directions per image."
    ),
    pixel_mm: float = typer.Option(..., "--pixel-mm", help="Size of one pixel on the skin, in mm."),
    mask_file: str | None = typer.Option(None, "--mask", help="Image: white = skin to analyse."),
    depth_out: str | None = typer.Option(
        None, "--depth-out", help="Write the height map (mm): .npy float32, or 16-bit .png/.tiff."
    ),
    overlay: str | None = typer.Option(
        None, "--overlay", help="Write a PNG with numbered, typed outlines."
    ),
    depth_image: str | None = typer.Option(
        None, "--depth-image", help="Write a false-colour depth picture (PNG) a person can read."
    ),
    linear: bool = typer.Option(False, "--linear", help="Treat every image as linear."),
    srgb: bool = typer.Option(False, "--srgb", help="Treat every image as sRGB-encoded."),
    estimate_brightness: bool = typer.Option(
        False,
        "--estimate-brightness",
        help="Estimate each light's brightness from the photos even when the lights file "
        "states it (by default stated brightnesses are used as given, and unstated ones are "
        "estimated when the photos need it).",
    ),
    json_output: bool = typer.Option(False, "--json", help="Machine-readable JSON on stdout."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks of internal errors."),
) -> None:
    from scarwise.documents import load_document
    from scarwise.imaging import depth_image_png, depth_map_bytes, overlay_png
    from scarwise.intake import read_photo_file
    from scarwise.workflows import analyze_uploads_3d

    json_mode = json_requested(ctx, json_output)
    if linear and srgb:
        raise UsageError("--linear and --srgb exclude each other", hint="give at most one")
    depth_fmt = _depth_format(depth_out) if depth_out else None
    photos = [read_photo_file(path) for path in images]
    mask = _read_mask(mask_file) if mask_file else None
    lights = load_document(lights_file, field="lights")
    encoding: Literal["auto", "linear", "srgb"] = "linear" if linear else "srgb" if srgb else "auto"
    result = analyze_uploads_3d(
        photos,
        images,
        lights,
        pixel_mm,
        mask=mask,
        encoding=encoding,
        estimate_brightness=True if estimate_brightness else None,
    ).result
    if depth_out and depth_fmt:
        data, info = depth_map_bytes(result, depth_fmt)
        Path(depth_out).write_bytes(data)
        result = result.model_copy(
            update={"depth_map": info.model_copy(update={"file": depth_out})}
        )
    if overlay:
        background = photos[0].pixels
        Path(overlay).write_bytes(overlay_png(result, background))
    if depth_image:
        Path(depth_image).write_bytes(depth_image_png(result))
    emit(result, json_mode=json_mode, render=lambda c: _render(c, result.to_json_dict()))


def _depth_format(path: str) -> Any:
    suffix = Path(path).suffix.lower()
    formats = {".npy": "npy", ".png": "png16", ".tif": "tiff16", ".tiff": "tiff16"}
    if suffix not in formats:
        raise UsageError(
            f"--depth-out: expected a .npy, .png or .tiff file name, got {path!r}",
            problems=[Problem("depth_out", "a .npy, .png or .tiff file name", path)],
        )
    return formats[suffix]


def _read_mask(path: str) -> Any:
    import numpy as np

    from scarwise.intake import read_photo_file

    if not Path(path).is_file():
        raise NotFound(
            f"mask: file not found: {path}",
            problems=[Problem("mask", "an existing image file", path)],
        )
    px = read_photo_file(path).pixels
    grey = px if px.ndim == 2 else px.max(axis=2)
    mask = grey > (grey.max() // 2 if grey.max() > 0 else 0)
    if not mask.any():
        raise InvalidInput(
            problems=[
                Problem("mask", "white pixels marking the skin to analyse", "an all-black mask")
            ]
        )
    return np.asarray(mask)


def _render(console: "Console", data: dict[str, Any]) -> None:
    s = data["summary"]
    console.print(
        f"[bold]{s['count']} atrophic scars[/]  icepick {s['by_type']['icepick']}, "
        f"boxcar {s['by_type']['boxcar']}, rolling {s['by_type']['rolling']}; "
        f"total volume {s['total_volume_mm3']} mm³"
    )
    if data["scars"]:
        from rich.table import Table

        table = Table()
        for col in (
            "id",
            "type",
            "depth mm",
            "diameter mm",
            "area mm²",
            "volume mm³",
            "centre x,y px",
        ):
            table.add_column(col)
        for scar in data["scars"]:
            table.add_row(
                str(scar["id"]),
                scar["type"],
                f"{scar['depth_mm']:.3f}",
                f"{scar['diameter_mm']:.2f}",
                f"{scar['area_mm2']:.2f}",
                f"{scar['volume_mm3']:.3f}",
                f"{scar['centroid_px'][0]:.0f},{scar['centroid_px'][1]:.0f}",
            )
        console.print(table)
    est = data["estimates"]
    console.print(
        f"estimates from this one area: Goodman & Baron quantitative {est['gb_quantitative']['score']}"
        f"/{est['gb_quantitative']['max']}, ECCA {est['ecca']['score']}/{est['ecca']['max']}",
        markup=False,
    )
    if data.get("depth_map"):
        console.print(f"height map: {data['depth_map']['file']}", markup=False)
    for w in data["warnings"]:
        console.print(f"warning: {w}", markup=False)
