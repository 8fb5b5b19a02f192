"""h-maxima markers (scikit-image's ``h_maxima``), with the cheap cases answered first.

The markers that split a candidate region into single scars are its h-maxima. Results equal
``skimage.morphology.h_maxima(image, h) > 0``; the reconstruction runs on ranks, blob by blob,
and is skipped when a cheap bound shows at most one marker.
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt
from scipy import ndimage as ndi
from skimage.morphology import reconstruction

__all__ = ["one_top_at_most", "region_h_maxima"]

Bool = npt.NDArray[np.bool_]


def _h_shift(image: npt.NDArray[np.float64], h: float) -> npt.NDArray[np.float64]:
    """``image - h`` less skimage's relative resolution, as ``h_maxima`` shifts it."""
    return np.asarray(image - h - 2 * np.finfo(image.dtype).resolution * np.abs(image))


def one_top_at_most(image: npt.NDArray[np.float64], region: Bool, h: float) -> bool:
    """True when :func:`_h_maxima` of ``image`` holds at most one marker (4-connected) in ``region``.

    A cell's reconstruction is at least its neighbours' shifted values (capped at its own), so a
    cell whose neighbour's shifted value lies within ``h`` below it is no marker. When the cells
    this bound leaves in the region form one 4-connected plateau of equal values (the markers
    are whole plateaus) or none, the split needs no h-maxima: a few cheap passes instead of the
    sorted reconstruction, for most regions (single scars).
    """
    bound = np.minimum(cv2.dilate(_h_shift(image, h), np.ones((3, 3), np.uint8)), image)
    tops = region & (image - bound >= h)
    if not tops.any():
        return True
    values = image[tops]
    return bool(values.min() == values.max()) and ndi.label(tops)[1] == 1


def _h_maxima(image: npt.NDArray[np.float64], h: float) -> Bool:
    """``skimage.morphology.h_maxima(image, h) > 0``, with the reconstruction run on ranks.

    skimage reconstructs ``image - h`` (less a relative resolution) under ``image`` and sorts the
    2N values twice with numpy's default argsort, which is slow when most values are equal, as
    the zeros around a thin region spread over its box are. See :func:`_reconstruct_shifted`;
    then skimage's own test.
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


def region_h_maxima(image: npt.NDArray[np.float64], region: Bool, h: float) -> Bool:
    """``_h_maxima(image, h) & region`` for an image that is 0 off ``region``, blob by blob.

    When no value is negative and the highest is at least ``2 h``, the zeros around the region
    decide no marker: through them a cell at ``v >= h`` reaches nothing above ``0 <= v - h``,
    and a cell below ``h`` reaches the highest cell at a level of at least 0, above its
    ``v - h``, so it is no marker. Each 8-connected blob of the region is then reconstructed
    alone, on its own box with the cells around it walled off, and its cells at ``>= h`` are
    the markers (a region spread thinly over a picture-wide grid then costs only its own
    cells). Otherwise the whole grid, as skimage.
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
