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
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse

from scarwise.errors import InvalidInput, Problem
from scarwise.imaging import depth_image_png, overlay_png, render_overlay
from scarwise.intake import IntakeLimits, JsonLimits, read_json, read_photo
from scarwise.web.context import PLOT_LOCK, Context, check_pixel_budget, page
from scarwise.web.forms import positive, read_upload
from scarwise.web.guard import require_csrf
from scarwise.workflows import analyze_upload, analyze_uploads_3d

__all__ = ["router"]

#: Caps for the lights document typed into the 3-D form (a few hundred lights at most).
LIGHTS_LIMITS = JsonLimits(max_bytes=100_000, max_depth=8, max_values=10_000)

log = logging.getLogger("scarwise.web")

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])


@router.get("/analyze", response_class=HTMLResponse)
def analyze_start(request: Request, ctx: Context) -> HTMLResponse:
    return page(request, "analyze.html", "analyze", people=ctx.store.list_people().people)


@router.post("/analyze", response_class=HTMLResponse)
def analyze_page(
    request: Request,
    ctx: Context,
    photo: Annotated[UploadFile, File()],
    region: Annotated[Literal["auto", "face", "full"], Form()] = "auto",
    pixel_mm: Annotated[str | None, Form()] = None,
    person_id: Annotated[str | None, Form(max_length=64)] = None,
) -> HTMLResponse:
    person = ctx.store.get_person(person_id) if person_id else None
    with ctx.heavy_analysis():
        image = read_photo(read_upload(photo), limits=IntakeLimits.from_settings(ctx.settings))
        result = analyze_upload(
            image,
            region=region,
            pixel_mm=positive("pixel_mm", pixel_mm),
            store=ctx.store,
            person_id=person_id or None,
        ).result
        overlay = _b64(render_overlay(image, result))
    if person is not None:
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
    person = ctx.store.get_person(person_id) if person_id else None
    names = [f.filename or f"image{i}" for i, f in enumerate(images)]
    limits = IntakeLimits.from_settings(ctx.settings)
    with ctx.heavy_analysis():
        blobs = [read_upload(f) for f in images]
        check_pixel_budget(blobs, ctx.settings)
        photos = [
            read_photo(blob, limits=limits, name=name)
            for blob, name in zip(blobs, names, strict=True)
        ]
        del blobs
        size_mm = positive("pixel_mm", pixel_mm)
        if size_mm is None:
            raise InvalidInput(problems=[Problem("pixel_mm", "a number greater than 0", "nothing")])
        lights_document = read_json(lights, limits=LIGHTS_LIMITS, field="lights")
        result = analyze_uploads_3d(
            photos, names, lights_document, size_mm, store=ctx.store, person_id=person_id or None
        ).result
        with PLOT_LOCK:
            shown = [
                ("Scars outlined and numbered", _b64(overlay_png(result, photos[0].pixels))),
                ("Depth below the surrounding skin", _b64(depth_image_png(result))),
            ]
    if person is not None:
        log.info("3-D analysis saved with its %d photos (person %s)", len(photos), person.id)
    return page(
        request, "analyze3d_result.html", "analyze", result=result, images=shown, saved_to=person
    )


def _b64(png: bytes) -> str:
    """PNG bytes for a ``data:`` URL (the result is shown once and never stored under a path)."""
    return base64.b64encode(png).decode("ascii")
