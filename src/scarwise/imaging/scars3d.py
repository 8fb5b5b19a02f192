"""Atrophic scars on a height map: surrounding surface, depressions, contract measurements, type.

Definitions are the contract's (``contracts/imaging.md``, ``analyze3d``):

* the **surrounding skin surface** is the smooth surface the skin would have without the scar;
  here, per scar, a quadratic fitted (robustly) on a ring of skin around the scar, after other
  depressions are masked out. Measuring against a ring-fitted quadratic made depth and volume
  robust to every low-frequency error injected in the research (light error, near-field lights,
  integration drift; ``research/image-methods.md`` §3.2 "Conclusions" [T]);
* ``depth_mm`` is the largest distance of the floor below that surface (after a 0.7-pixel
  Gaussian that only removes pixel noise);
* the **extent** is the connected region around the deepest point lying more than 10 % of the
  depth below the surface; ``area_mm2``, ``diameter_mm`` (equal-area circle), ``centroid_px`` and
  ``volume_mm3`` (surface minus skin, summed over the extent) follow from it;
* depressions shallower than 0.05 mm or narrower than 0.3 mm are texture, not scars.

The same :func:`measure_depressions` measures the synthetic ground truth (against the true
surface) and the reconstruction, so the validation compares like with like.

Detection: a first smooth surface for the whole patch (a robust global polynomial plus a masked
Gaussian, iterated so depressions do not pull it down), candidate depressions deeper than
0.02 mm, split into single scars by h-maxima markers and a watershed (research §4: height map +
top-hat was the best detector [T]), with basins joined again where only a low ridge parts them
(a saddle within ``SPLIT_FRACTION`` of the shallower one's depth).

Type (``research/clinical-facts.md`` §1.1, Jacob 2001 via Fabbrocini 2010 [V]): boxcar = U,
steep walls and a flat floor; icepick = V, narrow (< 2 mm) and deep for its width; rolling = wide
(> 4-5 mm) and shallow with sloping walls. The shape numbers used (fill ratio, wall sharpness,
depth-to-diameter ratio) and their cut-offs are scarwise's own, set on synthetic scenes
(``docs/validation-3d.md``) [M].
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import ndimage as ndi

__all__ = [
    "MIN_DEPTH_MM",
    "MIN_DIAMETER_MM",
    "ScarMeasurement",
    "ScarType",
    "ScarsFound",
    "classify_scar",
    "find_scars",
    "measure_depressions",
    "surrounding_surface",
]

F32 = npt.NDArray[np.float32]
Bool = npt.NDArray[np.bool_]
ScarType = Literal["icepick", "boxcar", "rolling"]

#: Contract: shallower depressions are texture.
MIN_DEPTH_MM = 0.05
#: Contract: narrower depressions are texture.
MIN_DIAMETER_MM = 0.3
#: Contract: the extent is where the skin lies more than this fraction of the depth below.
EXTENT_FRACTION = 0.1
#: Candidate depressions are deeper than this below the first smooth surface (half the
#: contract's 0.05 mm, so shallow scars are not lost to a small surface bias).
CANDIDATE_MM = 0.02
#: Two depressions in one candidate region are separate scars when each is at least this much
#: deeper than the saddle between them (h-maxima height).
SPLIT_MM = 0.03
#: ... and each is also deeper than that saddle by at least this fraction of its own depth. With 4
#: lights, shadows on a deep boxcar's floor leave low ridges that split it: saddles 0.43-0.56 mm
#: under tops of 0.46-0.60 mm (6-8 % of the depth) on the held-out 4-light scenes 5000-5009,
#: where 3 boxcars came out as 7 scars; separate scars are parted by skin near the surface (the
#: only other split there: tops 0.08-0.10 mm over a 0.046 mm saddle, 45 %) (issue 6) [M].
SPLIT_FRACTION = 0.2
#: Most grid cells a candidate region is split on (see :func:`_split`). The h-maxima cost grows
#: with the cells: 19 ms for the 342 x 338 cells of the picture-wide region at 1 MP, about 5 ms at
#: this cap; the scars found were bit-identical with and without it on 24 rendered scenes (1 and
#: 4.2 MP, 640 px; issue 6) [M].
SPLIT_MAX_CELLS = 40_000
#: Ring pixels (at most, a regular subsample) a scar's surrounding quadratic is fitted on.
#: 2000 would fit 2.5x faster but moved rolling scars' volumes by up to 2.2 % (depths 1.1 %) on
#: 24 rendered scenes (issue 6 check), which is no longer "the same answer within noise".
FIT_POINTS = 6000
#: Noise-only smoothing of the depression map before depth and extent, in pixels.
SMOOTH_PX = 0.7
#: Threads the candidate regions of a height map are split and measured on (1: no pool).
REGION_THREADS = 2


@dataclass(frozen=True)
class ScarMeasurement:
    """One depression measured per the contract, with the shape numbers used for its type.

    ``mask`` is the extent inside its bounding box ``rows x cols`` of the full image.
    """

    depth_mm: float
    diameter_mm: float
    area_mm2: float
    volume_mm3: float
    centroid_px: tuple[float, float]
    deepest_px: tuple[int, int]
    fill_ratio: float
    wall_sharpness: float
    rows: slice
    cols: slice
    mask: Bool

    @property
    def depth_to_diameter(self) -> float:
        """Depth over diameter (dimensionless)."""
        return self.depth_mm / self.diameter_mm if self.diameter_mm > 0 else 0.0


@dataclass(frozen=True)
class ScarsFound:
    """Scars found on a height map, with their types, and the patch's smooth surface."""

    scars: list[ScarMeasurement]
    types: list[ScarType]
    surface_mm: F32


Box = tuple[slice, slice]
#: 3 x 3 cross: ``ndimage``'s default (4-connected) structuring element, as cv2 wants it.
_CROSS = np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], dtype=np.uint8)


def _window(
    shape: tuple[int, ...], r0: int, r1: int, c0: int, c1: int, margin: int
) -> tuple[slice, slice]:
    return (
        slice(max(r0 - margin, 0), min(r1 + margin, shape[0])),
        slice(max(c0 - margin, 0), min(c1 + margin, shape[1])),
    )


def _grow(box: Box, by: int, within: Box) -> Box:
    """``box`` widened by ``by`` pixels on every side, clipped to ``within`` (global coordinates)."""
    return (
        slice(max(box[0].start - by, within[0].start), min(box[0].stop + by, within[0].stop)),
        slice(max(box[1].start - by, within[1].start), min(box[1].stop + by, within[1].stop)),
    )


def _union(a: Box, b: Box) -> Box:
    return (
        slice(min(a[0].start, b[0].start), max(a[0].stop, b[0].stop)),
        slice(min(a[1].start, b[1].start), max(a[1].stop, b[1].stop)),
    )


def _inside(box: Box, outer: Box) -> Box:
    """``box`` in the coordinates of ``outer`` (which contains it)."""
    return (
        slice(box[0].start - outer[0].start, box[0].stop - outer[0].start),
        slice(box[1].start - outer[1].start, box[1].stop - outer[1].start),
    )


def _tight(mask: Bool, box: Box) -> tuple[Box, Bool]:
    """``mask`` (placed at ``box``) cropped to the bounding box of its pixels."""
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        return box, mask
    r0, r1, c0, c1 = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
    tight = (
        slice(box[0].start + r0, box[0].start + r1),
        slice(box[1].start + c0, box[1].start + c1),
    )
    return tight, mask[r0:r1, c0:c1]


def _component_at(mask: Bool, seed: tuple[int, int], box: Box) -> tuple[Box, Bool] | None:
    """The 4-connected component of ``mask`` (placed at ``box``) holding ``seed``, cropped.

    Same set as ``ndimage.label(mask) == labels[seed]``, by a flood fill from the seed, which
    touches only the component instead of labelling the whole box. None when ``seed`` is off.
    """
    import cv2

    if not mask[seed]:
        return None
    h, w = mask.shape
    filled = np.zeros((h + 2, w + 2), dtype=np.uint8)
    _area, _img, _mask, (x, y, bw, bh) = cv2.floodFill(
        np.ascontiguousarray(mask).view(np.uint8),
        filled,
        (seed[1], seed[0]),
        1,
        0,
        0,
        4 | cv2.FLOODFILL_MASK_ONLY | (1 << 8),
    )
    tight = (
        slice(box[0].start + y, box[0].start + y + bh),
        slice(box[1].start + x, box[1].start + x + bw),
    )
    return tight, filled[1 + y : 1 + y + bh, 1 + x : 1 + x + bw].view(bool)


def _place(mask: Bool, box: Box, onto: Box) -> Bool:
    """``mask`` (placed at ``box``) as a mask of the box ``onto`` (False elsewhere)."""
    out = np.zeros((onto[0].stop - onto[0].start, onto[1].stop - onto[1].start), dtype=bool)
    r0, r1 = max(box[0].start, onto[0].start), min(box[0].stop, onto[0].stop)
    c0, c1 = max(box[1].start, onto[1].start), min(box[1].stop, onto[1].stop)
    if r0 < r1 and c0 < c1:
        out[r0 - onto[0].start : r1 - onto[0].start, c0 - onto[1].start : c1 - onto[1].start] = (
            mask[r0 - box[0].start : r1 - box[0].start, c0 - box[1].start : c1 - box[1].start]
        )
    return out


class _NeedsWiderBox(Exception):
    """The extent reaches sides of the box it was measured in (top, left, bottom, right)."""

    def __init__(self, sides: tuple[bool, bool, bool, bool]) -> None:
        super().__init__(sides)
        self.sides = sides


def _widen(box: Box, sides: tuple[bool, bool, bool, bool], window: Box) -> Box:
    """``box`` doubled towards the given sides (top, left, bottom, right), within ``window``."""
    h = max(box[0].stop - box[0].start, 16)
    w = max(box[1].stop - box[1].start, 16)
    top, left, bottom, right = sides
    return (
        slice(
            max(box[0].start - h * top, window[0].start),
            min(box[0].stop + h * bottom, window[0].stop),
        ),
        slice(
            max(box[1].start - w * left, window[1].start),
            min(box[1].stop + w * right, window[1].stop),
        ),
    )


def _measure_window(
    d: F32,
    deepest: tuple[int, int],
    pixel_mm: float,
    forbid: Bool | None,
    rows: slice,
    cols: slice,
    full_shape: tuple[int, int] | None = None,
    window: Box | None = None,
) -> ScarMeasurement | None:
    """Contract measurements on a box of the (smoothed) depression map ``d`` (mm, + = below).

    ``d`` covers ``rows x cols`` of the picture, inside the measuring ``window`` (default: the
    box itself). An extent that reaches a window side other than the picture's edge is cut by
    the window: None. When the box is smaller than the window, every number here depends only on
    pixels within 2 of the extent, so the result is the window's own unless the extent comes
    that close to a side of the box inside the window (:class:`_NeedsWiderBox`).
    """
    import cv2

    depth = float(d[deepest])
    if not np.isfinite(depth) or depth <= 0:
        return None
    above = d > EXTENT_FRACTION * depth
    if forbid is not None:
        above &= ~forbid
    box = (rows, cols)
    found = _component_at(above, deepest, box)
    if found is None:
        return None
    ebox, extent = found
    win = box if window is None else window
    # sides of the box that lie inside the window (the extent may go on beyond them)
    open_sides = (
        rows.start > win[0].start and ebox[0].start - rows.start < 2,
        cols.start > win[1].start and ebox[1].start - cols.start < 2,
        rows.stop < win[0].stop and rows.stop - ebox[0].stop < 2,
        cols.stop < win[1].stop and cols.stop - ebox[1].stop < 2,
    )
    if any(open_sides):
        raise _NeedsWiderBox(open_sides)
    if full_shape is not None and (
        (win[0].start > 0 and ebox[0].start == win[0].start)
        or (win[1].start > 0 and ebox[1].start == win[1].start)
        or (win[0].stop < full_shape[0] and ebox[0].stop == win[0].stop)
        or (win[1].stop < full_shape[1] and ebox[1].stop == win[1].stop)
    ):
        return None  # reaches the edge of its window: a broad undulation, not a measurable scar
    area_px = int(extent.sum())
    px2 = pixel_mm * pixel_mm
    area = area_px * px2
    e_in = _inside(ebox, box)
    d_ext = d[e_in]
    volume = float(d_ext[extent].sum()) * px2
    rr, cc = np.divmod(np.flatnonzero(extent), extent.shape[1])
    centroid = (float(cc.mean()) + ebox[1].start, float(rr.mean()) + ebox[0].start)
    diameter = 2.0 * float(np.sqrt(area / np.pi))
    # wall sharpness: steepest walls (98th percentile slope) relative to depth / radius;
    # a cone or a raised cosine is about 1-1.3, a flat-floored box several times more
    sbox = _grow(ebox, 2, box)
    s_in = _inside(sbox, box)
    gy, gx = np.gradient(d[s_in], pixel_mm)
    slope = np.hypot(gx, gy)
    placed = _place(extent, ebox, sbox).view(np.uint8)
    ring = cv2.dilate(placed, _CROSS).view(bool)  # as ndi.binary_dilation, several times faster
    steep = float(np.percentile(slope[ring], 98)) if ring.any() else 0.0
    sharp = steep * (diameter / 2.0) / depth
    fill = volume / (area * depth) if area > 0 else 0.0
    return ScarMeasurement(
        depth_mm=depth,
        diameter_mm=diameter,
        area_mm2=area,
        volume_mm3=volume,
        centroid_px=centroid,
        deepest_px=(deepest[1] + cols.start, deepest[0] + rows.start),
        fill_ratio=float(fill),
        wall_sharpness=sharp,
        rows=ebox[0],
        cols=ebox[1],
        mask=extent,
    )


def measure_depressions(
    depression_mm: F32,
    pixel_mm: float,
    seeds: Sequence[tuple[int, int]],
    *,
    seed_level_mm: float = CANDIDATE_MM,
) -> list[ScarMeasurement]:
    """Measure the depressions at ``seeds`` (row, col) on a depression map against its own zero.

    ``depression_mm`` is surface minus skin (positive below the surface). Each seed's deepest point
    is searched in the connected region deeper than ``seed_level_mm`` that contains it. Used for
    the synthetic ground truth, where the true surface is known.
    """
    d_full = depression_mm.astype(np.float32, copy=False)
    region_labels, _n = ndi.label(d_full > seed_level_mm)
    out: list[ScarMeasurement] = []
    slices = ndi.find_objects(region_labels)
    for seed in seeds:
        lab = region_labels[seed]
        if lab == 0:
            raise ValueError(
                f"seed {seed} is not inside a depression deeper than {seed_level_mm} mm"
            )
        sl = slices[lab - 1]
        assert sl is not None
        margin = max(4, int(0.5 / pixel_mm))
        rows, cols = _window(d_full.shape, sl[0].start, sl[0].stop, sl[1].start, sl[1].stop, margin)
        d = ndi.gaussian_filter(d_full[rows, cols], SMOOTH_PX)
        region = region_labels[rows, cols] == lab
        flat = np.where(region, d, -np.inf).argmax()
        deepest = np.unravel_index(flat, d.shape)
        forbid = (region_labels[rows, cols] > 0) & ~region
        m = _measure_window(d, (int(deepest[0]), int(deepest[1])), pixel_mm, forbid, rows, cols)
        if m is None:
            raise ValueError(f"seed {seed}: no depression to measure")
        out.append(m)
    return out


def _lstsq(a: npt.NDArray[np.floating], b: npt.NDArray[np.floating]) -> F32:
    """Least squares for a tall, well-scaled basis via the normal equations (float64).

    ``a`` and ``b`` may already be float64 (a fit repeated on subsets converts them once).
    """
    a64 = a.astype(np.float64, copy=False)
    b64 = b.astype(np.float64, copy=False)
    ata = a64.T @ a64
    atb = a64.T @ b64
    try:
        coef = np.linalg.solve(ata, atb)
    except np.linalg.LinAlgError:
        coef = np.linalg.lstsq(a64, b64, rcond=None)[0]
    return np.asarray(coef, dtype=np.float32)


def _poly_basis(x: F32, y: F32, degree: int) -> F32:
    """Columns ``x**i * y**j`` (``i + j <= degree``; i outer, j inner) of a polynomial fit."""
    x_pow, y_pow = [np.ones_like(x), x], [np.ones_like(y), y]
    for _ in range(2, degree + 1):  # repeated products: much faster than float powers
        x_pow.append(x_pow[-1] * x)
        y_pow.append(y_pow[-1] * y)
    out = np.empty((*x.shape, (degree + 1) * (degree + 2) // 2), dtype=np.float32)
    k = 0
    for i in range(degree + 1):
        for j in range(degree + 1 - i):
            np.multiply(x_pow[i], y_pow[j], out=out[..., k])
            k += 1
    return out


def _poly_on_grid(coef: F32, xs: F32, ys: F32, degree: int) -> F32:
    """The polynomial of :func:`_poly_basis` coefficients on the grid ``ys x xs`` (broadcast)."""
    out = np.zeros((ys.size, xs.size), dtype=np.float32)
    k = 0
    x_pow = np.ones(xs.size, dtype=np.float32)
    for i in range(degree + 1):
        col = np.zeros(ys.size, dtype=np.float32)
        y_pow = np.ones(ys.size, dtype=np.float32)
        for _j in range(degree + 1 - i):
            col += np.float32(coef[k]) * y_pow
            y_pow = y_pow * ys
            k += 1
        out += col[:, None] * x_pow[None, :]
        x_pow = x_pow * xs
    return out


def _block_mean(image: F32, f: int, hs: int, ws: int) -> F32:
    """Means of ``f x f`` blocks (the top-left ``hs*f x ws*f`` of ``image``), float32."""
    import cv2

    if f == 1:
        return np.array(image[:hs, :ws], dtype=np.float32)
    out = cv2.resize(image[: hs * f, : ws * f], (ws, hs), interpolation=cv2.INTER_AREA)
    return np.asarray(out, dtype=np.float32)


def _gaussian_kernel(sigma: float) -> F32:
    """The 1-D kernel of ``scipy.ndimage.gaussian_filter`` (truncated at 4 sigma), float32."""
    radius = int(4.0 * sigma + 0.5)
    x = np.arange(-radius, radius + 1, dtype=np.float64)
    k = np.exp(-0.5 * (x / sigma) ** 2)
    return np.asarray(k / k.sum(), dtype=np.float32)


def surrounding_surface(
    height_mm: F32,
    pixel_mm: float,
    mask: Bool | None = None,
    *,
    scale_mm: float = 1.5,
    rounds: int = 6,
) -> F32:
    """A first smooth surrounding surface for the whole patch (for detection).

    Works on a grid of block means about ``scale_mm / 7.5`` across (0.2 mm by default, so the
    Gaussian has about 60 taps): a robust global cubic removes the large-scale curvature, then
    a masked (normalised) Gaussian of width ``scale_mm`` follows what is left; cells more than
    a noise-scaled margin below the surface (and about 0.2 mm around them) are masked and the
    fit repeated, so depressions do not pull the surface down. Returned at full resolution
    (bilinear). The grid only needs to resolve a surface smoothed over millimetres: this surface
    only proposes candidates, and every scar is measured against its own ring-fitted quadratic.
    The former 0.1 mm grid (135 taps at 1 MP, 3-6x the time) gave the same held-out validation
    (``docs/validation-3d.md``: recall, precision and type identical, medians within 0.2 points).
    """
    import cv2

    h, w = height_mm.shape
    f = max(1, round(scale_mm / 7.5 / pixel_mm))
    hs, ws = h // f, w // f
    if hs < 8 or ws < 8:
        f, hs, ws = 1, h, w
    # block means (cv2's area resampling is exactly that for a whole factor, and fast)
    small = _block_mean(height_mm.astype(np.float32, copy=False), f, hs, ws)
    ok = np.ones((hs, ws), bool)
    if mask is not None:
        ok = _block_mean(mask.astype(np.float32), f, hs, ws) > 0.5
    xs = (np.arange(ws, dtype=np.float32) - ws / 2) / max(ws, hs)
    ys = (np.arange(hs, dtype=np.float32) - hs / 2) / max(ws, hs)
    kernel = _gaussian_kernel(scale_mm / (pixel_mm * f))
    cross = cv2.getStructuringElement(cv2.MORPH_CROSS, (3, 3))
    grow = max(1, round(0.2 / (pixel_mm * f)))  # cells: a 0.2 mm margin around masked cells
    keep = ok.copy()
    surface = small.copy()
    # the cubic's basis on every cell, once (each round fits on the rows of the cells it keeps)
    basis = _poly_basis(np.tile(xs, hs), np.repeat(ys, ws), 3).astype(np.float64)
    for _ in range(rounds):
        rows_fit = np.flatnonzero(keep.ravel())[:: max(1, int(keep.sum()) // 20_000)]
        coef = _lstsq(basis[rows_fit], small.ravel()[rows_fit])
        poly = _poly_on_grid(coef, xs, ys, 3)
        # masked (normalised) Gaussian of what the polynomial leaves (ndimage's kernel and
        # "nearest" border; cv2's float32 filter is several times faster)
        rest = np.where(keep, small - poly, 0.0).astype(np.float32)
        num = cv2.sepFilter2D(rest, -1, kernel, kernel, borderType=cv2.BORDER_REPLICATE)
        den = cv2.sepFilter2D(
            keep.astype(np.float32), -1, kernel, kernel, borderType=cv2.BORDER_REPLICATE
        )
        surface = (poly + num / np.maximum(den, np.float32(1e-3))).astype(np.float32)
        resid = surface - small
        spread = float(1.4826 * np.median(np.abs(resid[keep]))) if keep.any() else 0.0
        new_keep = ok & (resid < max(0.01, 3.0 * spread)) & (resid > -max(0.05, 6.0 * spread))
        lost = (~new_keep & ok).view(np.uint8)
        new_keep = ok & ~cv2.dilate(lost, cross, iterations=grow).view(bool)  # as binary_dilation
        if new_keep.sum() < 0.2 * ok.sum() or np.array_equal(new_keep, keep):
            break
        keep = new_keep
    return _upsample(surface, f, (h, w))


def _upsample(small: F32, f: int, shape: tuple[int, int]) -> F32:
    """``small`` resized bilinearly by ``f``, the rows and columns beyond repeated to ``shape``.

    Same values as ``np.pad(cv2.resize(...), mode="edge")``; resizing into the full-size array
    saves the second 4 MB copy at 1 MP (and its page faults).
    """
    import cv2

    hs, ws = small.shape
    full = np.empty(shape, dtype=np.float32)
    inner = full[: hs * f, : ws * f]
    cv2.resize(small, (ws * f, hs * f), dst=inner, interpolation=cv2.INTER_LINEAR)
    full[hs * f :, : ws * f] = inner[-1]
    full[:, ws * f :] = full[:, ws * f - 1 : ws * f]
    return full


def _fit_quadratic(height: F32, ring: Bool, ring_box: Box, window: Box) -> F32 | None:
    """Robust quadratic through the ring pixels, in the window's normalised coordinates.

    Returns the six coefficients (term order of ``_poly_basis(x, y, 2)``: 1, y, y², x, xy, x²) or
    None when the ring has too few pixels. The ring lies at ``ring_box`` of the picture; the
    coordinates are centred and scaled on the measuring ``window``, so the fit does not depend on
    how tightly the ring's box is cut.
    """
    flat = np.flatnonzero(ring)  # row order, as np.nonzero (and several times faster)
    if flat.size < 12:
        return None
    step = max(1, flat.size // FIT_POINTS)  # a regular subsample is plenty for 6 coefficients
    rr, cc = np.divmod(flat[::step], ring.shape[1])
    h, w = window[0].stop - window[0].start, window[1].stop - window[1].start
    scale = float(max(h, w))
    r_off, c_off = ring_box[0].start - window[0].start, ring_box[1].start - window[1].start
    xs = (np.arange(w, dtype=np.float32) - w / 2) / scale
    ys = (np.arange(h, dtype=np.float32) - h / 2) / scale
    a = _poly_basis(xs[cc + c_off], ys[rr + r_off], 2)
    b = height[rr + ring_box[0].start, cc + ring_box[1].start]
    a64, b64 = a.astype(np.float64), b.astype(np.float64)  # once, not every round
    use = np.ones(rr.size, bool)
    coef = np.zeros(6, dtype=np.float32)
    for _ in range(3):
        every = bool(use.all())
        # np.compress: the rows of a[use], about 5x faster for these narrow rows
        a_use, b_use = (a64, b64) if every else (np.compress(use, a64, axis=0), b64[use])
        coef = _lstsq(a_use, b_use)
        res = np.abs(b - a @ coef)
        mad = float(1.4826 * np.median(res if every else res[use])) + 1e-6
        new_use = res < 3.0 * mad
        if new_use.sum() < 12 or np.array_equal(new_use, use):
            break
        use = new_use
    return coef


def _quadratic_on(coef: F32, box: Box, window: Box) -> F32:
    """The quadratic of :func:`_fit_quadratic` evaluated on ``box`` (inside ``window``)."""
    h, w = window[0].stop - window[0].start, window[1].stop - window[1].start
    scale = float(max(h, w))
    b_in = _inside(box, window)
    xs = ((np.arange(w, dtype=np.float32) - w / 2) / scale)[None, b_in[1]]
    ys = ((np.arange(h, dtype=np.float32) - h / 2) / scale)[b_in[0], None]
    c0, c_y, c_yy, c_x, c_xy, c_xx = (float(v) for v in coef)
    surface = (c0 + c_y * ys + c_yy * ys * ys) + xs * (c_x + c_xy * ys) + c_xx * xs * xs
    return np.asarray(surface, dtype=np.float32)


def _smoothed_depression(coef: F32, height: F32, box: Box, window: Box) -> F32:
    """Gaussian-smoothed ``quadratic - height`` on ``box``, as if filtered over the window.

    The filter reaches ``int(4 * SMOOTH_PX + 0.5)`` pixels, so filtering the box widened by that
    much (within the window, whose own sides are the filter's boundary) gives the same values.
    """
    wide = _grow(box, int(4.0 * SMOOTH_PX + 0.5), window)
    raw = _quadratic_on(coef, wide, window) - height[wide]
    return _gaussian(raw, SMOOTH_PX)[_inside(box, wide)]


class _Basin:
    """One watershed basin of a candidate region and what surrounds it, read off the picture."""

    def __init__(self, labels: npt.NDArray[np.int32], basin: Bool, box: Box, valid: Bool | None):
        self.labels, self.basin, self.box, self.valid = labels, basin, box, valid

    def others(self, box: Box) -> Bool:
        """Other candidate depressions (and the rest of this region) inside ``box``."""
        return np.asarray((self.labels[box] > 0) & ~_place(self.basin, self.box, box), dtype=bool)

    def outside(self, box: Box) -> Bool | None:
        """Pixels outside the analysis mask inside ``box`` (None: no mask)."""
        return None if self.valid is None else ~self.valid[box]


def _measure_local(
    height: F32,
    core: Bool,
    core_box: Box,
    around: _Basin,
    pixel_mm: float,
    window: Box,
) -> ScarMeasurement | None:
    """Two passes of ring fit + contract measurement for one basin core inside its window.

    None when the depression cannot be measured (its ring is cut by the edge or the mask).
    Works on the region's box widened by the ring (widened further towards any side the extent
    reaches, up to the window), with the same numbers as working on the whole window.
    """
    import cv2

    full_shape = (height.shape[0], height.shape[1])
    region, region_box = core, core_box
    m: ScarMeasurement | None = None
    for _pass in range(2):
        area_px = max(int(region.sum()), 1)
        req = float(np.sqrt(area_px / np.pi))
        r_in = max(2, round(0.3 * req) + 1)
        r_out = r_in + max(5, round(0.6 * req))
        # the ring (chessboard distance r_in..r_out from the region) lies in this box
        obox = _grow(region_box, r_out, window)
        if (
            obox[0].start <= 0
            or obox[1].start <= 0
            or obox[0].stop >= full_shape[0]
            or obox[1].stop >= full_shape[1]
        ):
            return None  # the ring is cut by the picture's edge
        ubox = _union(obox, core_box)  # where the depression is measured first
        others_u = around.others(ubox)
        o_in = _inside(obox, ubox)
        src = np.ascontiguousarray(~_place(region, region_box, obox)).view(np.uint8)
        dist = cv2.distanceTransform(src, cv2.DIST_C, 3)
        ring = (dist <= r_out) & (dist > r_in) & ~others_u[o_in]
        outside = around.outside(obox)
        n_ring = int(ring.sum())
        if n_ring == 0:
            return None
        if outside is not None:
            if int((ring & outside).sum()) > 0.3 * n_ring:
                return None  # the ring lies largely off the mask
            ring &= ~outside
        coef = _fit_quadratic(height, ring, obox, window)
        if coef is None:
            return m
        m_new = None
        box = ubox
        while True:  # widened towards the sides the extent reaches, up to the window
            d = _smoothed_depression(coef, height, box, window)
            # deepest point of the core (first in row order, as over the whole box)
            c_in = _inside(core_box, box)
            top = np.unravel_index(int(np.where(core, d[c_in], -np.inf).argmax()), core.shape)
            deepest = (int(top[0]) + c_in[0].start, int(top[1]) + c_in[1].start)
            forbid = others_u if box is ubox else around.others(box)
            outside_box = around.outside(box)
            if outside_box is not None:
                forbid = forbid | outside_box
            try:
                m_new = _measure_window(
                    d,
                    deepest,
                    pixel_mm,
                    forbid,
                    box[0],
                    box[1],
                    full_shape,
                    window,
                )
            except _NeedsWiderBox as reached:
                box = _widen(box, reached.sides, window)
                continue
            break
        if m_new is None:
            return None
        m = m_new
        region, region_box = m.mask, (m.rows, m.cols)
    return m


def classify_scar(m: ScarMeasurement) -> ScarType:
    """Type from the recovered shape (clinical-facts §1.1 [V]; cut-offs scarwise's own [M]).

    * boxcar: steep walls relative to depth/radius (sharpness >= 2.2) and a flat, full floor
      (volume / (area x depth) >= 0.5) - the "U";
    * icepick: otherwise, when narrow (< 3 mm across the 10 % extent) and deep for its width
      (depth / diameter >= 0.12) - the "V";
    * rolling: the rest - wide and shallow with sloping walls.
    """
    if m.wall_sharpness >= 2.2 and m.fill_ratio >= 0.5:
        return "boxcar"
    if m.diameter_mm < 3.0 and m.depth_to_diameter >= 0.12:
        return "icepick"
    return "rolling"


def find_scars(height_mm: F32, pixel_mm: float, mask: Bool | None = None) -> ScarsFound:
    """Find, measure and type every atrophic scar on a height map (mm, z towards the camera).

    Parameters
    ----------
    height_mm
        ``H x W`` float32 height map, any offset.
    pixel_mm
        Pixel size on the skin.
    mask
        Pixels to analyse (default all).
    """
    import cv2

    height = height_mm.astype(np.float32, copy=False)
    valid = None if mask is None else np.asarray(mask, dtype=bool)
    surface = surrounding_surface(height, pixel_mm, valid)
    d0 = surface - height
    cand = d0 > CANDIDATE_MM
    if valid is not None:
        cand &= valid
    # labels without cv2's statistics (3-6x slower); boxes from ndimage, areas per box below
    _n, labels_any = cv2.connectedComponents(cand.view(np.uint8), connectivity=8, ltype=cv2.CV_32S)
    labels = np.asarray(labels_any, dtype=np.int32)
    del cand
    min_area_px = 0.5 * np.pi * (MIN_DIAMETER_MM / 2 / pixel_mm) ** 2
    regions = []
    for lab, box in enumerate(ndi.find_objects(labels), start=1):
        if box is None:
            continue
        comp = labels[box] == lab
        area = int(comp.sum())
        if area >= min_area_px and float(d0[box][comp].max()) >= 0.7 * MIN_DEPTH_MM:
            regions.append((box, comp, area))
    scene = _Scene(height, d0, labels, valid, pixel_mm)
    scars = [m for found in _map_regions(scene, regions) for m in found]
    scars.sort(key=lambda s: (s.centroid_px[1], s.centroid_px[0]))
    return ScarsFound(scars=scars, types=[classify_scar(s) for s in scars], surface_mm=surface)


@dataclass(frozen=True)
class _Scene:
    """What every candidate region of :func:`find_scars` reads (never writes)."""

    height: F32
    d0: F32
    labels: npt.NDArray[np.int32]
    valid: Bool | None
    pixel_mm: float


def _map_regions(
    scene: _Scene, regions: Sequence[tuple[Box, Bool, int]]
) -> list[list[ScarMeasurement]]:
    """:func:`_region_scars` of every region, in order; larger boxes first, on threads.

    The regions are independent and their work is numpy, OpenCV and scikit-image calls that
    mostly release the GIL: whole analysis at 1 MP 161 -> 146 ms on two idle cores (issue 6).
    """
    from concurrent.futures import ThreadPoolExecutor

    if REGION_THREADS <= 1 or len(regions) < 2:
        return [_region_scars(scene, *r) for r in regions]
    size = [(b[0].stop - b[0].start) * (b[1].stop - b[1].start) for b, _c, _a in regions]
    order = sorted(range(len(regions)), key=lambda i: -size[i])
    with ThreadPoolExecutor(REGION_THREADS) as pool:
        futures = {i: pool.submit(_region_scars, scene, *regions[i]) for i in order}
        return [futures[i].result() for i in range(len(regions))]


def _region_scars(scene: _Scene, box: Box, comp: Bool, area: int) -> list[ScarMeasurement]:
    """The scars of one candidate region ``comp`` (at ``box``): split, then each basin measured."""
    height, pixel_mm = scene.height, scene.pixel_mm
    y, x = box[0].start, box[1].start
    h, w = box[0].stop - y, box[1].stop - x
    req = float(np.sqrt(area / np.pi))
    margin = round(1.5 * req) + round(1.0 / pixel_mm) + 8
    window = _window(height.shape, y, y + h, x, x + w, margin)
    d_s = _smoothed(scene.d0, box, window, 1.0)
    scars = []
    for basin_box, basin in _split(d_s, comp, box, window, pixel_mm):
        around = _Basin(scene.labels, basin, basin_box, scene.valid)
        # start from the basin's core: a watershed basin can take in broad shallow ground
        d_b = d_s[_inside(basin_box, box)]
        peak = float(d_b[basin].max())
        strong = basin & (d_b > 0.3 * peak)
        top = np.unravel_index(int(np.where(basin, d_b, -np.inf).argmax()), d_b.shape)
        found = _component_at(strong, (int(top[0]), int(top[1])), basin_box)
        if found is None:  # no positive peak: the old labelling's background (in the box)
            found = _tight(~_place(strong, basin_box, box), box)
        core_box, core = found
        m = _measure_local(height, core, core_box, around, pixel_mm, window)
        if m is None or m.depth_mm < MIN_DEPTH_MM or m.diameter_mm < MIN_DIAMETER_MM:
            continue
        scars.append(m)
    return scars


def _smoothed(image: F32, box: Box, window: Box, sigma: float) -> F32:
    """:func:`_gaussian` of ``image[window]`` on ``box`` only (same values; see above)."""
    wide = _grow(box, int(4.0 * sigma + 0.5), window)
    return _gaussian(image[wide], sigma)[_inside(box, wide)]


def _gaussian(image: F32, sigma: float) -> F32:
    """``scipy.ndimage.gaussian_filter(image, sigma)`` (its kernel, "reflect" border) via cv2.

    cv2's float32 filter is about 7x faster on these small windows; it differs from ndimage's
    (float64 inside) by float32 rounding only (< 1e-7 mm here). A window cut from a larger array
    is filtered in place (cv2 takes its row stride): no copy of the picture-wide window at 1 MP.
    """
    import cv2

    k = _gaussian_kernel(sigma)
    out = cv2.sepFilter2D(
        np.asarray(image, dtype=np.float32), -1, k, k, borderType=cv2.BORDER_REFLECT
    )
    return np.asarray(out, dtype=np.float32)


def _split(d_s: F32, comp: Bool, box: Box, window: Box, pixel_mm: float) -> list[tuple[Box, Bool]]:
    """The candidate region ``comp`` (at ``box``) split into single depressions (cropped masks).

    Markers are the h-maxima (``SPLIT_MM``) of the smoothed depression on a grid of about 0.1 mm
    anchored at the window's corner (a 0.3 mm scar still has its own maximum; fast), grown by a
    watershed inside the region, and basins parted only by a low ridge joined again
    (:func:`_merge_shallow_splits`); only the grid cells of the region's box and two around it are
    used, which are all the markers and basins can depend on. A region whose box would need more
    than ``SPLIT_MAX_CELLS`` cells (at 1 MP, the background bent by the integration joins into
    one region spanning the picture) is split on a grid coarse enough to stay under it.
    """
    from skimage.segmentation import watershed

    fs = max(1, round(0.1 / pixel_mm))
    # a region spanning much of the picture (background bent by the integration, joined by
    # shallow ground) gets a coarser grid: h-maxima cost grows with the grid's cells
    box_px = (box[0].stop - box[0].start) * (box[1].stop - box[1].start)
    fs = max(fs, math.ceil(math.sqrt(box_px / SPLIT_MAX_CELLS)))
    # grid cells (window-anchored) whose pixel lies in the box, and two cells around them
    first_r = -(-(box[0].start - window[0].start) // fs)
    first_c = -(-(box[1].start - window[1].start) // fs)
    stop_r = -(-(box[0].stop - window[0].start) // fs)
    stop_c = -(-(box[1].stop - window[1].start) // fs)
    n_r = -(-(window[0].stop - window[0].start) // fs)
    n_c = -(-(window[1].stop - window[1].start) // fs)
    i0, i1 = max(first_r - 2, 0), min(stop_r + 2, n_r)
    j0, j1 = max(first_c - 2, 0), min(stop_c + 2, n_c)
    off_r = window[0].start + fs * first_r - box[0].start
    off_c = window[1].start + fs * first_c - box[1].start
    d_small = np.zeros((i1 - i0, j1 - j0), dtype=np.float64)
    comp_small = np.zeros((i1 - i0, j1 - j0), dtype=bool)
    cells = (slice(first_r - i0, stop_r - i0), slice(first_c - j0, stop_c - j0))
    comp_small[cells] = comp[off_r::fs, off_c::fs]
    d_small[cells] = np.where(comp_small[cells], d_s[off_r::fs, off_c::fs], 0.0)
    if _one_top_at_most(d_small, comp_small, SPLIT_MM):
        return [(box, comp)]  # as the h-maxima would give: one marker or none
    markers, n_markers = ndi.label(_region_h_maxima(d_small, comp_small, SPLIT_MM))
    if n_markers <= 1:
        return [(box, comp)]
    ws = watershed(-d_small, markers, mask=comp_small)  # type: ignore[no-untyped-call]
    ws, n_markers = _merge_shallow_splits(ws, d_small, n_markers)
    if n_markers <= 1:
        return [(box, comp)]
    # each pixel takes the label of the grid cell at or above-left of it
    r0, c0 = box[0].start - window[0].start, box[1].start - window[1].start
    labels = ws[
        r0 // fs - i0 : -(-(box[0].stop - window[0].start) // fs) - i0,
        c0 // fs - j0 : -(-(box[1].stop - window[1].start) // fs) - j0,
    ]
    return _basins(labels, fs, (r0 % fs, c0 % fs), comp, box, n_markers)


def _merge_shallow_splits(
    labels: npt.NDArray[np.integer], depth: npt.NDArray[np.float64], n: int
) -> tuple[npt.NDArray[np.integer], int]:
    """Watershed basins joined where the saddle between them is within ``SPLIT_FRACTION`` of a top.

    Two adjacent basins stay apart only when the shallower one's deepest point lies at least
    ``SPLIT_FRACTION`` of its depth below the saddle (the deepest point of their common border,
    4-connected). Borders are taken deepest first and joined basins keep the deeper top, so a
    chain of shallow ridges across one floor joins into one basin. Returns the relabelled grid
    (labels ``1..m``, 0 outside) and ``m``.
    """
    tops = np.asarray(ndi.maximum(depth, labels, index=np.arange(1, n + 1)), dtype=np.float64)
    pairs: dict[tuple[int, int], float] = {}
    for a, b, da, db in (
        (labels[:, :-1], labels[:, 1:], depth[:, :-1], depth[:, 1:]),
        (labels[:-1, :], labels[1:, :], depth[:-1, :], depth[1:, :]),
    ):
        border = (a > 0) & (b > 0) & (a != b)
        lo = np.minimum(a[border], b[border])
        hi = np.maximum(a[border], b[border])
        for i, j, v in zip(
            lo.tolist(), hi.tolist(), np.minimum(da, db)[border].tolist(), strict=True
        ):
            if v > pairs.get((i, j), -np.inf):
                pairs[(i, j)] = v
    root = list(range(n + 1))

    def find(i: int) -> int:
        while root[i] != i:
            root[i] = root[root[i]]
            i = root[i]
        return i

    top = [0.0, *tops.tolist()]
    for (i, j), saddle in sorted(pairs.items(), key=lambda item: -item[1]):
        ri, rj = find(i), find(j)
        if ri == rj:
            continue
        shallow = min(top[ri], top[rj])
        if shallow - saddle < SPLIT_FRACTION * shallow:
            keep, gone = (ri, rj) if top[ri] >= top[rj] else (rj, ri)
            root[gone] = keep
    groups = sorted({find(i) for i in range(1, n + 1)})
    if len(groups) == n:
        return labels, n
    rank = {g: k for k, g in enumerate(groups, start=1)}
    new = np.array([0, *(rank[find(i)] for i in range(1, n + 1))], dtype=labels.dtype)
    return new[labels], len(groups)


def _h_shift(image: npt.NDArray[np.float64], h: float) -> npt.NDArray[np.float64]:
    """``image - h`` less skimage's relative resolution, as ``h_maxima`` shifts it."""
    return np.asarray(image - h - 2 * np.finfo(image.dtype).resolution * np.abs(image))


def _one_top_at_most(image: npt.NDArray[np.float64], region: Bool, h: float) -> bool:
    """True when :func:`_h_maxima` of ``image`` holds at most one marker (4-connected) in ``region``.

    A cell's reconstruction is at least its neighbours' shifted values (capped at its own), so a
    cell whose neighbour's shifted value lies within ``h`` below it is no marker. When the cells
    this bound leaves in the region form one 4-connected plateau of equal values (the markers
    are whole plateaus) or none, the split needs no h-maxima: a few cheap passes instead of the
    sorted reconstruction, for most regions (single scars).
    """
    import cv2

    bound = np.minimum(cv2.dilate(_h_shift(image, h), np.ones((3, 3), np.uint8)), image)
    tops = region & (image - bound >= h)
    if not tops.any():
        return True
    values = image[tops]
    return bool(values.min() == values.max()) and ndi.label(tops)[1] == 1


def _h_maxima(image: npt.NDArray[np.float64], h: float) -> Bool:
    """``skimage.morphology.h_maxima(image, h) > 0``, with the reconstruction run on ranks.

    skimage reconstructs ``image - h`` (less a relative resolution) under ``image`` and sorts the
    2N values twice with numpy's default argsort, which is about twice as slow when most values
    are equal, as the zeros around a thin region spread over its box are (at 1 MP: 18 -> 9 ms
    for the picture-wide region). See :func:`_reconstruct_shifted`; then skimage's own test.
    """
    if h > np.ptp(image):
        return np.zeros(image.shape, dtype=bool)
    return np.asarray(image - _reconstruct_shifted(image, h) >= h, dtype=bool)


def _reconstruct_shifted(
    image: npt.NDArray[np.float64], h: float, walls: Bool | None = None
) -> npt.NDArray[np.float64]:
    """skimage's reconstruction by dilation of ``_h_shift(image, h)`` under ``image``, on ranks.

    Reconstruction by dilation takes only maxima and minima of the values, so it commutes with
    any order-preserving map: it is run on the ranks of the 2N values in one stable order (all
    distinct, ties broken by position) and mapped back, which is skimage's result exactly.
    ``walls``: cells no path may cross (they hold a value below all others).
    """
    from skimage.morphology import reconstruction

    values = np.concatenate([_h_shift(image, h).ravel(), image.ravel()])
    n = image.size
    if walls is not None:
        low = values.min() - 1.0
        values[:n][walls.ravel()] = low
        values[n:][walls.ravel()] = low
    order = np.argsort(values, kind="stable")  # a wall's seed (first half) ranks below its mask
    exact = np.float32 if values.size < 2**24 else np.float64  # ranks held exactly
    rank = np.empty(values.size, dtype=exact)
    rank[order] = np.arange(values.size, dtype=exact)
    rec = reconstruction(  # type: ignore[no-untyped-call]
        rank[:n].reshape(image.shape), rank[n:].reshape(image.shape), method="dilation"
    )
    return np.asarray(values[order[np.asarray(rec, dtype=np.intp)]], dtype=np.float64)


def _region_h_maxima(image: npt.NDArray[np.float64], region: Bool, h: float) -> Bool:
    """``_h_maxima(image, h) & region`` for an image that is 0 off ``region``, blob by blob.

    When no value is negative and the highest is at least ``2 h``, the zeros around the region
    decide no marker: through them a cell at ``v >= h`` reaches nothing above ``0 <= v - h``,
    and a cell below ``h`` reaches the highest cell at a level of at least 0, above its
    ``v - h``, so it is no marker. Each 8-connected blob of the region is then reconstructed
    alone, on its own box with the cells around it walled off, and its cells at ``>= h`` are
    the markers. At 1 MP the background region spreads over a picture-wide grid of 29,000 cells
    of which 1,300 are in it (10.6 -> 4.1 ms). Otherwise the whole grid, as skimage.
    """
    if image.min() < 0 or image.max() < 2 * h or np.any(image[~region]):
        return _h_maxima(image, h) & region
    blobs, _n = ndi.label(region, np.ones((3, 3), dtype=bool))
    out = np.zeros(image.shape, dtype=bool)
    for i, box in enumerate(ndi.find_objects(blobs), start=1):
        if box is None:
            continue
        blob = blobs[box] == i
        f = image[box]
        high = blob & (f >= h)
        if high.any():  # else no marker
            out[box] |= high & (f - _reconstruct_shifted(f, h, walls=~blob) >= h)
    return out


def _basins(
    cells: npt.NDArray[np.integer],
    fs: int,
    shift: tuple[int, int],
    comp: Bool,
    box: Box,
    n_labels: int,
) -> list[tuple[Box, Bool]]:
    """Each label of the grid ``cells`` as a cropped mask of the region ``comp`` (at ``box``).

    Pixel ``(y, x)`` of the box takes the label of cell ``((y + shift[0]) // fs, (x + shift[1])
    // fs)``. Works label by label on the pixels of the label's cells only, instead of building
    the whole box's label image (the region can span the picture); labels without a pixel in the
    region are dropped.
    """
    h, w = comp.shape
    basins = []
    for i, sl in enumerate(ndi.find_objects(cells, max_label=n_labels), start=1):
        if sl is None:
            continue
        y0, y1 = max(sl[0].start * fs - shift[0], 0), min(sl[0].stop * fs - shift[0], h)
        x0, x1 = max(sl[1].start * fs - shift[1], 0), min(sl[1].stop * fs - shift[1], w)
        rows = (np.arange(y0, y1) + shift[0]) // fs
        cols = (np.arange(x0, x1) + shift[1]) // fs
        mask = comp[y0:y1, x0:x1] & (cells[rows[:, None], cols[None, :]] == i)
        if not mask.any():  # an empty basin (all its pixels off the region) is dropped
            continue
        at = (
            slice(box[0].start + y0, box[0].start + y1),
            slice(box[1].start + x0, box[1].start + x1),
        )
        basins.append(_tight(mask, at))
    return basins
