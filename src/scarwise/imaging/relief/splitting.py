"""A candidate region split into single scars: h-maxima markers, a watershed, shallow splits joined.

Detection in the research (§4: height map + top-hat was the best detector [T]) finds regions
below the first smooth surface; one region may hold several scars. Markers are the h-maxima
(``SPLIT_MM``) of the smoothed depression on a coarse grid, grown by a watershed inside the
region; basins parted only by a low ridge (a saddle within ``SPLIT_FRACTION`` of the shallower
one's depth) are joined again.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from scipy import ndimage as ndi
from skimage.segmentation import watershed

from scarwise.imaging.relief.boxes import Box, tight_box
from scarwise.imaging.relief.h_maxima import one_top_at_most, region_h_maxima

__all__ = ["SPLIT_FRACTION", "SPLIT_MAX_CELLS", "SPLIT_MM", "split_region"]

F32 = npt.NDArray[np.float32]
Bool = npt.NDArray[np.bool_]

SPLIT_MM = 0.03
#: ... and each is also deeper than that saddle by at least this fraction of its own depth:
#: shadows on a deep boxcar's floor (few lights) leave low ridges across it, while separate
#: scars are parted by skin near the surface [M].
SPLIT_FRACTION = 0.2
#: Most grid cells a candidate region is split on (see :func:`split_region`): the h-maxima cost
#: grows with the cells, and a coarser grid for the rare picture-wide region found the same scars.
SPLIT_MAX_CELLS = 40_000


def split_region(
    d_s: F32, comp: Bool, box: Box, window: Box, pixel_mm: float
) -> list[tuple[Box, Bool]]:
    """The candidate region ``comp`` (at ``box``) split into single depressions (cropped masks).

    Markers are the h-maxima (``SPLIT_MM``) of the smoothed depression on a grid of about 0.1 mm
    anchored at the window's corner (a 0.3 mm scar still has its own maximum; fast), grown by a
    watershed inside the region, and basins parted only by a low ridge joined again
    (:func:`_merge_shallow_splits`); only the grid cells of the region's box and two around it are
    used, which are all the markers and basins can depend on. A region whose box would need more
    than ``SPLIT_MAX_CELLS`` cells (the background bent by the integration can join into one
    region spanning the picture) is split on a grid coarse enough to stay under it.
    """
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
    if one_top_at_most(d_small, comp_small, SPLIT_MM):
        return [(box, comp)]  # as the h-maxima would give: one marker or none
    markers, n_markers = ndi.label(region_h_maxima(d_small, comp_small, SPLIT_MM))
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
        basins.append(tight_box(mask, at))
    return basins
