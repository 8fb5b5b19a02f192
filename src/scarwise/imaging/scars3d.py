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
top-hat was the best detector [T]).

Type (``research/clinical-facts.md`` §1.1, Jacob 2001 via Fabbrocini 2010 [V]): boxcar = U,
steep walls and a flat floor; icepick = V, narrow (< 2 mm) and deep for its width; rolling = wide
(> 4-5 mm) and shallow with sloping walls. The shape numbers used (fill ratio, wall sharpness,
depth-to-diameter ratio) and their cut-offs are scarwise's own, set on synthetic scenes
(``docs/validation-3d.md``) [M].
"""

from __future__ import annotations

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
#: Noise-only smoothing of the depression map before depth and extent, in pixels.
SMOOTH_PX = 0.7


@dataclass(frozen=True)
class ScarMeasurement:
    """One depression measured per the contract, with the shape numbers used for its type.

    ``mask`` is the extent inside the window ``rows x cols`` of the full image.
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


def _window(
    shape: tuple[int, ...], r0: int, r1: int, c0: int, c1: int, margin: int
) -> tuple[slice, slice]:
    return (
        slice(max(r0 - margin, 0), min(r1 + margin, shape[0])),
        slice(max(c0 - margin, 0), min(c1 + margin, shape[1])),
    )


def _touches_cut(
    extent: Bool, rows: slice, cols: slice, full_shape: tuple[int, int] | None
) -> bool:
    """True when ``extent`` reaches a window side that is not the picture's own edge."""
    if full_shape is None:
        return False
    h, w = extent.shape
    return bool(
        (rows.start > 0 and extent[0].any())
        or (cols.start > 0 and extent[:, 0].any())
        or (rows.start + h < full_shape[0] and extent[-1].any())
        or (cols.start + w < full_shape[1] and extent[:, -1].any())
    )


def _measure_window(
    d: F32,
    deepest: tuple[int, int],
    pixel_mm: float,
    forbid: Bool | None,
    rows: slice,
    cols: slice,
    full_shape: tuple[int, int] | None = None,
) -> ScarMeasurement | None:
    """Contract measurements on a window of the (smoothed) depression map ``d`` (mm, + = below)."""
    depth = float(d[deepest])
    if not np.isfinite(depth) or depth <= 0:
        return None
    above = d > EXTENT_FRACTION * depth
    if forbid is not None:
        above &= ~forbid
    labels, _n = ndi.label(above)
    lab = labels[deepest]
    if lab == 0:
        return None
    extent = labels == lab
    if _touches_cut(extent, rows, cols, full_shape):
        return None  # reaches the edge of its window: a broad undulation, not a measurable scar
    area_px = int(extent.sum())
    px2 = pixel_mm * pixel_mm
    area = area_px * px2
    volume = float(d[extent].sum()) * px2
    rr, cc = np.nonzero(extent)
    centroid = (float(cc.mean()) + cols.start, float(rr.mean()) + rows.start)
    diameter = 2.0 * float(np.sqrt(area / np.pi))
    # wall sharpness: steepest walls (98th percentile slope) relative to depth / radius;
    # a cone or a raised cosine is about 1-1.3, a flat-floored box several times more
    gy, gx = np.gradient(d, pixel_mm)
    slope = np.hypot(gx, gy)
    ring = ndi.binary_dilation(extent, iterations=1)
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
        rows=rows,
        cols=cols,
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


def _lstsq(a: F32, b: F32) -> F32:
    """Least squares for a tall, well-scaled basis via the normal equations (float64)."""
    a64 = a.astype(np.float64)
    ata = a64.T @ a64
    atb = a64.T @ b.astype(np.float64)
    try:
        coef = np.linalg.solve(ata, atb)
    except np.linalg.LinAlgError:
        coef = np.linalg.lstsq(a64, b.astype(np.float64), rcond=None)[0]
    return np.asarray(coef, dtype=np.float32)


def _poly_basis(x: F32, y: F32, degree: int) -> F32:
    cols = [x**i * y**j for i in range(degree + 1) for j in range(degree + 1 - i)]
    return np.stack(cols, axis=-1).astype(np.float32)


def surrounding_surface(
    height_mm: F32,
    pixel_mm: float,
    mask: Bool | None = None,
    *,
    scale_mm: float = 1.5,
    rounds: int = 6,
) -> F32:
    """A first smooth surrounding surface for the whole patch (for detection).

    Works at about 0.1 mm per pixel: a robust global cubic removes the large-scale curvature,
    then a masked (normalised) Gaussian of width ``scale_mm`` follows what is left; pixels more than
    a noise-scaled margin below the surface are masked and the fit repeated, so depressions do
    not pull the surface down. Returned at full resolution.
    """
    import cv2

    h, w = height_mm.shape
    f = max(1, round(0.1 / pixel_mm))
    hs, ws = h // f, w // f
    if hs < 8 or ws < 8:
        f, hs, ws = 1, h, w
    small = height_mm[: hs * f, : ws * f].reshape(hs, f, ws, f).mean(axis=(1, 3)).astype(np.float32)
    ok = np.ones((hs, ws), bool)
    if mask is not None:
        ok = mask[: hs * f, : ws * f].reshape(hs, f, ws, f).mean(axis=(1, 3)) > 0.5
    yy, xx = np.mgrid[0:hs, 0:ws].astype(np.float32)
    basis = _poly_basis((xx - ws / 2) / max(ws, hs), (yy - hs / 2) / max(ws, hs), 3)
    sigma = scale_mm / (pixel_mm * f)
    keep = ok.copy()
    surface = small.copy()
    for _ in range(rounds):
        rows_fit = np.flatnonzero(keep.ravel())[:: max(1, int(keep.sum()) // 20_000)]
        coef = _lstsq(basis.reshape(-1, basis.shape[-1])[rows_fit], small.ravel()[rows_fit])
        poly = (basis @ coef.astype(np.float32)).astype(np.float32)
        rest = np.where(keep, small - poly, 0.0).astype(np.float32)
        num = ndi.gaussian_filter(rest, sigma, mode="nearest")
        den = ndi.gaussian_filter(keep.astype(np.float32), sigma, mode="nearest")
        surface = poly + num / np.maximum(den, 1e-3)
        resid = surface - small
        spread = float(1.4826 * np.median(np.abs(resid[keep]))) if keep.any() else 0.0
        new_keep = ok & (resid < max(0.01, 3.0 * spread)) & (resid > -max(0.05, 6.0 * spread))
        new_keep = ok & ~ndi.binary_dilation(~new_keep & ok, iterations=2)
        if new_keep.sum() < 0.2 * ok.sum() or np.array_equal(new_keep, keep):
            break
        keep = new_keep
    full = cv2.resize(surface, (ws * f, hs * f), interpolation=cv2.INTER_LINEAR)
    if full.shape != (h, w):
        full = np.pad(full, ((0, h - full.shape[0]), (0, w - full.shape[1])), mode="edge")
    return np.asarray(full, dtype=np.float32)


def _fit_quadratic(z: F32, ring: Bool) -> F32 | None:
    """Robust quadratic surface through the ring pixels, evaluated on the whole window."""
    rr, cc = np.nonzero(ring)
    if rr.size < 12:
        return None
    step = max(1, rr.size // 6000)  # a regular subsample is plenty for 6 coefficients
    rr, cc = rr[::step], cc[::step]
    h, w = z.shape
    scale = float(max(h, w))
    xs = ((np.arange(w, dtype=np.float32) - w / 2) / scale)[None, :]
    ys = ((np.arange(h, dtype=np.float32) - h / 2) / scale)[:, None]
    a = _poly_basis(xs[0, cc], ys[rr, 0], 2)
    b = z[rr, cc]
    use = np.ones(rr.size, bool)
    coef = np.zeros(6, dtype=np.float32)
    for _ in range(3):
        coef = _lstsq(a[use], b[use])
        res = b - a @ coef
        mad = float(1.4826 * np.median(np.abs(res[use]))) + 1e-6
        new_use = np.abs(res) < 3.0 * mad
        if new_use.sum() < 12 or np.array_equal(new_use, use):
            break
        use = new_use
    # same term order as _poly_basis(x, y, 2): 1, y, y², x, xy, x²
    c0, c_y, c_yy, c_x, c_xy, c_xx = (float(v) for v in coef)
    surface = (c0 + c_y * ys + c_yy * ys * ys) + xs * (c_x + c_xy * ys) + c_xx * xs * xs
    return np.asarray(surface, dtype=np.float32)


def _cut_by_edge(
    outer: Bool, ring: Bool, outside: Bool, rows: slice, cols: slice, full_shape: tuple[int, int]
) -> bool:
    """True when the surrounding ring is cut by the picture's edge or lies largely off the mask.

    Such a depression cannot be measured against its surroundings (and integration is least
    reliable at the picture's edge), so it is not reported.
    """
    rr, cc = np.nonzero(outer)
    top, left = rr.min() + rows.start, cc.min() + cols.start
    bottom, right = rr.max() + rows.start, cc.max() + cols.start
    if top <= 0 or left <= 0 or bottom >= full_shape[0] - 1 or right >= full_shape[1] - 1:
        return True
    n_ring = int(ring.sum())
    return n_ring == 0 or int((ring & outside).sum()) > 0.3 * n_ring


def _measure_local(
    height: F32,
    basin: Bool,
    others: Bool,
    outside: Bool,
    pixel_mm: float,
    rows: slice,
    cols: slice,
    height_full_shape: tuple[int, int],
) -> ScarMeasurement | None:
    """Two passes of ring fit + contract measurement for one basin inside its window.

    None when the depression cannot be measured (its ring is cut by the edge or the mask).
    """
    region = basin
    m: ScarMeasurement | None = None
    for _pass in range(2):
        area_px = max(int(region.sum()), 1)
        req = float(np.sqrt(area_px / np.pi))
        r_in = max(2, round(0.3 * req) + 1)
        r_out = r_in + max(5, round(0.6 * req))
        dist = ndi.distance_transform_cdt(~region, metric="chessboard")
        inner = dist <= r_in
        outer = dist <= r_out
        ring = outer & ~inner & ~others
        if _cut_by_edge(outer, ring, outside, rows, cols, height_full_shape):
            return None
        ring &= ~outside
        ref = _fit_quadratic(height, ring)
        if ref is None:
            return m
        d = ndi.gaussian_filter(ref - height, SMOOTH_PX)
        flat = np.where(basin, d, -np.inf).argmax()
        deepest = np.unravel_index(flat, d.shape)
        m_new = _measure_window(
            d,
            (int(deepest[0]), int(deepest[1])),
            pixel_mm,
            others | outside,
            rows,
            cols,
            height_full_shape,
        )
        if m_new is None:
            return None
        m = m_new
        region = m.mask
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
    from skimage.morphology import h_maxima
    from skimage.segmentation import watershed

    height = height_mm.astype(np.float32, copy=False)
    valid = np.ones(height.shape, bool) if mask is None else mask.astype(bool)
    surface = surrounding_surface(height, pixel_mm, valid)
    d0 = surface - height
    cand = (d0 > CANDIDATE_MM) & valid
    labels, _n = ndi.label(cand, structure=np.ones((3, 3)))
    scars: list[ScarMeasurement] = []
    min_area_px = 0.5 * np.pi * (MIN_DIAMETER_MM / 2 / pixel_mm) ** 2
    for lab, sl in enumerate(ndi.find_objects(labels), start=1):
        if sl is None:
            continue
        comp_full = labels[sl] == lab
        if comp_full.sum() < min_area_px or float(d0[sl][comp_full].max()) < 0.7 * MIN_DEPTH_MM:
            continue
        req = float(np.sqrt(comp_full.sum() / np.pi))
        margin = round(1.5 * req) + round(1.0 / pixel_mm) + 8
        rows, cols = _window(height.shape, sl[0].start, sl[0].stop, sl[1].start, sl[1].stop, margin)
        comp = labels[rows, cols] == lab
        others = (labels[rows, cols] > 0) & ~comp
        outside = ~valid[rows, cols]
        d_s = ndi.gaussian_filter(d0[rows, cols], 1.0)
        # split on a grid of about 0.1 mm (a 0.3 mm scar still has its own maximum; fast)
        fs = max(1, round(0.1 / pixel_mm))
        d_small = np.where(comp, d_s, 0.0)[::fs, ::fs].astype(np.float64)
        comp_small = comp[::fs, ::fs]
        markers_img = h_maxima(d_small, SPLIT_MM)  # type: ignore[no-untyped-call]
        markers, n_markers = ndi.label(markers_img & comp_small)
        if n_markers <= 1:
            basins = [comp]
        else:
            ws = watershed(-d_small, markers, mask=comp_small)  # type: ignore[no-untyped-call]
            ws_full = np.repeat(np.repeat(ws, fs, axis=0), fs, axis=1)[
                : comp.shape[0], : comp.shape[1]
            ]
            basins = [(ws_full == i) & comp for i in range(1, n_markers + 1)]
            basins = [b for b in basins if b.any()]
        for b in basins:
            rest = others | (comp & ~b)
            # start from the basin's core: a watershed basin can take in broad shallow ground
            peak = float(d_s[b].max())
            core_labels, _nc = ndi.label(b & (d_s > 0.3 * peak))
            core_id = core_labels.flat[int(np.where(b, d_s, -np.inf).argmax())]
            b = core_labels == core_id
            m = _measure_local(
                height[rows, cols],
                b,
                rest,
                outside,
                pixel_mm,
                rows,
                cols,
                (height.shape[0], height.shape[1]),
            )
            if m is None or m.depth_mm < MIN_DEPTH_MM or m.diameter_mm < MIN_DIAMETER_MM:
                continue
            scars.append(m)
    scars.sort(key=lambda s: (s.centroid_px[1], s.centroid_px[0]))
    return ScarsFound(scars=scars, types=[classify_scar(s) for s in scars], surface_mm=surface)
