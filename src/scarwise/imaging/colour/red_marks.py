"""Small red marks on real skin (papules, pustules, post-inflammatory erythema): a local,
shading-immune contrast detector for the face and close-up photos.

The detector of :mod:`~scarwise.imaging.colour.spots` divides out a smooth illumination field
and thresholds pigment density in robust sigmas of the whole region: right for evenly lit
close-ups with marks of any size, blind on a 3-D face, whose shading spreads the density far
more than a papule raises it. Here each pixel is compared with its own neighbourhood only:

* redness ``log(R/G)`` of linear RGB (a scale factor, i.e. shading, cancels) and green
  absorbance ``-log G`` (haemoglobin absorbs green: a papule is darker there), each as a
  difference of masked Gaussian means (a centre of a mark's size, a surround four times
  wider, both over the skin mask only, so the mask's edge adds nothing);
* each contrast in robust sigmas of itself over the skin, summed: a papule is both redder and
  darker; a pore is only darker, a flush only redder;
* hysteresis (a strong peak, grown over weak pixels), neighbours closer than a mark's radius
  joined, and long thin shapes (hairs, wrinkles, lid and nostril rims) and marks that hug the
  mask's edge left out.

The kind comes from how much redder the mark is for how much darker in green: haemoglobin
raises ``log R/G`` by about three quarters of the green absorbance it adds, melanin by a
quarter (:data:`ERYTHEMA_RATIO` lies between). Thresholds were set on the ACNE04 tuning photos only (image numbers
divisible by 3; ``benchmarks/validate_colour_real.py``) [T].
"""

from __future__ import annotations

import math
from typing import Final, Literal

import cv2
import numpy as np
from numpy.typing import NDArray

from scarwise.imaging.colour.pigments import HAEMOGLOBIN_DENSITY, MELANIN_DENSITY, pigment_amounts
from scarwise.imaging.colour.spots import DetectedSpot

__all__ = ["find_red_marks"]

#: Peak of the summed contrast (robust sigmas) a mark must reach, and the share of it its
#: surroundings must keep to belong to the mark.
PEAK_SIGMAS: Final = 7.0
GROW_FRACTION: Final = 0.2
#: Marks longer than this many times their width are hairs, wrinkles or rims.
MAX_ELONGATION: Final = 3.0
#: Least contrast in natural-log units at the peak (redness + green absorbance): on very even
#: skin a robust sigma can be tiny, and noise must not pass.
MIN_CONTRAST: Final = 0.06
#: Scale of the detector: a centre of 1.5 and a surround of 6 working pixels when the skin
#: mask is about 350 pixels across (ACNE04's 640-px faces), proportional otherwise.
REFERENCE_EXTENT_PX: Final = 350.0


def _redness_per_absorbance(density: NDArray[np.float64]) -> float:
    """How much redder (``log R/G``) a pigment makes skin per unit of green absorbance."""
    return float((density[1] - density[0]) / density[1])


#: A mark is ``erythema`` when its redness contrast is at least this share of its green
#: absorbance contrast: the geometric mean of melanin's share (0.24) and haemoglobin's (0.75)
#: with the pigment directions of :mod:`~scarwise.imaging.colour.pigments`.
ERYTHEMA_RATIO: Final = math.sqrt(
    _redness_per_absorbance(MELANIN_DENSITY) * _redness_per_absorbance(HAEMOGLOBIN_DENSITY)
)


def _masked_blur(
    x: NDArray[np.float32], m: NDArray[np.float32], sigma: float
) -> NDArray[np.float32]:
    num = cv2.GaussianBlur(x * m, (0, 0), sigma)
    den = cv2.GaussianBlur(m, (0, 0), sigma)
    return np.asarray(num / np.maximum(den, 1e-3), dtype=np.float32)


def _robust_sigma(values: NDArray[np.float32]) -> float:
    if values.size == 0:
        return 1.0
    med = float(np.median(values))
    return max(1e-4, float(1.4826 * np.median(np.abs(values - med))))


def find_red_marks(
    linear: NDArray[np.float32],
    corrected: NDArray[np.float32],
    region: NDArray[np.bool_],
    *,
    min_area: int = 20,
    peak_sigmas: float | None = None,
    taken: NDArray[np.bool_] | None = None,
) -> list[DetectedSpot]:
    """Small red (and dark) marks in ``region`` of a linear-RGB image.

    Parameters
    ----------
    linear
        ``H x W x 3`` linear RGB at the working resolution.
    corrected
        The same with the illumination divided out (the marks' colours are measured on it).
    region
        The analysed skin.
    taken
        Pixels of marks already found by another detector: a mark touching them is left out.
    min_area
        Marks smaller than this many working pixels are dropped.
    peak_sigmas
        Peak threshold in robust sigmas of the summed contrast (default :data:`PEAK_SIGMAS`).
    """
    if region.sum() < 100:
        return []
    peak = PEAK_SIGMAS if peak_sigmas is None else peak_sigmas
    base = float(np.clip(math.sqrt(float(region.sum())) / REFERENCE_EXTENT_PX, 0.5, 4.0))
    s_centre, s_surround, edge = 1.5 * base, 6.0 * base, 6.0 * base
    log = np.log(np.maximum(linear, np.float32(1.0 / 4096.0)))
    m = region.astype(np.float32)
    redness = np.asarray(log[..., 0] - log[..., 1], dtype=np.float32)
    absorb = np.asarray(-log[..., 1], dtype=np.float32)
    c_red = _masked_blur(redness, m, s_centre) - _masked_blur(redness, m, s_surround)
    c_abs = _masked_blur(absorb, m, s_centre) - _masked_blur(absorb, m, s_surround)
    dist = cv2.distanceTransform(np.pad(region, 1).astype(np.uint8), cv2.DIST_L2, 3)[1:-1, 1:-1]
    inner = region & (dist > edge)
    if inner.sum() < 50:
        inner = region
    score = np.where(
        region, c_red / _robust_sigma(c_red[inner]) + c_abs / _robust_sigma(c_abs[inner]), 0.0
    ).astype(np.float32)
    raw = np.where(region, c_red + c_abs, 0.0)
    strong = (score > peak) & (raw > MIN_CONTRAST)
    weak = (score > GROW_FRACTION * peak).astype(np.uint8)
    join = max(1, round(2 * base))
    weak = np.asarray(
        cv2.morphologyEx(
            weak, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * join + 1,) * 2)
        ),
        dtype=np.uint8,
    )
    weak = weak & region.astype(np.uint8)
    n, labels, stats, centroids = cv2.connectedComponentsWithStats(weak, connectivity=8)
    if n <= 1:
        return []
    seeded = np.zeros(n, dtype=bool)
    seeded[np.unique(labels[strong])] = True
    seeded[0] = False
    marks: list[DetectedSpot] = []
    ring_r = max(2, round(3 * base))
    ring_k = np.asarray(
        cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * ring_r + 1,) * 2), dtype=np.uint8
    )
    for i in np.flatnonzero(seeded & (stats[:, cv2.CC_STAT_AREA] >= min_area)):
        x, y, w, h, area = (int(v) for v in stats[i])
        sl = (slice(y, y + h), slice(x, x + w))
        comp = labels[sl] == i
        if taken is not None and bool(taken[sl][comp].any()):
            continue
        if float(np.median(dist[sl][comp])) < edge:
            continue
        ys, xs = np.nonzero(comp)
        if xs.size >= 5:
            _, (rw, rh), _ = cv2.minAreaRect(np.stack([xs, ys], axis=1).astype(np.float32))
            if max(rw, rh) / max(1.0, min(rw, rh)) > MAX_ELONGATION:
                continue
        red_part = float(c_red[sl][comp].mean())
        abs_part = float(c_abs[sl][comp].mean())
        kind: Literal["erythema", "hyperpigmentation"] = (
            "erythema" if red_part >= ERYTHEMA_RATIO * max(abs_part, 0.0) else "hyperpigmentation"
        )
        if kind == "hyperpigmentation" and not _solid(comp):
            continue  # a dark chain along a jaw line, hairline or nostril rim: shading
        marks.append(_measured(kind, sl, comp, int(area), centroids[i], corrected, region, ring_k))
    return marks


#: A dark (not red) mark must fill at least this share of its convex hull.
MIN_DARK_SOLIDITY: Final = 0.5


def _solid(comp: NDArray[np.bool_]) -> bool:
    pts = cv2.findNonZero(comp.astype(np.uint8))
    if pts is None or len(pts) < 5:
        return True
    return float(comp.sum()) / (float(cv2.contourArea(cv2.convexHull(pts))) + 1.0) >= (
        MIN_DARK_SOLIDITY
    )


def _measured(
    kind: Literal["erythema", "hyperpigmentation"],
    sl: tuple[slice, slice],
    comp: NDArray[np.bool_],
    area: int,
    centroid: NDArray[np.float64],
    corrected: NDArray[np.float32],
    region: NDArray[np.bool_],
    ring_k: NDArray[np.uint8],
) -> DetectedSpot:
    """The mark's mean colour, its surround's (a ring of skin around it) and pigment excess."""
    r = ring_k.shape[0] // 2
    h, w = region.shape
    y0, y1 = max(0, sl[0].start - r), min(h, sl[0].stop + r)
    x0, x1 = max(0, sl[1].start - r), min(w, sl[1].stop + r)
    local = np.zeros((y1 - y0, x1 - x0), dtype=np.uint8)
    local[sl[0].start - y0 : sl[0].stop - y0, sl[1].start - x0 : sl[1].stop - x0] = comp
    ring = (cv2.dilate(local, ring_k) > 0) & (local == 0) & region[y0:y1, x0:x1]
    patch = corrected[y0:y1, x0:x1]
    mean = patch[local > 0].mean(axis=0).astype(np.float64)
    bg = patch[ring].mean(axis=0).astype(np.float64) if ring.any() else mean
    excess = np.log(np.clip(bg, 1e-4, None)) - np.log(np.clip(mean, 1e-4, None))
    cm, ch = pigment_amounts(excess)
    return DetectedSpot(
        kind=kind,
        mask_slice=sl,
        mask=comp,
        area=area,
        centroid=(float(centroid[0]), float(centroid[1])),
        mean_linear=mean,
        background_linear=bg,
        melanin_excess=float(cm),
        haemoglobin_excess=float(ch),
    )
