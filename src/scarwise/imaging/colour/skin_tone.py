"""Skin tone: the Individual Typology Angle (ITA°) and its category."""

from __future__ import annotations

from typing import Final

import numpy as np

from scarwise.imaging.colour.models import ItaCategory

__all__ = ["ITA_BANDS", "ita_category", "ita_deg"]

#: ITA° bands (lower bound exclusive, category) from lightest to darkest; a boundary value
#: belongs to the darker band (55 is "light", 41 "intermediate"). Chardon et al., Int J Cosmet
#: Sci 1991;13:191-208, extended by Del Bino et al. (research/clinical-facts.md §6.2) [V names,
#: M/S thresholds]; boundary convention from contracts/imaging.md.
ITA_BANDS: Final[tuple[tuple[float, ItaCategory], ...]] = (
    (55.0, "very light"),
    (41.0, "light"),
    (28.0, "intermediate"),
    (10.0, "tan"),
    (-30.0, "brown"),
)


def ita_deg(lightness: float, b_star: float) -> float:
    """Individual Typology Angle, ``atan2(L* - 50, b*)`` in degrees.

    References
    ----------
    Chardon A, Cretois I, Hourseau C. Skin colour typology and suntanning pathways. Int J Cosmet
    Sci 1991;13:191-208 (formula with atan; atan2 avoids the b* = 0 blow-up,
    research/image-methods.md §2.3) [V].
    """
    return float(np.degrees(np.arctan2(lightness - 50.0, b_star)))


def ita_category(ita: float) -> ItaCategory:
    """The ITA° band: ``> 55`` very light, ``(41, 55]`` light, ``(28, 41]`` intermediate,
    ``(10, 28]`` tan, ``(-30, 10]`` brown, ``<= -30`` dark (boundaries go to the darker band)."""
    for lower, name in ITA_BANDS:
        if ita > lower:
            return name
    return "dark"
