"""The whole ``analyze3d`` job: scars measured from multi-light photos, with scale estimates.

Imaging measures the scars (:func:`scarwise.imaging.analyze_scars_3d`) and knows no scales;
this workflow attaches Goodman & Baron quantitative and ECCA estimates from the counts by type
(:func:`scale_estimates`), so the ``analyze3d/1`` object is the same for the CLI, the HTTP API
and the web pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy.typing as npt

from scarwise.imaging import (
    Analyze3DResult,
    Encoding,
    LightSet,
    ScaleEstimate,
    Scar3D,
    Scars3DEstimates,
    analyze_scars_3d,
)
from scarwise.intake import Photo
from scarwise.scales import score

__all__ = [
    "ESTIMATES_BASIS",
    "ESTIMATES_NOTE",
    "measure_scars_3d",
    "scale_estimates",
    "with_estimates",
]

#: What the estimates are computed from.
ESTIMATES_BASIS = "counts by type of the atrophic scars found in this one photographed area"
#: Why they are estimates, and how scar types map to the scales' categories.
ESTIMATES_NOTE = (
    "Estimates, not clinical scores: both scales grade a whole region (e.g. the face) by a "
    "clinician and include scar kinds photometric stereo cannot see (colour, raised, "
    "elastolysis). Mapping (scarwise's own [M]): icepick -> G&B punched-out deep abnormal "
    "base / ECCA V-shaped; boxcar -> G&B punched-out shallow (< 0.5 mm) or deep normal "
    "base / ECCA U-shaped; rolling -> G&B moderately atrophic dish-like / ECCA M-shaped."
)


def scale_estimates(scars: Sequence[Scar3D]) -> Scars3DEstimates:
    """Goodman & Baron quantitative and ECCA scores estimated from the scars' counts by type.

    Icepick scars count as G&B punched-out deep with an abnormal base and ECCA V-shaped; boxcar
    scars as G&B punched-out shallow (depth under 0.5 mm) or deep with a normal base, and ECCA
    U-shaped; rolling scars as G&B moderately atrophic and ECCA M-shaped (scarwise's own mapping
    [M]). The G&B region is ``other``: one photographed area, not the whole face.
    """
    gb = {
        "punched_out_deep_abnormal_base": 0,
        "punched_out_shallow": 0,
        "punched_out_deep_normal_base": 0,
        "moderate_atrophic": 0,
    }
    ecca = {"icepick_v": 0, "boxcar_u": 0, "rolling_m": 0}
    for s in scars:
        if s.type == "icepick":
            gb["punched_out_deep_abnormal_base"] += 1
            ecca["icepick_v"] += 1
        elif s.type == "boxcar":
            gb["punched_out_deep_normal_base" if s.depth_mm >= 0.5 else "punched_out_shallow"] += 1
            ecca["boxcar_u"] += 1
        else:
            gb["moderate_atrophic"] += 1
            ecca["rolling_m"] += 1
    gb_result = score("gb-quantitative", {"region": "other", "counts": gb})
    ecca_result = score("ecca", {"counts": ecca})
    return Scars3DEstimates(
        basis=ESTIMATES_BASIS,
        note=ESTIMATES_NOTE,
        gb_quantitative=ScaleEstimate(
            scale="gb-quantitative",
            score=int(gb_result.score),
            max=int(gb_result.max),
            counts=gb,
            reference=gb_result.reference,
        ),
        ecca=ScaleEstimate(
            scale="ecca",
            score=int(ecca_result.score),
            max=int(ecca_result.max),
            counts=ecca,
            reference=ecca_result.reference,
        ),
    )


def with_estimates(result: Analyze3DResult) -> Analyze3DResult:
    """``result`` with its scale estimates filled in (the pictures' data is kept)."""
    return result.model_copy(update={"estimates": scale_estimates(result.scars)})


def measure_scars_3d(
    photos: Sequence[Photo],
    lights: LightSet,
    pixel_mm: float,
    *,
    mask: npt.NDArray[Any] | None = None,
    encoding: Encoding = "auto",
    estimate_brightness: bool | None = None,
) -> Analyze3DResult:
    """Measure the atrophic scars in one skin area and estimate the scale scores (``analyze3d/1``).

    The parameters, result and errors are those of :func:`scarwise.imaging.analyze_scars_3d`;
    the result's ``estimates`` are filled (:func:`scale_estimates`).
    """
    result = analyze_scars_3d(
        photos,
        lights,
        pixel_mm,
        mask=mask,
        encoding=encoding,
        estimate_brightness=estimate_brightness,
    )
    return with_estimates(result)
