"""Result models of ``scarwise analyze`` (schema ``analyze/1``, contracts/imaging.md)."""

from __future__ import annotations

from typing import Any, Literal

import cv2
import numpy as np
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from scarwise.results import Result

__all__ = [
    "AnalyzeResult",
    "ColourIndices",
    "ItaCategory",
    "RegionColour",
    "SkinTone",
    "Spot",
    "SpotKind",
]

ItaCategory = Literal["very light", "light", "intermediate", "tan", "brown", "dark"]
SpotKind = Literal["erythema", "hyperpigmentation"]


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True)


class SkinTone(_Part):
    """Median skin colour after the illumination is divided out (marks, hairs, shine excluded)."""

    lab: tuple[float, float, float] = Field(description="CIE L*a*b* (D65)")
    ita_deg: float = Field(description="atan2(L* - 50, b*) in degrees")
    category: ItaCategory
    calibrated: bool = Field(
        description="true when a grey card in the photo set exposure and white"
    )


class ColourIndices(_Part):
    """Redness and pigment numbers of the analysed skin (marks, hairs and shine excluded)."""

    mean_a_star: float = Field(description="mean CIELAB a* (redness)")
    erythema_index: float = Field(description="median log10(R/G) on linear RGB")
    melanin_index: float = Field(description="median log10(1/R) on linear RGB")
    melanin_density: float = Field(
        description="Tsumura-style melanin amount of the median skin (optical density, relative units)"
    )
    haemoglobin_density: float = Field(
        description="Tsumura-style haemoglobin amount of the median skin (optical density, relative units)"
    )


class Spot(_Part):
    """One red or brown mark."""

    id: int
    kind: SpotKind
    centroid_px: tuple[float, float]
    area_px: int
    area_mm2: float | None
    delta_e: float = Field(description="CIEDE2000 difference from the surrounding skin")
    region: str | None = Field(default=None, description="face region holding the centroid")
    melanin_excess: float = Field(description="extra melanin density over the surrounding skin")
    haemoglobin_excess: float = Field(
        description="extra haemoglobin density over the surrounding skin"
    )


class RegionColour(_Part):
    """Colour numbers of one face region."""

    name: str
    skin_area_px: int
    lab: tuple[float, float, float]
    ita_deg: float
    category: ItaCategory
    mean_a_star: float
    erythema_index: float
    spot_count: int


class AnalyzeResult(Result):
    """The ``analyze/1`` object."""

    schema_: str = Field(default="analyze/1", alias="schema", serialization_alias="schema")
    image_size_px: tuple[int, int]
    region: Literal["face", "skin", "full", "mask"] = Field(
        description="face: the face's skin (face mesh and colour); skin: skin found by colour "
        "and texture, no face found; full: every pixel; mask: the user's mask"
    )
    face_found: bool
    skin_tone: SkinTone
    indices: ColourIndices
    spots: list[Spot]
    regions: list[RegionColour] = Field(default_factory=list)
    pixel_mm: float | None = None
    skin_area_px: int
    warnings: list[str] = Field(default_factory=list)

    # Outlines for render_overlay (photo pixels); not part of the JSON.
    _outlines: list[Any] = PrivateAttr(default_factory=list)
    _skin_outline: list[Any] = PrivateAttr(default_factory=list)
    _skin_mask: Any = PrivateAttr(default=None)

    def spot_outlines(self) -> list[Any]:
        """Each spot's outline as an ``N x 2`` float array of ``[x, y]`` photo pixels, in the
        order of :attr:`spots` (empty for a result rebuilt from JSON)."""
        return list(self._outlines)

    def skin_mask(self) -> Any:
        """The analysed skin as an ``H x W`` uint8 array of the photo's size (255 = skin), or
        None for a result rebuilt from JSON."""
        if self._skin_mask is None:
            return None
        small = np.asarray(self._skin_mask, dtype=np.float32)
        width, height = self.image_size_px
        if small.shape != (height, width):
            small = np.asarray(
                cv2.resize(small, (width, height), interpolation=cv2.INTER_LINEAR),
                dtype=np.float32,
            )
        return np.where(small >= 0.5, np.uint8(255), np.uint8(0))
