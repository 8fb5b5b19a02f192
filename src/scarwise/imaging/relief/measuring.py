"""The contract's measurements of one depression: depth, extent, area, diameter, volume, centroid.

Definitions are the contract's (``contracts/imaging.md``, ``analyze3d``), on a depression map
(surrounding surface minus skin, positive below the surface):

* ``depth_mm`` is the largest distance of the floor below the surface (after a 0.7-pixel
  Gaussian that only removes pixel noise);
* the **extent** is the connected region around the deepest point lying more than 10 % of the
  depth below the surface; ``area_mm2``, ``diameter_mm`` (equal-area circle), ``centroid_px`` and
  ``volume_mm3`` (surface minus skin, summed over the extent) follow from it;
* depressions shallower than 0.05 mm or narrower than 0.3 mm are texture, not scars; wider than
  :data:`MAX_DIAMETER_MM` they are anatomy.

The same :func:`measure_window` measures the synthetic ground truth (against the true surface,
:func:`measure_depressions`) and the reconstruction (against each scar's ring-fitted surface),
so the validation compares like with like. The shape numbers used for the type are measured here too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt
from scipy import ndimage as ndi

from scarwise.imaging.relief.boxes import (
    CROSS,
    Box,
    box_inside,
    box_window,
    component_at,
    grow_box,
    place_mask,
)

__all__ = [
    "CANDIDATE_MM",
    "EXTENT_FRACTION",
    "MAX_DIAMETER_MM",
    "MIN_DEPTH_MM",
    "MIN_DIAMETER_MM",
    "SMOOTH_PX",
    "NeedsWiderBox",
    "ScarMeasurement",
    "measure_depressions",
    "measure_window",
]

F32 = npt.NDArray[np.float32]
Bool = npt.NDArray[np.bool_]

#: Contract: shallower depressions are texture.
MIN_DEPTH_MM = 0.05
#: Contract: narrower depressions are texture.
MIN_DIAMETER_MM = 0.3
#: Wider depressions are the shape of the face or body (eye sockets, the hollow beside the
#: nose, a groove between two bulges), not scars: atrophic acne scars are at most several
#: millimetres across (rolling ones "usually > 4-5 mm", clinical-facts §1.1 [V]; the cap is
#: scarwise's own [M]).
MAX_DIAMETER_MM = 10.0
#: Contract: the extent is where the skin lies more than this fraction of the depth below.
EXTENT_FRACTION = 0.1
#: Depressions deeper than this are candidates (half the contract's 0.05 mm, so shallow scars
#: are not lost to a small bias of the surface they are found against).
CANDIDATE_MM = 0.02
#: Noise-only smoothing of the depression map before depth and extent, in pixels.
SMOOTH_PX = 0.7


@dataclass(frozen=True)
class ScarMeasurement:
    """One depression measured per the contract, with the shape numbers used for its type.

    ``mask`` is the extent inside its bounding box ``rows x cols`` of the full image;
    ``depression_mm`` the depth below the scar's own surrounding surface over that box (0 outside
    the extent), for pictures.
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
    depression_mm: F32

    @property
    def depth_to_diameter(self) -> float:
        """Depth over diameter (dimensionless)."""
        return self.depth_mm / self.diameter_mm if self.diameter_mm > 0 else 0.0


class NeedsWiderBox(Exception):
    """The extent reaches sides of the box it was measured in (top, left, bottom, right)."""

    def __init__(self, sides: tuple[bool, bool, bool, bool]) -> None:
        super().__init__(sides)
        self.sides = sides


def measure_window(
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
    that close to a side of the box inside the window (:class:`NeedsWiderBox`).
    """
    depth = float(d[deepest])
    if not np.isfinite(depth) or depth <= 0:
        return None
    above = d > EXTENT_FRACTION * depth
    if forbid is not None:
        above &= ~forbid
    box = (rows, cols)
    found = component_at(above, deepest, box)
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
        raise NeedsWiderBox(open_sides)
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
    e_in = box_inside(ebox, box)
    d_ext = d[e_in]
    volume = float(d_ext[extent].sum()) * px2
    rr, cc = np.divmod(np.flatnonzero(extent), extent.shape[1])
    centroid = (float(cc.mean()) + ebox[1].start, float(rr.mean()) + ebox[0].start)
    diameter = 2.0 * float(np.sqrt(area / np.pi))
    # wall sharpness: steepest walls (98th percentile slope) relative to depth / radius;
    # a cone or a raised cosine is about 1-1.3, a flat-floored box several times more
    sbox = grow_box(ebox, 2, box)
    s_in = box_inside(sbox, box)
    gy, gx = np.gradient(d[s_in], pixel_mm)
    slope = np.hypot(gx, gy)
    placed = place_mask(extent, ebox, sbox).view(np.uint8)
    ring = cv2.dilate(placed, CROSS).view(bool)  # as ndi.binary_dilation, several times faster
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
        depression_mm=np.where(extent, d_ext, np.float32(0.0)).astype(np.float32),
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
        rows, cols = box_window(
            d_full.shape, sl[0].start, sl[0].stop, sl[1].start, sl[1].stop, margin
        )
        d = ndi.gaussian_filter(d_full[rows, cols], SMOOTH_PX)
        region = region_labels[rows, cols] == lab
        flat = np.where(region, d, -np.inf).argmax()
        deepest = np.unravel_index(flat, d.shape)
        forbid = (region_labels[rows, cols] > 0) & ~region
        m = measure_window(d, (int(deepest[0]), int(deepest[1])), pixel_mm, forbid, rows, cols)
        if m is None:
            raise ValueError(f"seed {seed}: no depression to measure")
        out.append(m)
    return out
