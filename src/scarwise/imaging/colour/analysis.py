"""``analyze_photo``: skin tone, redness and pigment indices, and red/brown marks of one photo.

The pipeline (contracts/imaging.md, ``scarwise analyze``): gate-checked sRGB pixels -> linear RGB
at a working resolution -> region (face skin from the mesh, the whole image, or a user mask) ->
:func:`~scarwise.imaging.colour.spots.measure_skin` (illumination flattened, marks, hairs and shine
found) -> optional grey-card calibration -> median CIELAB, ITA°, indices -> marks with CIEDE2000
contrast, in photo pixels.
"""

from __future__ import annotations

import math
from typing import Final

import cv2
import numpy as np
from numpy.typing import NDArray

from scarwise.errors import InvalidInput, Problem
from scarwise.imaging.colour.colour_space import (
    ciede2000,
    linear_to_lab,
    srgb_to_linear,
    srgb_to_linear16,
)
from scarwise.imaging.colour.illumination import apply_grey_card
from scarwise.imaging.colour.models import (
    AnalyzeResult,
    ColourIndices,
    RegionColour,
    SkinTone,
    Spot,
)
from scarwise.imaging.colour.pigments import HAEMOGLOBIN_DENSITY, MELANIN_DENSITY
from scarwise.imaging.colour.quality import quality_warnings, tone_warning
from scarwise.imaging.colour.red_marks import find_red_marks
from scarwise.imaging.colour.region import find_skin_region, mask_edge_px
from scarwise.imaging.colour.skin_tone import ita_category, ita_deg
from scarwise.imaging.colour.spots import DetectedSpot, measure_skin
from scarwise.intake import Photo

__all__ = ["NO_CALIBRATION_WARNING", "analyze_photo"]

NO_CALIBRATION_WARNING: Final = (
    "no colour reference in the photo: absolute colour values are approximate"
)
#: Pixels analysed at most (the photo is downsampled, in linear light, to this many). Spots are
#: still reported in photo pixels. Chosen to keep a 12 MP photo's analysis within the time goal
#: in BENCHMARKS.md.
MAX_WORKING_PIXELS: Final = 1_200_000
_LAB_SAMPLE: Final = 120_000
_MIN_SPOT_AREA_PX: Final = 20  # contracts/imaging.md: spots under 20 px are ignored
#: Above this robust spread of pigment density over the local background, the detection
#: thresholds (which scale with it) are far above the marks' contrast: the result warns. The
#: synthetic patches give 0.02-0.03; a studio portrait's face with 3-D shading gives 0.3-0.4.
UNEVEN_SKIN_DENSITY: Final = 0.08


def analyze_photo(
    photo: Photo,
    *,
    region: str = "auto",
    pixel_mm: float | None = None,
    grey_card: tuple[int, int, int, int] | None = None,
    mask: NDArray[np.bool_] | None = None,
) -> AnalyzeResult:
    """Colour analysis of one photo (the ``analyze/1`` result).

    Parameters
    ----------
    photo
        A photo from :func:`~scarwise.intake.read_photo`.
    region
        ``auto`` (the face's skin when a face is found, else the whole image with a warning),
        ``face`` (a face is required) or ``full`` (every pixel is skin).
    pixel_mm
        Size of one pixel on the skin in millimetres, for ``area_mm2``.
    grey_card
        ``(x, y, width, height)`` of an 18 % grey card in the photo: calibrates exposure and
        white balance (``skin_tone.calibrated`` is then true).
    mask
        ``H x W`` booleans, true = skin to analyse; overrides ``region``.

    Raises
    ------
    InvalidInput
        Bad options, a grey image, no face with ``region="face"``, or too little skin.
    """
    problems = _check_options(photo, region, pixel_mm, grey_card, mask)
    if problems:
        raise InvalidInput(problems=problems, prefix="analyze")

    warnings = list(photo.warnings)
    pixels = photo.pixels
    height, width = pixels.shape[:2]
    rgb8 = np.asarray(pixels if pixels.dtype == np.uint8 else (pixels >> 8), dtype=np.uint8)
    k = min(1.0, math.sqrt(MAX_WORKING_PIXELS / (height * width)))
    wh, ww = max(1, round(height * k)), max(1, round(width * k))
    if k == 1.0:
        linear = srgb_to_linear(pixels)
    else:
        # Average in linear light, at 16 bits: half the memory and time of float at 12 MP.
        lin16 = srgb_to_linear16(pixels)
        small = cv2.resize(lin16, (ww, wh), interpolation=cv2.INTER_AREA)
        del lin16
        linear = np.asarray(small, dtype=np.float32) / np.float32(65535.0)
    sx, sy = ww / width, wh / height

    found = find_skin_region(rgb8, (wh, ww), region=region, mask=mask)
    warnings.extend(found.warnings)
    region_w = found.mask.copy()
    regions_w = found.regions
    used = found.used
    face_found = found.face is not None
    if grey_card is not None:
        x, y, bw, bh = grey_card
        region_w[
            max(0, math.floor(y * sy)) : math.ceil((y + bh) * sy),
            max(0, math.floor(x * sx)) : math.ceil((x + bw) * sx),
        ] = False
    if region_w.sum() < 400:
        raise InvalidInput(
            "analyze: too little skin to analyse",
            problems=[Problem("region", "at least 400 pixels of skin", int(region_w.sum()))],
        )

    opening = 3 if k >= 0.75 else 2 if k >= 0.4 else 1
    meas = measure_skin(
        linear,
        region_w,
        min_area=max(1, round(_MIN_SPOT_AREA_PX * sx * sy)),
        opening_radius=opening,
    )
    corrected = meas.corrected
    gains = np.ones(3)
    calibrated = False
    if grey_card is not None:
        x, y, bw, bh = grey_card
        box_w = (
            math.floor(x * sx),
            math.floor(y * sy),
            max(1, round(bw * sx)),
            max(1, round(bh * sy)),
        )
        flat_card = linear / meas.field[..., None]  # the card under the same light field
        _, gains = apply_grey_card(flat_card, box_w)
        corrected = np.asarray(corrected * gains.astype(np.float32), dtype=np.float32)
        calibrated = True
    else:
        warnings.append(NO_CALIBRATION_WARNING)
    if meas.noise_density > UNEVEN_SKIN_DENSITY:
        warnings.append(
            "strong shading or uneven light across the skin: small or faint marks may be missed "
            "(an evenly lit close-up with --region full or --mask works best)"
        )
    if meas.saturated_fraction > 0.01:
        warnings.append(
            f"{meas.saturated_fraction:.0%} of the skin is overexposed (clipped): "
            "colour numbers are approximate"
        )

    tone, indices = _skin_numbers(corrected, meas.clean_skin)
    marks = meas.spots
    if used in ("face", "skin"):
        marks = _off_the_edge(marks, region_w, edge_px=mask_edge_px(found, ww, width))
        marks = tuple(m for m in marks if _compact(m.mask))
    taken = meas.near_shine.copy()
    for spot in marks:
        taken[spot.mask_slice] |= spot.mask
    marks = marks + tuple(
        find_red_marks(
            linear,
            meas.corrected,
            region_w,
            min_area=max(1, round(_MIN_SPOT_AREA_PX * sx * sy)),
            taken=taken,
        )
    )
    spots, outlines = _spots(marks, gains, sx, sy, pixel_mm, regions_w, region_w)
    region_rows = _region_rows(corrected, meas.clean_skin, region_w, regions_w, spots, sx, sy)
    ita_value = round(ita_deg(tone[0], tone[2]), 2)
    warnings.extend(
        _quality(rgb8, region_w, coverage=float(region_w.mean()), calibrated=calibrated)
    )
    off_scale = tone_warning(ita_value)
    if off_scale is not None:
        warnings.append(off_scale)
    result = AnalyzeResult(
        image_size_px=(width, height),
        region=used,
        face_found=face_found,
        skin_tone=SkinTone(
            lab=tone,
            ita_deg=ita_value,
            category=ita_category(ita_value),
            calibrated=calibrated,
        ),
        indices=indices,
        spots=spots,
        regions=region_rows,
        pixel_mm=pixel_mm,
        skin_area_px=round(float(region_w.sum()) / (sx * sy)),
        warnings=warnings,
    )
    result._outlines = outlines
    result._skin_outline = _contours(region_w, sx, sy, holes=True)
    result._skin_mask = region_w
    return result


def _quality(
    rgb8: NDArray[np.uint8], region_w: NDArray[np.bool_], *, coverage: float, calibrated: bool
) -> list[str]:
    """Quality warnings measured on a raster of at most 512 px a side."""
    height, width = rgb8.shape[:2]
    k = min(1.0, 512 / max(height, width))
    size = (max(1, round(width * k)), max(1, round(height * k)))
    small = rgb8 if k == 1.0 else cv2.resize(rgb8, size, interpolation=cv2.INTER_AREA)
    small = np.ascontiguousarray(small, dtype=np.uint8)
    skin = cv2.resize(region_w.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST) > 0
    return quality_warnings(
        small, srgb_to_linear(small), skin, coverage=coverage, check_cast=not calibrated
    )


def _check_options(
    photo: Photo,
    region: str,
    pixel_mm: float | None,
    grey_card: tuple[int, int, int, int] | None,
    mask: NDArray[np.bool_] | None,
) -> list[Problem]:
    problems = []
    if region not in {"auto", "face", "full"}:
        problems.append(Problem("region", "one of auto, face, full", region))
    if pixel_mm is not None and not (math.isfinite(pixel_mm) and pixel_mm > 0):
        problems.append(Problem("pixel_mm", "a positive number of millimetres", pixel_mm))
    if not photo.is_colour:
        problems.append(Problem("photo", "a colour photo (RGB)", "a greyscale image"))
    width, height = photo.size_px
    if grey_card is not None:
        x, y, bw, bh = grey_card
        if bw < 4 or bh < 4 or x < 0 or y < 0 or x + bw > width or y + bh > height:
            problems.append(
                Problem(
                    "grey_card",
                    f"a box of at least 4x4 px inside the {width}x{height} photo",
                    list(grey_card),
                )
            )
    if mask is not None and mask.shape != (height, width):
        problems.append(
            Problem(
                "mask",
                f"a mask of the photo's size {width}x{height}",
                f"{mask.shape[1] if mask.ndim > 1 else 0}x{mask.shape[0]}",
            )
        )
    return problems


def _sample(values: NDArray[np.float32], n: int) -> NDArray[np.float32]:
    step = max(1, values.shape[0] // n)
    return values[::step]


def _skin_numbers(
    corrected: NDArray[np.float32], clean: NDArray[np.bool_]
) -> tuple[tuple[float, float, float], ColourIndices]:
    px = _sample(corrected[clean], _LAB_SAMPLE)
    lab = linear_to_lab(np.clip(px, 0, None))
    med = np.median(lab, axis=0)
    lin = np.clip(px.astype(np.float64), 1e-4, None)
    ei = float(np.median(np.log10(lin[:, 0] / lin[:, 1])))
    mi = float(np.median(-np.log10(lin[:, 0])))
    # Tsumura-style densities of the median skin: solve [melanin haemoglobin 1] c = -log(rgb).
    density = -np.log(np.clip(np.median(lin, axis=0), 1e-4, None))
    basis = np.stack([MELANIN_DENSITY, HAEMOGLOBIN_DENSITY, np.ones(3)], axis=1)
    cm, ch, _ = np.linalg.solve(basis, density)
    tone = (round(float(med[0]), 2), round(float(med[1]), 2), round(float(med[2]), 2))
    return tone, ColourIndices(
        mean_a_star=round(float(lab[:, 1].mean()), 2),
        erythema_index=round(ei, 4),
        melanin_index=round(mi, 4),
        melanin_density=round(float(cm), 4),
        haemoglobin_density=round(float(ch), 4),
    )


def _contours(
    mask: NDArray[np.bool_], sx: float, sy: float, *, holes: bool = False
) -> list[NDArray[np.float32]]:
    mode = cv2.RETR_CCOMP if holes else cv2.RETR_EXTERNAL
    found, _ = cv2.findContours(mask.astype(np.uint8), mode, cv2.CHAIN_APPROX_SIMPLE)
    scale = np.array([1 / sx, 1 / sy], dtype=np.float32)
    return [((c.reshape(-1, 2).astype(np.float32) + 0.5) * scale - 0.5) for c in found]


#: On a face or a found skin region, a mark of the illumination-flattened detector must be
#: compact: shading along a jaw line, a nose side or a hairline gives long, ragged regions.
MIN_SOLIDITY: Final = 0.5
MAX_ELONGATION: Final = 3.5


def _compact(mask: NDArray[np.bool_]) -> bool:
    """Solid (area over its convex hull's) and not long (minimum-area rectangle's sides)."""
    pts = cv2.findNonZero(mask.astype(np.uint8))
    if pts is None or len(pts) < 5:
        return True
    hull = float(cv2.contourArea(cv2.convexHull(pts))) + 1.0
    _, (w, h), _ = cv2.minAreaRect(pts)
    return float(mask.sum()) / hull >= MIN_SOLIDITY and max(w, h) / max(1.0, min(w, h)) <= (
        MAX_ELONGATION
    )


def _off_the_edge(
    spots: tuple[DetectedSpot, ...], region: NDArray[np.bool_], *, edge_px: float
) -> tuple[DetectedSpot, ...]:
    """Drop marks that hug the edge of the face mask: shadows of eyelids and nostrils, hairline
    strands. A mark is kept when its median distance from the edge is at least ``edge_px``."""
    dist = cv2.distanceTransform(np.pad(region, 1).astype(np.uint8), cv2.DIST_L2, 3)[1:-1, 1:-1]
    return tuple(s for s in spots if float(np.median(dist[s.mask_slice][s.mask])) >= edge_px)


def _spots(
    found_spots: tuple[DetectedSpot, ...],
    gains: NDArray[np.float64],
    sx: float,
    sy: float,
    pixel_mm: float | None,
    regions_w: dict[str, NDArray[np.bool_]],
    region_w: NDArray[np.bool_],
) -> tuple[list[Spot], list[NDArray[np.float32]]]:
    found = sorted(found_spots, key=lambda s: -s.area)
    if not found:
        return [], []
    spot_lab = linear_to_lab(np.stack([s.mean_linear * gains for s in found]))
    bg_lab = linear_to_lab(np.stack([s.background_linear * gains for s in found]))
    de = ciede2000(spot_lab, bg_lab)
    spots: list[Spot] = []
    outlines: list[NDArray[np.float32]] = []
    for n, (s, d) in enumerate(zip(found, de, strict=True), start=1):
        cx, cy = s.centroid
        area_px = round(s.area / (sx * sy))
        where = None
        ix, iy = round(cx), round(cy)
        for name, m in regions_w.items():
            if 0 <= iy < m.shape[0] and 0 <= ix < m.shape[1] and m[iy, ix]:
                where = name
                break
        spots.append(
            Spot(
                id=n,
                kind=s.kind,
                centroid_px=(round((cx + 0.5) / sx - 0.5, 1), round((cy + 0.5) / sy - 0.5, 1)),
                area_px=area_px,
                area_mm2=None if pixel_mm is None else round(area_px * pixel_mm * pixel_mm, 4),
                delta_e=round(float(d), 2),
                region=where,
                melanin_excess=round(s.melanin_excess, 4),
                haemoglobin_excess=round(s.haemoglobin_excess, 4),
            )
        )
        local = np.zeros(region_w.shape, dtype=bool)
        local[s.mask_slice] = s.mask
        outlines.extend(_contours(local, sx, sy)[:1])
    return spots, outlines


def _region_rows(
    corrected: NDArray[np.float32],
    clean: NDArray[np.bool_],
    region_w: NDArray[np.bool_],
    regions_w: dict[str, NDArray[np.bool_]],
    spots: list[Spot],
    sx: float,
    sy: float,
) -> list[RegionColour]:
    rows = []
    for name, m in regions_w.items():
        sel = clean & m
        if sel.sum() < 200:
            continue
        px = _sample(corrected[sel], 40_000)
        lab = linear_to_lab(np.clip(px, 0, None))
        med = np.median(lab, axis=0)
        lin = np.clip(px.astype(np.float64), 1e-4, None)
        ita = round(ita_deg(float(med[0]), float(med[2])), 2)
        rows.append(
            RegionColour(
                name=name,
                skin_area_px=round(float((region_w & m).sum()) / (sx * sy)),
                lab=(round(float(med[0]), 2), round(float(med[1]), 2), round(float(med[2]), 2)),
                ita_deg=ita,
                category=ita_category(ita),
                mean_a_star=round(float(lab[:, 1].mean()), 2),
                erythema_index=round(float(np.median(np.log10(lin[:, 0] / lin[:, 1]))), 4),
                spot_count=sum(1 for s in spots if s.region == name),
            )
        )
    return rows
