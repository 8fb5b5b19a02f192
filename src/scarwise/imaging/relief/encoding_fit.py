"""Linear or sRGB? Which decoding of the photos fits the light model better.

Photometric stereo needs pixel values proportional to light. Camera JPEGs are sRGB-encoded
(the contract's default for 8-bit photos); raw converters and research data sets often write
linear values into 8- or 16-bit files. Decoded the wrong way, a Lambertian surface is no longer
Lambertian: its photos stop spanning a 3-dimensional space of light vectors (Hayakawa 1994). The
share of the photos outside their best 3-dimensional fit is measured for the decoding used and
for the other one, on pixels lit in every photo; the other one is reported when it fits clearly
better (:data:`BETTER`). On a nearly flat patch both decodings fit about equally (a gamma curve
is nearly linear over a small range of shading) and nothing is reported.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

__all__ = ["BETTER", "encoding_warning", "outside_three"]

F32 = npt.NDArray[np.float32]

#: The other decoding is reported when its misfit is below this share of the one used.
BETTER = 0.75
#: Fewest pixels the comparison is made on.
MIN_PIXELS = 200


def _srgb_decode(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return np.where(x <= 0.04045, x / 12.92, ((x + 0.055) / 1.055) ** 2.4)


def _srgb_encode(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    x = np.clip(x, 0.0, None)
    return np.where(x <= 0.0031308, 12.92 * x, 1.055 * np.power(x, 1 / 2.4) - 0.055)


def outside_three(sample: npt.ArrayLike) -> float:
    """Relative share (root of the energy share) of ``k x n`` unit-scaled pixels outside their
    best 3-dimensional fit."""
    x = np.asarray(sample, dtype=np.float64)
    x = x / np.maximum(np.linalg.norm(x, axis=0), 1e-12)
    vals = np.linalg.eigvalsh(x @ x.T)[::-1]
    total = float(vals.sum())
    return float(np.sqrt(max(float(vals[3:].sum()), 0.0) / total)) if total > 0 else 0.0


def encoding_warning(sample: F32, used: Literal["linear", "srgb"]) -> str | None:
    """A warning when the photos fit the light model clearly better decoded the other way.

    ``sample`` is ``k x n`` linear values as decoded (pixels lit in every photo); ``used`` is how
    they were decoded.
    """
    if sample.shape[0] < 5 or sample.shape[1] < MIN_PIXELS:
        return None  # 4 photos leave one dimension: too little to compare
    x = np.clip(np.asarray(sample, dtype=np.float64), 0.0, 1.0)
    other = _srgb_encode(x) if used == "srgb" else _srgb_decode(x)
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
