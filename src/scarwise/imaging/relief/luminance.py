"""Linear luminance of a photo (what photometric stereo reads), from its encoded pixels."""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

from scarwise.intake import Photo

__all__ = ["LUMINANCE_WEIGHTS", "Encoding", "decoding_of", "photo_luminance"]

F32 = npt.NDArray[np.float32]
#: How a photo's pixel values encode light: decided per photo, or forced linear or sRGB.
Encoding = Literal["auto", "linear", "srgb"]

#: Rec. 709 / sRGB luminance weights on linear RGB (IEC 61966-2-1) [V].
LUMINANCE_WEIGHTS = (0.2126, 0.7152, 0.0722)


def _srgb_lut(levels: int) -> F32:
    x = np.arange(levels, dtype=np.float64) / (levels - 1)
    lin = np.where(x <= 0.04045, x / 12.92, ((x + 0.055) / 1.055) ** 2.4)
    return lin.astype(np.float32)


def decoding_of(photo: Photo, encoding: Encoding = "auto") -> Literal["linear", "srgb"]:
    """How :func:`photo_luminance` decodes ``photo``: ``auto`` takes 16-bit images without an ICC
    profile as linear, everything else as sRGB-encoded (``contracts/imaging.md``)."""
    if encoding != "auto":
        return encoding
    return "linear" if photo.bit_depth == 16 and not photo.had_icc_profile else "srgb"


def photo_luminance(photo: Photo, encoding: Encoding = "auto") -> tuple[F32, F32 | None]:
    """Linear luminance (``H x W`` float32, 0-1) and linear RGB (or None for grey) of a photo.

    ``auto``: 16-bit images without an ICC profile are linear; 8-bit images, and any image whose
    ICC profile the gate converted to sRGB, are sRGB-encoded (``contracts/imaging.md``). The sRGB
    decoding is IEC 61966-2-1 [V].
    """
    px = photo.pixels
    levels = 65536 if px.dtype == np.uint16 else 256
    linear = decoding_of(photo, encoding) == "linear"
    lut = (
        (np.arange(levels, dtype=np.float32) / np.float32(levels - 1))
        if linear
        else _srgb_lut(levels)
    )
    rgb = lut[px]
    if rgb.ndim == 2:
        return rgb, None
    w = np.asarray(LUMINANCE_WEIGHTS, dtype=np.float32)
    lum = rgb[..., 0] * w[0] + rgb[..., 1] * w[1] + rgb[..., 2] * w[2]
    return lum.astype(np.float32), rgb
