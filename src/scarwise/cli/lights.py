"""``scarwise lights calibrate``: light directions from photos of a shiny or matte sphere."""

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import typer

from scarwise.cli.output import emit, json_requested
from scarwise.errors import Problem, UsageError

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["register"]

lights_app = typer.Typer(
    name="lights",
    help="Light directions for 'scarwise analyze3d'.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def register(app: typer.Typer) -> None:
    lights_app.command(
        "calibrate",
        help="Compute the light directions from photos of a sphere taken in the same set-up (one "
        "photo per light) and write the lights file.",
    )(calibrate_command)
    app.add_typer(lights_app, name="lights")


def calibrate_command(
    ctx: typer.Context,
    images: list[str] = typer.Argument(..., help="One photo of the sphere per light (3 or more)."),
    sphere: str = typer.Option(
        ..., "--sphere", help="The sphere in the photos: centre x, y and radius in px, 'X,Y,R'."
    ),
    out: str = typer.Option(..., "--out", help="Lights file to write (JSON)."),
    matte: bool = typer.Option(
        False, "--matte", help="A matte (white) sphere instead of a chrome one."
    ),
    linear: bool = typer.Option(False, "--linear", help="Treat every image as linear."),
    srgb: bool = typer.Option(False, "--srgb", help="Treat every image as sRGB-encoded."),
    json_output: bool = typer.Option(False, "--json", help="Machine-readable JSON on stdout."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks of internal errors."),
) -> None:
    from scarwise.imaging import calibrate_lights_from_sphere, photo_luminance
    from scarwise.intake import read_photo_file

    json_mode = json_requested(ctx, json_output)
    if linear and srgb:
        raise UsageError("--linear and --srgb exclude each other", hint="give at most one")
    geometry = _sphere(sphere)
    encoding: Literal["auto", "linear", "srgb"] = "linear" if linear else "srgb" if srgb else "auto"
    lum = [photo_luminance(read_photo_file(p), encoding)[0] for p in images]
    result = calibrate_lights_from_sphere(
        lum, geometry, names=images, method="matte" if matte else "chrome"
    )
    Path(out).write_text(
        json.dumps(result.light_set().to_document(), indent=2) + "\n", encoding="utf-8"
    )
    emit(result, json_mode=json_mode, render=lambda c: _render(c, result.to_json_dict(), out))


def _sphere(text: str) -> tuple[float, float, float]:
    try:
        x, y, r = (float(v) for v in text.split(","))
    except ValueError:
        raise UsageError(
            f"--sphere: expected 'X,Y,R' (centre and radius in pixels), got {text!r}",
            problems=[Problem("sphere", "X,Y,R in pixels", text)],
        ) from None
    return (x, y, r)


def _render(console: "Console", data: dict[str, Any], out: str) -> None:
    for light in data["lights"]:
        d = light["direction"]
        console.print(
            f"{light.get('image') or '?'}: [{d[0]:+.3f}, {d[1]:+.3f}, {d[2]:+.3f}]", markup=False
        )
    if data.get("fit_residual") is not None:
        what = (
            "degrees (the highlight's spread)"
            if data.get("fit_residual_unit") == "deg"
            else "of the brightness (cosine-law misfit)"
        )
        value = data["fit_residual"]
        shown = f"{value:.1f}" if data.get("fit_residual_unit") == "deg" else f"{100 * value:.1f} %"
        console.print(f"fit residual (median over the lights): {shown} {what}", markup=False)
    for w in data["warnings"]:
        console.print(f"warning: {w}", markup=False)
    console.print(f"wrote {out}", markup=False)
