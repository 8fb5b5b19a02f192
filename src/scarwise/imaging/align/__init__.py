"""Photo alignment for before/after pairs: the later photo moved onto the earlier one's frame.

:func:`align_photos` works on pixels; :func:`align_pngs` on stored PNGs (decoded through the
intake gate, aligned, encoded again). Alignment only moves the later photo; it never changes its
pixels' values, and every result says which method aligned it.
"""

from scarwise.imaging.align.pngs import AlignedPhotos, align_pngs
from scarwise.imaging.align.register import (
    ECC,
    LANDMARKS,
    LANDMARKS_ECC,
    NOT_ALIGNED,
    PHASE,
    align_photos,
)

__all__ = [
    "ECC",
    "LANDMARKS",
    "LANDMARKS_ECC",
    "NOT_ALIGNED",
    "PHASE",
    "AlignedPhotos",
    "align_photos",
    "align_pngs",
]
