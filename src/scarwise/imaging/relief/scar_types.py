"""The type of an atrophic scar (icepick, boxcar, rolling) from the shape of its depression.

Type (``research/clinical-facts.md`` §1.1, Jacob 2001 via Fabbrocini 2010 [V]): boxcar = U,
steep walls and a flat floor; icepick = V, narrow (< 2 mm) and deep for its width; rolling = wide
(> 4-5 mm) and shallow with sloping walls. The shape numbers used (fill ratio, wall sharpness,
depth-to-diameter ratio) and their cut-offs are scarwise's own, set on synthetic scenes
(``docs/validation-3d.md``) [M].
"""

from __future__ import annotations

from scarwise.imaging.relief.measuring import ScarMeasurement
from scarwise.imaging.relief.models import ScarType

__all__ = ["classify_scar"]


def classify_scar(m: ScarMeasurement) -> ScarType:
    """Type from the recovered shape (clinical-facts §1.1 [V]; cut-offs scarwise's own [M]).

    * boxcar: steep walls relative to depth/radius (sharpness >= 2.2) and a flat, full floor
      (volume / (area x depth) >= 0.5) - the "U";
    * icepick: otherwise, when narrow (< 3 mm across the 10 % extent) and deep for its width
      (depth / diameter >= 0.12) - the "V";
    * rolling: the rest - wide and shallow with sloping walls.
    """
    if m.wall_sharpness >= 2.2 and m.fill_ratio >= 0.5:
        return "boxcar"
    if m.diameter_mm < 3.0 and m.depth_to_diameter >= 0.12:
        return "icepick"
    return "rolling"
