"""Result models of the multi-light 3-D analysis: lights, scars, ``analyze3d/1``.

The ``analyze3d/1`` object (``contracts/imaging.md``) also carries, privately and not in the
JSON, the height map, the smooth surface and the scar outlines that
:mod:`~scarwise.imaging.relief.pictures` draws.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from scarwise.results import Result

__all__ = [
    "Analyze3DResult",
    "DepthMapInfo",
    "Light",
    "LightSet",
    "LightsCalibration",
    "ScaleEstimate",
    "Scar3D",
    "ScarType",
    "Scars3DEstimates",
    "Scars3DSummary",
]

F32 = npt.NDArray[np.float32]
#: The three atrophic scar types (``contracts/imaging.md``).
ScarType = Literal["icepick", "boxcar", "rolling"]


class Light(BaseModel):
    """One light: the image it lit (when named), its direction and stated brightness."""

    model_config = ConfigDict(frozen=True)

    image: str | None = None
    direction: tuple[float, float, float]
    intensity: float | None = None


class LightSet(BaseModel):
    """Lights in the order of the images."""

    model_config = ConfigDict(frozen=True)

    lights: tuple[Light, ...]

    def directions(self) -> npt.NDArray[np.float64]:
        """``k x 3`` unit direction vectors."""
        d = np.array([light.direction for light in self.lights], dtype=np.float64)
        return np.asarray(d / np.linalg.norm(d, axis=1, keepdims=True), dtype=np.float64)

    def intensities(self) -> npt.NDArray[np.float64] | None:
        """Stated relative brightnesses (1 where not stated), or None when none is stated."""
        if all(light.intensity is None for light in self.lights):
            return None
        return np.array(
            [1.0 if light.intensity is None else light.intensity for light in self.lights]
        )

    def to_document(self) -> dict[str, Any]:
        """The object form of the lights file."""
        return {"lights": [light.model_dump(exclude_none=True) for light in self.lights]}


class LightsCalibration(Result):
    """``lights-calibration/1``: light directions measured on a sphere."""

    schema_: str = Field(
        default="lights-calibration/1", alias="schema", serialization_alias="schema"
    )
    method: Literal["chrome", "matte"]
    sphere_px: tuple[float, float, float]
    lights: list[Light]
    fit_residual: float | None = Field(
        default=None,
        description="median over the lights of fit_residuals",
    )
    fit_residuals: list[float] = Field(
        default_factory=list,
        description="per light: chrome, the highlight's spread as an uncertainty of the "
        "direction (degrees); matte, the cosine-law misfit relative to the brightness",
    )
    fit_residual_unit: Literal["deg", "relative"] | None = None
    outline_px: tuple[float, float, float] | None = Field(
        default=None,
        description="the sphere's outline found in the photos (x, y, radius in px), when visible",
    )
    warnings: list[str] = Field(default_factory=list)

    def light_set(self) -> LightSet:
        """The lights as a :class:`LightSet`."""
        return LightSet(lights=tuple(self.lights))


class Scar3D(BaseModel):
    """One scar, per the contract's definitions."""

    model_config = ConfigDict(frozen=True)

    id: int
    centroid_px: tuple[float, float]
    diameter_mm: float
    area_mm2: float
    depth_mm: float
    volume_mm3: float
    type: ScarType


class Scars3DSummary(BaseModel):
    """Counts by type, total volume and mean depth."""

    model_config = ConfigDict(frozen=True)

    count: int
    by_type: dict[str, int]
    total_volume_mm3: float
    mean_depth_mm: float | None


class ScaleEstimate(BaseModel):
    """A scale score estimated from the scar counts of this one photographed region."""

    model_config = ConfigDict(frozen=True)

    scale: str
    score: int
    max: int
    counts: dict[str, int]
    reference: str


class Scars3DEstimates(BaseModel):
    """Goodman & Baron quantitative and ECCA scores estimated from the counts by type."""

    model_config = ConfigDict(frozen=True)

    basis: str
    note: str
    gb_quantitative: ScaleEstimate
    ecca: ScaleEstimate


class DepthMapInfo(BaseModel):
    """How a written depth map encodes height: ``mm = value * scale_mm + offset_mm``."""

    model_config = ConfigDict(frozen=True)

    file: str | None = None
    format: Literal["npy", "png16", "tiff16"]
    scale_mm: float
    offset_mm: float


class Analyze3DResult(Result):
    """``analyze3d/1``: scars measured in one skin area from multi-light photos."""

    schema_: str = Field(default="analyze3d/1", alias="schema", serialization_alias="schema")
    image_size_px: tuple[int, int]
    pixel_mm: float
    scars: list[Scar3D]
    summary: Scars3DSummary
    estimates: Scars3DEstimates | None = Field(
        default=None,
        description="scale scores estimated from the counts by type (filled by the workflow, "
        "scarwise.workflows.analysis3d; None from imaging alone)",
    )
    light_intensities: list[float]
    warnings: list[str]
    depth_map: DepthMapInfo | None = None

    _height_mm: F32 | None = PrivateAttr(default=None)
    _surface_mm: F32 | None = PrivateAttr(default=None)
    _albedo: F32 | None = PrivateAttr(default=None)
    _valid: npt.NDArray[np.bool_] | None = PrivateAttr(default=None)
    _extents: list[tuple[slice, slice, npt.NDArray[np.bool_]]] = PrivateAttr(default_factory=list)
    _depressions: list[F32] = PrivateAttr(default_factory=list)

    def height_map_mm(self) -> F32:
        """The recovered height map (mm, z towards the camera, scars negative, any offset)."""
        if self._height_mm is None:
            raise ValueError("this result carries no height map (it was read back from JSON)")
        return self._height_mm

    def depression_map_mm(self) -> F32:
        """Depth below the patch's smooth surrounding surface (mm, positive below, >= 0)."""
        if self._height_mm is None or self._surface_mm is None:
            raise ValueError("this result carries no height map (it was read back from JSON)")
        return np.asarray(np.clip(self._surface_mm - self._height_mm, 0.0, None), dtype=np.float32)

    def shading_image(self) -> F32:
        """The recovered albedo (relative, H x W) for drawing under the outlines."""
        if self._albedo is None:
            raise ValueError("this result carries no images (it was read back from JSON)")
        return self._albedo

    def analysed_pixels(self) -> npt.NDArray[np.bool_] | None:
        """The pixels analysed (the mask, less the edges of photos moved back); None: all."""
        return self._valid

    def scar_depressions_mm(self) -> list[F32]:
        """Each scar's depth below its own surrounding surface over its extent's box (0 outside
        the extent), in the order of ``scars``: what ``depth_mm`` is the largest of."""
        return list(self._depressions)

    def extents(self) -> list[tuple[slice, slice, npt.NDArray[np.bool_]]]:
        """Each scar's extent as (rows, cols, mask) windows, in the order of ``scars``."""
        return list(self._extents)
