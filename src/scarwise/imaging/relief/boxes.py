"""Boxes (pairs of row and column slices) and masks placed in them, in picture coordinates.

The scar finder works on small windows of a large height map; these helpers move masks between
boxes, grow and clip boxes, and cut out one connected component, without touching pixels
outside the boxes involved.
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

__all__ = [
    "CROSS",
    "Box",
    "box_inside",
    "box_union",
    "box_window",
    "component_at",
    "grow_box",
    "place_mask",
    "tight_box",
    "widen_box",
]

Bool = npt.NDArray[np.bool_]
#: A box of a picture: (rows, cols), each a slice with a start and a stop.
Box = tuple[slice, slice]
#: 3 x 3 cross: ``ndimage``'s default (4-connected) structuring element, as cv2 wants it.
CROSS = np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], dtype=np.uint8)


def box_window(
    shape: tuple[int, ...], r0: int, r1: int, c0: int, c1: int, margin: int
) -> tuple[slice, slice]:
    """Rows ``r0:r1`` and columns ``c0:c1`` widened by ``margin``, clipped to a picture of ``shape``."""
    return (
        slice(max(r0 - margin, 0), min(r1 + margin, shape[0])),
        slice(max(c0 - margin, 0), min(c1 + margin, shape[1])),
    )


def grow_box(box: Box, by: int, within: Box) -> Box:
    """``box`` widened by ``by`` pixels on every side, clipped to ``within`` (global coordinates)."""
    return (
        slice(max(box[0].start - by, within[0].start), min(box[0].stop + by, within[0].stop)),
        slice(max(box[1].start - by, within[1].start), min(box[1].stop + by, within[1].stop)),
    )


def box_union(a: Box, b: Box) -> Box:
    """The smallest box holding both ``a`` and ``b``."""
    return (
        slice(min(a[0].start, b[0].start), max(a[0].stop, b[0].stop)),
        slice(min(a[1].start, b[1].start), max(a[1].stop, b[1].stop)),
    )


def box_inside(box: Box, outer: Box) -> Box:
    """``box`` in the coordinates of ``outer`` (which contains it)."""
    return (
        slice(box[0].start - outer[0].start, box[0].stop - outer[0].start),
        slice(box[1].start - outer[1].start, box[1].stop - outer[1].start),
    )


def tight_box(mask: Bool, box: Box) -> tuple[Box, Bool]:
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


def component_at(mask: Bool, seed: tuple[int, int], box: Box) -> tuple[Box, Bool] | None:
    """The 4-connected component of ``mask`` (placed at ``box``) holding ``seed``, cropped.

    Same set as ``ndimage.label(mask) == labels[seed]``, by a flood fill from the seed, which
    touches only the component instead of labelling the whole box. None when ``seed`` is off.
    """
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


def place_mask(mask: Bool, box: Box, onto: Box) -> Bool:
    """``mask`` (placed at ``box``) as a mask of the box ``onto`` (False elsewhere)."""
    out = np.zeros((onto[0].stop - onto[0].start, onto[1].stop - onto[1].start), dtype=bool)
    r0, r1 = max(box[0].start, onto[0].start), min(box[0].stop, onto[0].stop)
    c0, c1 = max(box[1].start, onto[1].start), min(box[1].stop, onto[1].stop)
    if r0 < r1 and c0 < c1:
        out[r0 - onto[0].start : r1 - onto[0].start, c0 - onto[1].start : c1 - onto[1].start] = (
            mask[r0 - box[0].start : r1 - box[0].start, c0 - box[1].start : c1 - box[1].start]
        )
    return out


def widen_box(box: Box, sides: tuple[bool, bool, bool, bool], window: Box) -> Box:
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
