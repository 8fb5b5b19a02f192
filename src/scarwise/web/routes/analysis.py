"""The photo-analysis pages: colour analysis of one photo, 3-D scar measurement from several.

Uploads pass the intake gate (:func:`scarwise.intake.read_photo`) before anything looks at them;
results are shown once (pictures as ``data:`` URLs, never stored under a path) and, when a
person is chosen, saved to their records. One analysis runs at a time (a second gets the 429
page, :meth:`~scarwise.web.context.WebContext.heavy_analysis`), and the 3-D photos together stay
within ``SCARWISE_MAX_ANALYSIS_PIXELS`` (413, checked from the headers before decoding).
"""

from __future__ import annotations

import base64
import logging
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse

from scarwise.documents import parse_document
from scarwise.errors import InvalidInput, Problem
from scarwise.imaging import (
    analyze_photo,
    analyze_scars_3d,
    depth_image_png,
    overlay_png,
    parse_lights,
    render_overlay,
)
from scarwise.intake import IntakeLimits, read_photo
from scarwise.web.context import PLOT_LOCK, Context, WebContext, check_pixel_budget, page
from scarwise.web.forms import positive, read_upload
from scarwise.web.guard import require_csrf

__all__ = ["router"]

log = logging.getLogger("scarwise.web")

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])


@router.get("/analyze", response_class=HTMLResponse)
def analyze_start(request: Request, ctx: Context) -> HTMLResponse:
    return page(request, "analyze.html", "analyze", people=ctx.store.list_people().people)


def _person_or_none(ctx: WebContext, person_id: str | None) -> Any:
    return ctx.store.get_person(person_id) if person_id else None


@router.post("/analyze", response_class=HTMLResponse)
def analyze_page(
    request: Request,
    ctx: Context,
    photo: Annotated[UploadFile, File()],
    region: Annotated[Literal["auto", "face", "full"], Form()] = "auto",
    pixel_mm: Annotated[str | None, Form()] = None,
    person_id: Annotated[str | None, Form(max_length=64)] = None,
) -> HTMLResponse:
    person = _person_or_none(ctx, person_id)
    with ctx.heavy_analysis():
        data = read_upload(photo)
        image = read_photo(data, limits=IntakeLimits.from_settings(ctx.settings), name="photo")
        result = analyze_photo(image, region=region, pixel_mm=positive("pixel_mm", pixel_mm))
        overlay = _b64(render_overlay(image, result))
    if person is not None:
        _save_analysis(ctx, person.id, data, result.to_json_dict(), name="photo")
        log.info("colour analysis saved (person %s)", person.id)
    return page(
        request, "analyze_result.html", "analyze", result=result, overlay=overlay, saved_to=person
    )


@router.post("/analyze3d", response_class=HTMLResponse)
def analyze3d_page(
    request: Request,
    ctx: Context,
    images: Annotated[list[UploadFile], File()],
    lights: Annotated[str, Form(max_length=100_000)],
    pixel_mm: Annotated[str, Form()],
    person_id: Annotated[str | None, Form(max_length=64)] = None,
) -> HTMLResponse:
    person = _person_or_none(ctx, person_id)
    if len(images) < 3:
        raise InvalidInput(problems=[Problem("images", "3 or more photos", len(images))])
    names = [f.filename or f"image{i}" for i, f in enumerate(images)]
    limits = IntakeLimits.from_settings(ctx.settings)
    with ctx.heavy_analysis():
        blobs = [read_upload(f) for f in images]
        check_pixel_budget(blobs, ctx.settings)
        photos = [read_photo(b, limits=limits, name=f"image{i}") for i, b in enumerate(blobs)]
        light_set = parse_lights(parse_document(lights, fmt="json", field="lights"), names)
        size_mm = positive("pixel_mm", pixel_mm)
        if size_mm is None:
            raise InvalidInput(problems=[Problem("pixel_mm", "a number greater than 0", "nothing")])
        result = analyze_scars_3d(photos, light_set, size_mm)
        with PLOT_LOCK:
            shown = [
                ("Scars outlined and numbered", _b64(overlay_png(result, photos[0].pixels))),
                ("Depth below the surrounding skin", _b64(depth_image_png(result))),
            ]
    if person is not None:
        _save_analysis(ctx, person.id, blobs[0], result.to_json_dict(), name="image0")
        log.info("3-D analysis saved (person %s)", person.id)
    return page(
        request, "analyze3d_result.html", "analyze", result=result, images=shown, saved_to=person
    )


def _save_analysis(
    ctx: WebContext, person_id: str, photo: bytes, analysis: dict[str, Any], *, name: str
) -> None:
    """Store the analysed photo and the analysis linked to it, in the person's records."""
    store = ctx.store
    saved = store.add_photo_bytes(person_id, photo, name=name).photos
    store.record_analysis(person_id, analysis, photo_ids=[p.id for p in saved])


def _b64(png: bytes) -> str:
    """PNG bytes for a ``data:`` URL (the result is shown once and never stored under a path)."""
    return base64.b64encode(png).decode("ascii")
