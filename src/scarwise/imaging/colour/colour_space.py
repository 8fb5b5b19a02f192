"""Colour spaces of skin photos: sRGB, linear RGB, CIE XYZ and CIELAB, and CIEDE2000 differences.

Colour conversions use scikit-image (``skimage.color``) on the pixels that are reported; the
bulk per-pixel work stays in linear RGB (research/image-methods.md §2.4: skimage's Lab is exact
but slow, so only sampled pixels and spot means are converted) [T].
"""

from __future__ import annotations

from typing import Final

import cv2
import numpy as np
from numpy.typing import NDArray
from skimage.color import deltaE_ciede2000, lab2xyz, xyz2lab

__all__ = [
    "SRGB_TO_XYZ",
    "ciede2000",
    "lab_to_linear",
    "linear_to_lab",
    "linear_to_srgb8",
    "srgb_to_linear",
    "srgb_to_linear16",
]

#: Linear sRGB (D65) to CIE XYZ, IEC 61966-2-1:1999 [V].
SRGB_TO_XYZ: Final = np.array(
    [
        [0.4124564, 0.3575761, 0.1804375],
        [0.2126729, 0.7151522, 0.0721750],
        [0.0193339, 0.1191920, 0.9503041],
    ]
)
_XYZ_TO_SRGB: Final = np.linalg.inv(SRGB_TO_XYZ)


def srgb_to_linear(pixels: NDArray[np.uint8] | NDArray[np.uint16]) -> NDArray[np.float32]:
    """sRGB-encoded 8- or 16-bit pixels to linear RGB in [0, 1] (IEC 61966-2-1 transfer curve).

    8-bit input goes through a 256-entry table (``cv2.LUT``: fast at 12 MP).
    """
    if pixels.dtype == np.uint8:
        table = _decode_curve(np.arange(256, dtype=np.float64) / 255.0).astype(np.float32)
        return np.asarray(cv2.LUT(np.ascontiguousarray(pixels), table), dtype=np.float32)
    x = pixels.astype(np.float32) / 65535.0
    return _decode_curve(x).astype(np.float32)


def srgb_to_linear16(pixels: NDArray[np.uint8] | NDArray[np.uint16]) -> NDArray[np.uint16]:
    """sRGB-encoded pixels to linear RGB as 16-bit integers (0-65535), for fast downsampling."""
    if pixels.dtype == np.uint8:
        curve = _decode_curve(np.arange(256, dtype=np.float64) / 255.0)
        table = np.round(curve * 65535.0).astype(np.uint16)
        return np.asarray(cv2.LUT(np.ascontiguousarray(pixels), table), dtype=np.uint16)
    lin = _decode_curve(pixels.astype(np.float32) / 65535.0)
    return np.asarray(np.round(lin * 65535.0), dtype=np.uint16)


def _decode_curve(x: NDArray[np.floating]) -> NDArray[np.floating]:
    return np.where(x <= 0.04045, x / 12.92, ((x + 0.055) / 1.055) ** 2.4)


def linear_to_srgb8(linear: NDArray[np.floating]) -> NDArray[np.uint8]:
    """Linear RGB in [0, 1] to 8-bit sRGB (for rendering and overlays)."""
    x = np.clip(linear, 0.0, 1.0)
    enc = np.where(x <= 0.0031308, 12.92 * x, 1.055 * np.power(x, 1 / 2.4) - 0.055)
    return np.asarray(np.round(enc * 255.0), dtype=np.uint8)


def linear_to_lab(linear: NDArray[np.floating]) -> NDArray[np.float64]:
    """Linear sRGB (``... x 3``) to CIE L*a*b* (D65, 2° observer) with ``skimage.color.xyz2lab``."""
    xyz = np.asarray(linear, dtype=np.float64) @ SRGB_TO_XYZ.T
    return np.asarray(xyz2lab(xyz, illuminant="D65", observer="2"), dtype=np.float64)


def lab_to_linear(lab: NDArray[np.floating]) -> NDArray[np.float64]:
    """CIE L*a*b* (D65) to linear sRGB (may fall outside [0, 1] for out-of-gamut colours)."""
    xyz = np.asarray(lab2xyz(np.asarray(lab, dtype=np.float64), illuminant="D65", observer="2"))
    return np.asarray(xyz @ _XYZ_TO_SRGB.T, dtype=np.float64)


def ciede2000(lab1: NDArray[np.floating], lab2: NDArray[np.floating]) -> NDArray[np.float64]:
    """CIEDE2000 colour difference (``skimage.color.deltaE_ciede2000``, kL = kC = kH = 1).

    References
    ----------
    Sharma G, Wu W, Dalal EN. The CIEDE2000 color-difference formula: implementation notes,
    supplementary test data, and mathematical observations. Color Res Appl 2005;30(1):21-30.
    doi:10.1002/col.20070 [V].
    """
    diff = deltaE_ciede2000(np.asarray(lab1), np.asarray(lab2))  # type: ignore[no-untyped-call]
    return np.asarray(diff, dtype=np.float64)
