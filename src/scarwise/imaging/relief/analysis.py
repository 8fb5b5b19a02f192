"""``analyze3d``: measure atrophic scars from photos of one skin area under several lights.

Pipeline (``contracts/imaging.md``; ``research/image-methods.md`` §3 and §7.3 [T]):
photos (already through the intake gate) -> linear luminance
(:mod:`~scarwise.imaging.relief.luminance`) -> light brightnesses estimated and robust slopes
(:mod:`~scarwise.imaging.relief.photometric_stereo`) -> height by DCT Poisson integration
(:mod:`~scarwise.imaging.relief.integration`) -> scars found, measured and typed
(:mod:`~scarwise.imaging.relief.finding`) -> the ``analyze3d/1`` result with a summary.
Scale estimates (Goodman & Baron, ECCA) are left empty here: scoring belongs to the scales,
which the workflow layer attaches (:mod:`scarwise.workflows.analysis3d`).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from scipy import ndimage as ndi

from scarwise.errors import InvalidInput
from scarwise.imaging.relief.finding import find_scars
from scarwise.imaging.relief.inputs import check_inputs
from scarwise.imaging.relief.integration import integrate_gradients
from scarwise.imaging.relief.luminance import Encoding, decoding_of, photo_luminance
from scarwise.imaging.relief.measuring import ScarMeasurement
from scarwise.imaging.relief.models import (
    Analyze3DResult,
    LightSet,
    Scar3D,
    Scars3DSummary,
    ScarType,
)
from scarwise.imaging.relief.photometric_stereo import (
    NormalField,
    estimate_normals,
    estimate_slopes,
)
from scarwise.imaging.relief.solve_setup import prepare_solve
from scarwise.intake import Photo

__all__ = ["analyze_luminance_3d", "analyze_scars_3d", "normals_from_photos"]

F32 = npt.NDArray[np.float32]


def analyze_scars_3d(
    images: Sequence[Photo],
    lights: LightSet,
    pixel_mm: float,
    *,
    mask: npt.NDArray[Any] | None = None,
    encoding: Encoding = "auto",
    estimate_brightness: bool | None = None,
) -> Analyze3DResult:
    """Measure the atrophic scars in one skin area from 3 or more photos under different lights.

    Parameters
    ----------
    images
        Photos from the intake gate (:func:`scarwise.intake.read_photo`), same size, one
        per light, taken from a fixed camera.
    lights
        One light per image (:func:`~scarwise.imaging.relief.lights.parse_lights`).
    pixel_mm
        Pixel size on the skin, in millimetres.
    mask
        Optional ``H x W`` array, non-zero = skin to analyse.
    encoding
        ``auto`` (16-bit linear, 8-bit sRGB), or force ``linear`` / ``srgb``.
    estimate_brightness
        True: estimate the lights' brightness from the photos even when the lights file states
        it; None (default): use stated brightnesses, else estimate them when the photos need it
        (:mod:`~scarwise.imaging.relief.brightness`); False: never estimate.

    Returns
    -------
    Analyze3DResult

    Raises
    ------
    InvalidInput
        Fewer than 3 images, sizes that differ, a lights count that does not match, coplanar
        lights, a bad pixel size or mask; every problem is listed. Photos that leave nothing
        sensible to compute: all the same, mostly saturated or dark, or moved too far
        (:func:`~scarwise.imaging.relief.photo_checks.check_photos`).
    """
    problems = check_inputs([p.size_px for p in images], lights, pixel_mm, mask)
    if problems:
        raise InvalidInput(problems=problems)
    decoded = _decode(images, encoding)
    box = [decoded.stack]  # hand the stack over, so it is freed once the normals are solved
    notes, used = decoded.notes, decoded.encoding
    del decoded  # no other reference to the stack may outlive the solve
    return _analyze_stack(
        box,
        lights,
        pixel_mm,
        mask=mask,
        notes=notes,
        encoding=used,
        estimate_brightness=estimate_brightness,
    )


def normals_from_photos(
    images: Sequence[Photo],
    lights: LightSet,
    *,
    mask: npt.NDArray[Any] | None = None,
    encoding: Encoding = "auto",
    estimate_brightness: bool | None = None,
) -> tuple[NormalField, list[str]]:
    """The surface normals ``analyze3d`` measures from, with its warnings.

    The same decoding, checks, brightness and sheen as :func:`analyze_scars_3d` (same
    parameters, no pixel size), stopped before the height map: for validation against a surface
    of known shape (a sphere) and for other uses of the normals.

    Raises
    ------
    InvalidInput
        As :func:`analyze_scars_3d`.
    """
    problems = check_inputs([p.size_px for p in images], lights, 1.0, mask)
    if problems:
        raise InvalidInput(problems=problems)
    decoded = _decode(images, encoding)
    stack = decoded.stack
    setup = prepare_solve(
        stack,
        lights,
        mask=mask,
        encoding=decoded.encoding,
        estimate_brightness=estimate_brightness,
    )
    field = estimate_normals(
        stack,
        lights.directions(),
        intensities=setup.intensities,
        shine_exponent=setup.shine_exponent,
    )
    return field, [*decoded.notes, *setup.warnings]


@dataclass(frozen=True)
class _Decoded:
    stack: F32
    notes: list[str]
    encoding: Literal["linear", "srgb"] | None


def _decode(images: Sequence[Photo], encoding: Encoding) -> _Decoded:
    """Linear luminance of every photo, linear RGB on the sample grid, and the decoding used."""
    k = len(images)
    w, h = images[0].size_px
    stack = np.empty((k, h, w), dtype=np.float32)
    decoded: set[Literal["linear", "srgb"]] = set()
    for i, photo in enumerate(images):
        lum, _rgb = photo_luminance(photo, encoding)
        decoded.add(decoding_of(photo, encoding))
        stack[i] = lum
        del lum, _rgb
    notes = [
        f"images[{i}]: {n}"
        for i, p in enumerate(images)
        for n in p.warnings
        if "colour profile" not in n
    ]
    return _Decoded(
        stack=stack,
        notes=notes,
        encoding=decoded.pop() if len(decoded) == 1 else None,
    )


def analyze_luminance_3d(
    stack: F32,
    lights: LightSet,
    pixel_mm: float,
    *,
    mask: npt.NDArray[Any] | None = None,
    rgb_sample: F32 | None = None,
    notes: Sequence[str] = (),
    estimate_brightness: bool | None = None,
) -> Analyze3DResult:
    """The pipeline on linear luminance images already in memory (``k x H x W`` float32).

    The stack is not changed (photos that moved are moved back in a copy). ``rgb_sample`` is
    deprecated and ignored: the lights' brightness is estimated on luminance (a trimmed estimate
    that a sheen fools less than the specular-free colour signal once used, which JPEG's chroma
    made noisy).
    """
    if rgb_sample is not None:
        warnings.warn(
            "analyze_luminance_3d(rgb_sample=...) is deprecated and ignored: the lights' "
            "brightness is estimated on luminance",
            DeprecationWarning,
            stacklevel=2,
        )
    return _analyze_stack(
        [stack.copy()],
        lights,
        pixel_mm,
        mask=mask,
        notes=notes,
        encoding=None,
        estimate_brightness=estimate_brightness,
    )


def _analyze_stack(
    box: list[F32],
    lights: LightSet,
    pixel_mm: float,
    *,
    mask: npt.NDArray[Any] | None,
    notes: Sequence[str],
    encoding: Literal["linear", "srgb"] | None,
    estimate_brightness: bool | None,
) -> Analyze3DResult:
    stack = box.pop()
    k, h, w = stack.shape
    problems = check_inputs([(w, h)] * k, lights, pixel_mm, mask)
    if problems:
        raise InvalidInput(problems=problems)
    setup = prepare_solve(
        stack,
        lights,
        mask=mask,
        encoding=encoding,
        estimate_brightness=estimate_brightness,
    )
    warnings = [*notes, *setup.warnings]
    total = setup.intensities
    field = estimate_slopes(
        stack,
        lights.directions(),
        intensities=total,
        sample=setup.noise_sample,
        shine_exponent=setup.shine_exponent,
    )
    del stack
    albedo, p, q = field.albedo, field.p, field.q
    del field
    height = integrate_gradients(p, q)
    del p, q
    height *= np.float32(pixel_mm)
    valid = setup.valid
    if valid is not None:
        height = _flatten_outside(height, valid)
    found = find_scars(height, pixel_mm, valid)
    result = _build_result(found.scars, found.types, (w, h), pixel_mm, total, warnings)
    result._height_mm = height
    result._surface_mm = found.surface_mm
    result._albedo = albedo
    result._valid = valid
    result._extents = [(s.rows, s.cols, s.mask) for s in found.scars]
    result._depressions = [s.depression_mm for s in found.scars]
    return result


def _flatten_outside(height: F32, valid: npt.NDArray[np.bool_]) -> F32:
    """Keep the height map inside the mask; outside it, the nearest inside value (for display)."""
    if valid.all() or not valid.any():
        return height
    idx = ndi.distance_transform_edt(~valid, return_distances=False, return_indices=True)
    return np.asarray(height[idx[0], idx[1]], dtype=np.float32)


def _build_result(
    measured: Sequence[ScarMeasurement],
    types: Sequence[ScarType],
    size: tuple[int, int],
    pixel_mm: float,
    intensities: npt.NDArray[np.float64],
    warnings: list[str],
) -> Analyze3DResult:
    scars = [
        Scar3D(
            id=i,
            centroid_px=(round(m.centroid_px[0], 1), round(m.centroid_px[1], 1)),
            diameter_mm=round(m.diameter_mm, 3),
            area_mm2=round(m.area_mm2, 3),
            depth_mm=round(m.depth_mm, 3),
            volume_mm3=round(m.volume_mm3, 4),
            type=t,
        )
        for i, (m, t) in enumerate(zip(measured, types, strict=True), start=1)
    ]
    by_type = {"icepick": 0, "boxcar": 0, "rolling": 0}
    for s in scars:
        by_type[s.type] += 1
    summary = Scars3DSummary(
        count=len(scars),
        by_type=by_type,
        total_volume_mm3=round(sum(m.volume_mm3 for m in measured), 4),
        mean_depth_mm=round(float(np.mean([m.depth_mm for m in measured])), 3)
        if measured
        else None,
    )
    rel = intensities / np.exp(np.log(intensities).mean())
    return Analyze3DResult(
        image_size_px=size,
        pixel_mm=float(pixel_mm),
        scars=scars,
        summary=summary,
        light_intensities=[round(float(v), 4) for v in rel],
        warnings=warnings,
    )
