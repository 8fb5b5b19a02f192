"""Each scar's own surrounding skin surface: a quadratic fitted on a ring of skin around it.

Measuring against a robust ring-fitted quadratic, with other depressions masked out, makes depth
and volume robust to every low-frequency error injected in the research (light error, near-field
lights, integration drift; ``research/image-methods.md`` §3.2 "Conclusions" [T]). The ring is
fitted twice: around the candidate's core, then around the extent the first fit measured.
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from scarwise.imaging.relief.boxes import (
    Box,
    box_inside,
    box_union,
    grow_box,
    place_mask,
    widen_box,
)
from scarwise.imaging.relief.measuring import (
    SMOOTH_PX,
    NeedsWiderBox,
    ScarMeasurement,
    measure_window,
)
from scarwise.imaging.relief.smoothing import gaussian
from scarwise.imaging.relief.surface import least_squares, poly_basis

__all__ = ["FIT_POINTS", "Basin", "measure_against_ring"]

F32 = npt.NDArray[np.float32]
Bool = npt.NDArray[np.bool_]

#: Ring pixels (at most, a regular subsample) a scar's surrounding quadratic is fitted on; fewer
#: would fit faster but move rolling scars' volumes by more than the noise.
FIT_POINTS = 6000


def _fit_quadratic(height: F32, ring: Bool, ring_box: Box, window: Box) -> F32 | None:
    """Robust quadratic through the ring pixels, in the window's normalised coordinates.

    Returns the six coefficients (term order of ``poly_basis(x, y, 2)``: 1, y, y², x, xy, x²) or
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
    a = poly_basis(xs[cc + c_off], ys[rr + r_off], 2)
    b = height[rr + ring_box[0].start, cc + ring_box[1].start]
    a64, b64 = a.astype(np.float64), b.astype(np.float64)  # once, not every round
    use = np.ones(rr.size, bool)
    coef = np.zeros(6, dtype=np.float32)
    for _ in range(3):
        every = bool(use.all())
        # np.compress: the rows of a[use], several times faster for these narrow rows
        a_use, b_use = (a64, b64) if every else (np.compress(use, a64, axis=0), b64[use])
        coef = least_squares(a_use, b_use)
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
    b_in = box_inside(box, window)
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
    wide = grow_box(box, int(4.0 * SMOOTH_PX + 0.5), window)
    raw = _quadratic_on(coef, wide, window) - height[wide]
    return gaussian(raw, SMOOTH_PX)[box_inside(box, wide)]


class Basin:
    """One watershed basin of a candidate region and what surrounds it, read off the picture."""

    def __init__(self, labels: npt.NDArray[np.int32], basin: Bool, box: Box, valid: Bool | None):
        self.labels, self.basin, self.box, self.valid = labels, basin, box, valid

    def others(self, box: Box) -> Bool:
        """Other candidate depressions (and the rest of this region) inside ``box``."""
        return np.asarray(
            (self.labels[box] > 0) & ~place_mask(self.basin, self.box, box), dtype=bool
        )

    def outside(self, box: Box) -> Bool | None:
        """Pixels outside the analysis mask inside ``box`` (None: no mask)."""
        return None if self.valid is None else ~self.valid[box]


def measure_against_ring(
    height: F32,
    core: Bool,
    core_box: Box,
    around: Basin,
    pixel_mm: float,
    window: Box,
) -> ScarMeasurement | None:
    """Two passes of ring fit + contract measurement for one basin core inside its window.

    None when the depression cannot be measured (its ring is cut by the edge or the mask).
    Works on the region's box widened by the ring (widened further towards any side the extent
    reaches, up to the window), with the same numbers as working on the whole window.
    """
    full_shape = (height.shape[0], height.shape[1])
    region, region_box = core, core_box
    m: ScarMeasurement | None = None
    for _pass in range(2):
        area_px = max(int(region.sum()), 1)
        req = float(np.sqrt(area_px / np.pi))
        r_in = max(2, round(0.3 * req) + 1)
        r_out = r_in + max(5, round(0.6 * req))
        # the ring (chessboard distance r_in..r_out from the region) lies in this box
        obox = grow_box(region_box, r_out, window)
        if (
            obox[0].start <= 0
            or obox[1].start <= 0
            or obox[0].stop >= full_shape[0]
            or obox[1].stop >= full_shape[1]
        ):
            return None  # the ring is cut by the picture's edge
        ubox = box_union(obox, core_box)  # where the depression is measured first
        others_u = around.others(ubox)
        o_in = box_inside(obox, ubox)
        src = np.ascontiguousarray(~place_mask(region, region_box, obox)).view(np.uint8)
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
            c_in = box_inside(core_box, box)
            top = np.unravel_index(int(np.where(core, d[c_in], -np.inf).argmax()), core.shape)
            deepest = (int(top[0]) + c_in[0].start, int(top[1]) + c_in[1].start)
            forbid = others_u if box is ubox else around.others(box)
            outside_box = around.outside(box)
            if outside_box is not None:
                forbid = forbid | outside_box
            try:
                m_new = measure_window(
                    d,
                    deepest,
                    pixel_mm,
                    forbid,
                    box[0],
                    box[1],
                    full_shape,
                    window,
                )
            except NeedsWiderBox as reached:
                box = widen_box(box, reached.sides, window)
                continue
            break
        if m_new is None or _touches_outside(m_new, around):
            return None
        m = m_new
        region, region_box = m.mask, (m.rows, m.cols)
    return m


def _touches_outside(m: ScarMeasurement, around: Basin) -> bool:
    """Whether the extent reaches pixels left out of the analysis (the mask's edge): the
    depression then goes on where it cannot be measured (the corner of a mouth that was left
    out, the rim of an eye socket)."""
    if around.valid is None:
        return False
    box = grow_box(
        (m.rows, m.cols), 2, (slice(0, around.valid.shape[0]), slice(0, around.valid.shape[1]))
    )
    outside = around.outside(box)
    if outside is None or not outside.any():
        return False
    placed = place_mask(m.mask, (m.rows, m.cols), box).view(np.uint8)
    near = cv2.dilate(placed, np.ones((5, 5), np.uint8)).view(bool)
    return bool((near & outside).any())
