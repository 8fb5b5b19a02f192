"""Aligning two stored PNGs: decode through the intake gate, align, encode as 8-bit RGB PNGs."""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from scarwise.imaging.align.register import align_photos
from scarwise.intake import read_photo

__all__ = ["AlignedPhotos", "align_pngs"]


@dataclass(frozen=True)
class AlignedPhotos:
    """A before/after pair ready to show side by side."""

    before_png: bytes
    #: the later photo, moved onto the earlier one's frame
    after_png: bytes
    #: how it was aligned (one of the method names of :mod:`scarwise.imaging.align`)
    method: str


def align_pngs(
    before_png: bytes, after_png: bytes, *, names: tuple[str, str] = ("before", "after")
) -> AlignedPhotos:
    """Align the photo ``after_png`` onto ``before_png`` (``names`` appear in gate errors)."""
    before = _rgb8(before_png, names[0])
    after = _rgb8(after_png, names[1])
    aligned, method = align_photos(before, after)
    return AlignedPhotos(before_png=_png(before), after_png=_png(aligned), method=method)


def _rgb8(png: bytes, name: str) -> NDArray[np.uint8]:
    """8-bit RGB pixels of a PNG (16-bit samples scaled down, grey repeated in three channels)."""
    pixels = np.asarray(read_photo(png, name=name).pixels)
    if pixels.dtype != np.uint8:
        pixels = pixels // 257
    if pixels.ndim == 2:
        pixels = np.stack([pixels] * 3, axis=-1)
    return np.asarray(pixels, dtype=np.uint8)


def _png(pixels: NDArray[np.uint8]) -> bytes:
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG")
    return out.getvalue()
