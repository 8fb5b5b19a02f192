"""Linear or sRGB? Which decoding of the photos fits the light model better.

Photometric stereo needs pixel values proportional to light. Camera JPEGs are sRGB-encoded
(the contract's default for 8-bit photos); raw converters and research data sets often write
linear values into 8- or 16-bit files. Decoded the wrong way, a Lambertian surface is no longer
Lambertian: its photos stop spanning a 3-dimensional space of light vectors (Hayakawa 1994). The
share of the photos outside their best 3-dimensional fit is measured for the decoding used and
for the other one, on pixels lit in every photo; the other one is reported when it fits clearly
better (:data:`BETTER`). Only photos whose shading varies widely can tell: on a nearly flat
patch of skin a gamma curve is nearly linear over the small range of shading, the noise decides
which decoding fits better, and nothing is reported (:data:`MIN_SPREAD`).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

__all__ = ["BETTER", "MIN_SPREAD", "encoding_warning", "outside_three", "shading_spread"]

F32 = npt.NDArray[np.float32]

#: The other decoding is reported when its misfit is below this share of the one used.
BETTER = 0.75
#: Least shading spread (the second and third components' share of the first, on unit-scaled
#: pixels) for the comparison to mean anything: a sphere or a face shows 0.03-0.15, a nearly
#: flat patch of skin under lights at one slant 0.02 or less.
MIN_SPREAD = 0.025
#: Fewest pixels the comparison is made on.
MIN_PIXELS = 200


def _srgb_decode(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return np.where(x <= 0.04045, x / 12.92, ((x + 0.055) / 1.055) ** 2.4)


def _srgb_encode(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    x = np.clip(x, 0.0, None)
    return np.where(x <= 0.0031308, 12.92 * x, 1.055 * np.power(x, 1 / 2.4) - 0.055)


def _components(sample: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Energies of the principal components of ``k x n`` unit-scaled pixels, largest first."""
    x = np.asarray(sample, dtype=np.float64)
    x = x / np.maximum(np.linalg.norm(x, axis=0), 1e-12)
    return np.asarray(np.linalg.eigvalsh(x @ x.T)[::-1], dtype=np.float64)


def outside_three(sample: npt.ArrayLike) -> float:
    """Relative share (root of the energy share) of ``k x n`` unit-scaled pixels outside their
    best 3-dimensional fit."""
    vals = _components(sample)
    total = float(vals.sum())
    return float(np.sqrt(max(float(vals[3:].sum()), 0.0) / total)) if total > 0 else 0.0


def shading_spread(sample: npt.ArrayLike) -> float:
    """The second and third components' energy over the first's: how much the shading varies."""
    vals = _components(sample)
    return float((vals[1] + vals[2]) / vals[0]) if vals[0] > 0 else 0.0


def encoding_warning(sample: F32, used: Literal["linear", "srgb"]) -> str | None:
    """A warning when the photos fit the light model clearly better decoded the other way.

    ``sample`` is ``k x n`` linear values as decoded (pixels lit in every photo); ``used`` is how
    they were decoded.
    """
    if sample.shape[0] < 5 or sample.shape[1] < MIN_PIXELS:
        return None  # 4 photos leave one dimension: too little to compare
    x = np.clip(np.asarray(sample, dtype=np.float64), 0.0, 1.0)
    other = _srgb_encode(x) if used == "srgb" else _srgb_decode(x)
    if max(shading_spread(x), shading_spread(other)) < MIN_SPREAD:
        return None
    fit_used, fit_other = outside_three(x), outside_three(other)
    if fit_other >= BETTER * fit_used:
        return None
    if used == "srgb":
        return (
            f"the photos fit the light model better as linear values than as sRGB-encoded "
            f"(misfit {100 * fit_other:.1f} % against {100 * fit_used:.1f} %): if they are "
            "linear (raw or research data), run again with --linear"
        )
    return (
        f"the photos fit the light model better as sRGB-encoded than as linear values "
        f"(misfit {100 * fit_other:.1f} % against {100 * fit_used:.1f} %): if they came from a "
        "camera's JPEG or an sRGB export, run again with --srgb"
    )
