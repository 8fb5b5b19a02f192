"""``analyze3d``: measure atrophic scars from photos of one skin area under several lights.

Pipeline (``contracts/imaging.md``; ``research/image-methods.md`` §3 and §7.3 [T]):
photos (already through the intake gate) -> linear luminance -> light brightnesses estimated
(:func:`~scarwise.imaging.stereo.estimate_light_intensities`) -> robust normals
(:mod:`~scarwise.imaging.stereo`) -> height by DCT Poisson integration
(:mod:`~scarwise.imaging.integrate`) -> scars found, measured and typed
(:mod:`~scarwise.imaging.scars3d`) -> summary and scale estimates (:mod:`scarwise.scales`).

The result model is ``analyze3d/1``; it also carries (privately, not in the JSON) the height map,
the smooth surface and the scar outlines that :mod:`~scarwise.imaging.depth_render` draws.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from scarwise.errors import InvalidInput, Problem
from scarwise.imaging.lights import LightSet, check_light_geometry
from scarwise.results import Result

if TYPE_CHECKING:
    from scarwise.imaging.scars3d import ScarMeasurement, ScarType
    from scarwise.intake import Photo

__all__ = [
    "Analyze3DResult",
    "DepthMapInfo",
    "ScaleEstimate",
    "Scar3D",
    "Scars3DEstimates",
    "Scars3DSummary",
    "analyze_luminance_3d",
    "analyze_scars_3d",
    "check_inputs",
    "photo_luminance",
]

F32 = npt.NDArray[np.float32]
Encoding = Literal["auto", "linear", "srgb"]

#: Rec. 709 / sRGB luminance weights on linear RGB (IEC 61966-2-1) [V].
LUMINANCE_WEIGHTS = (0.2126, 0.7152, 0.0722)
#: Largest accepted pixel size (mm): beyond this a scar is a few pixels wide.
MAX_PIXEL_MM = 5.0
#: Smallest image side accepted, in pixels.
MIN_SIDE_PX = 32


class Scar3D(BaseModel):
    """One scar, per the contract's definitions."""

    model_config = ConfigDict(frozen=True)

    id: int
    centroid_px: tuple[float, float]
    diameter_mm: float
    area_mm2: float
    depth_mm: float
    volume_mm3: float
    type: Literal["icepick", "boxcar", "rolling"]


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
    estimates: Scars3DEstimates
    light_intensities: list[float]
    warnings: list[str]
    depth_map: DepthMapInfo | None = None

    _height_mm: F32 | None = PrivateAttr(default=None)
    _surface_mm: F32 | None = PrivateAttr(default=None)
    _albedo: F32 | None = PrivateAttr(default=None)
    _extents: list[tuple[slice, slice, npt.NDArray[np.bool_]]] = PrivateAttr(default_factory=list)

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

    def extents(self) -> list[tuple[slice, slice, npt.NDArray[np.bool_]]]:
        """Each scar's extent as (rows, cols, mask) windows, in the order of ``scars``."""
        return list(self._extents)


def _srgb_lut(levels: int) -> F32:
    x = np.arange(levels, dtype=np.float64) / (levels - 1)
    lin = np.where(x <= 0.04045, x / 12.92, ((x + 0.055) / 1.055) ** 2.4)
    return lin.astype(np.float32)


def photo_luminance(photo: Photo, encoding: Encoding = "auto") -> tuple[F32, F32 | None]:
    """Linear luminance (``H x W`` float32, 0-1) and linear RGB (or None for grey) of a photo.

    ``auto``: 16-bit images without an ICC profile are linear; 8-bit images, and any image whose
    ICC profile the gate converted to sRGB, are sRGB-encoded (``contracts/imaging.md``). The sRGB
    decoding is IEC 61966-2-1 [V].
    """
    px = photo.pixels
    levels = 65536 if px.dtype == np.uint16 else 256
    linear = encoding == "linear" or (
        encoding == "auto" and photo.bit_depth == 16 and not photo.had_icc_profile
    )
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


def check_inputs(
    sizes: Sequence[tuple[int, int]],
    lights: LightSet | None,
    pixel_mm: Any,
    mask: npt.NDArray[Any] | None = None,
) -> list[Problem]:
    """Every problem with an analyze3d input set: image count and sizes, lights, pixel size, mask.

    ``lights`` may be None when the lights file itself was unreadable (its problems are listed
    by :func:`~scarwise.imaging.lights.parse_lights`).
    """
    problems: list[Problem] = []
    if len(sizes) < 3:
        problems.append(Problem("images", "3 or more images (one per light)", len(sizes)))
    if sizes:
        w0, h0 = sizes[0]
        for i, (w, h) in enumerate(sizes[1:], start=1):
            if (w, h) != (w0, h0):
                problems.append(
                    Problem(
                        f"images[{i}]", f"the same size as images[0] ({w0}x{h0} px)", f"{w}x{h} px"
                    )
                )
        if min(w0, h0) < MIN_SIDE_PX:
            problems.append(
                Problem("images[0]", f"at least {MIN_SIDE_PX} px on each side", f"{w0}x{h0} px")
            )
        if mask is not None and mask.shape[:2] != (h0, w0):
            problems.append(
                Problem(
                    "mask",
                    f"the images' size ({w0}x{h0} px)",
                    f"{mask.shape[1]}x{mask.shape[0]} px",
                )
            )
        elif mask is not None and not np.any(mask):
            problems.append(
                Problem("mask", "some non-zero pixels (skin to analyse)", "an empty mask")
            )
    if lights is not None:
        if len(lights.lights) != len(sizes):
            problems.append(
                Problem("lights", f"{len(sizes)} lights, one per image", len(lights.lights))
            )
        problems.extend(check_light_geometry([light.direction for light in lights.lights]))
    ok_pixel = (
        not isinstance(pixel_mm, bool)
        and isinstance(pixel_mm, (int, float))
        and np.isfinite(pixel_mm)
        and 0 < pixel_mm <= MAX_PIXEL_MM
    )
    if not ok_pixel:
        problems.append(
            Problem(
                "pixel_mm",
                f"a number of millimetres per pixel, > 0 and at most {MAX_PIXEL_MM}",
                pixel_mm,
            )
        )
    return problems


def analyze_scars_3d(
    images: Sequence[Photo],
    lights: LightSet,
    pixel_mm: float,
    *,
    mask: npt.NDArray[Any] | None = None,
    encoding: Encoding = "auto",
) -> Analyze3DResult:
    """Measure the atrophic scars in one skin area from 3 or more photos under different lights.

    Parameters
    ----------
    images
        Photos from the intake gate (:func:`scarwise.intake.read_photo`), same size, one
        per light, taken from a fixed camera.
    lights
        One light per image (:func:`scarwise.imaging.lights.parse_lights`).
    pixel_mm
        Pixel size on the skin, in millimetres.
    mask
        Optional ``H x W`` array, non-zero = skin to analyse.
    encoding
        ``auto`` (16-bit linear, 8-bit sRGB), or force ``linear`` / ``srgb``.

    Returns
    -------
    Analyze3DResult

    Raises
    ------
    InvalidInput
        Fewer than 3 images, sizes that differ, a lights count that does not match, coplanar
        lights, a bad pixel size or mask; every problem is listed.
    """
    problems = check_inputs([p.size_px for p in images], lights, pixel_mm, mask)
    if problems:
        raise InvalidInput(problems=problems)
    from scarwise.imaging.stereo import sample_pixels

    k = len(images)
    w, h = images[0].size_px
    stack = np.empty((k, h, w), dtype=np.float32)
    rgb_samples: list[F32] = []
    for i, photo in enumerate(images):
        lum, rgb = photo_luminance(photo, encoding)
        stack[i] = lum
        if rgb is not None:
            rgb_samples.append(sample_pixels(rgb[None])[0])
        del lum, rgb
    rgb_sample = np.stack(rgb_samples) if len(rgb_samples) == k else None
    notes = [
        f"images[{i}]: {n}"
        for i, p in enumerate(images)
        for n in p.warnings
        if "colour profile" not in n
    ]
    box = [stack]  # hand the stack over, so it is freed once the normals are solved
    del stack
    return _analyze_stack(box, lights, pixel_mm, mask=mask, rgb_sample=rgb_sample, notes=notes)


def analyze_luminance_3d(
    stack: F32,
    lights: LightSet,
    pixel_mm: float,
    *,
    mask: npt.NDArray[Any] | None = None,
    rgb_sample: F32 | None = None,
    notes: Sequence[str] = (),
) -> Analyze3DResult:
    """The pipeline on linear luminance images already in memory (``k x H x W`` float32).

    ``rgb_sample`` (``k x n x 3`` linear RGB of the same pixels in every image, e.g. from
    :func:`~scarwise.imaging.stereo.sample_pixels`) lets the light brightnesses be estimated on a
    specular-free signal; without it luminance is used.
    """
    return _analyze_stack([stack], lights, pixel_mm, mask=mask, rgb_sample=rgb_sample, notes=notes)


def _analyze_stack(
    box: list[F32],
    lights: LightSet,
    pixel_mm: float,
    *,
    mask: npt.NDArray[Any] | None,
    rgb_sample: F32 | None,
    notes: Sequence[str],
) -> Analyze3DResult:
    from scarwise.imaging.integrate import integrate_gradients
    from scarwise.imaging.scars3d import find_scars
    from scarwise.imaging.stereo import (
        estimate_light_intensities,
        estimate_slopes,
        sample_pixels,
        specular_free,
    )

    stack = box.pop()
    k, h, w = stack.shape
    problems = check_inputs([(w, h)] * k, lights, pixel_mm, mask)
    if problems:
        raise InvalidInput(problems=problems)
    warnings = list(notes)
    directions = lights.directions()
    stated = lights.intensities()
    plain = sample_pixels(stack)
    if float(plain.max()) <= 0 and float(stack.max()) <= 0:  # the sample settles most sets
        raise InvalidInput(
            problems=[Problem("images", "photos with some light in them", "all black")]
        )
    saturated = _saturated_fraction(stack)
    if saturated > 0.01:
        warnings.append(
            f"{100 * saturated:.1f} % of the pixel values are saturated: lower the exposure"
        )
    if k >= 4:
        diffuse = specular_free(rgb_sample) if rgb_sample is not None else None
        factors = estimate_light_intensities(
            plain if diffuse is None else diffuse, directions, stated=stated
        )
        if diffuse is not None:
            # shine fools the luminance-based estimate but not the specular-free one
            from_luminance = estimate_light_intensities(plain, directions, stated=stated)
            if float(np.max(np.abs(np.log(from_luminance / factors)))) > np.log(1.06):
                warnings.append(
                    "skin shine detected: depths of wide, shallow (rolling) scars may be "
                    "overestimated; wash and dry the skin or use crossed polarisers"
                )
        if float(np.max(np.abs(np.log(factors)))) > np.log(1.3):
            warnings.append(
                "the lights' brightness differs by more than 30 % from what was stated: "
                "check the lights file and the exposure"
            )
    else:
        factors = np.ones(k)
        warnings.append(
            "3 lights: brightness differences between the lights cannot be estimated; "
            "use 4-8 lights for reliable depths"
        )
    total = factors * (stated if stated is not None else 1.0)
    field = estimate_slopes(stack, directions, intensities=total, sample=plain)
    del stack
    albedo, p, q = field.albedo, field.p, field.q
    del field
    height = integrate_gradients(p, q)
    del p, q
    height *= np.float32(pixel_mm)
    valid = None if mask is None else _mask_2d(mask)
    if valid is not None:
        height = _flatten_outside(height, valid)
    found = find_scars(height, pixel_mm, valid)
    result = _build_result(found.scars, found.types, (w, h), pixel_mm, total, warnings)
    result._height_mm = height
    result._surface_mm = found.surface_mm
    result._albedo = albedo
    result._extents = [(s.rows, s.cols, s.mask) for s in found.scars]
    return result


def _saturated_fraction(stack: F32, level: float = 0.999) -> float:
    """Fraction of the stack's values at or above ``level``, counted in 1M-value chunks.

    Same number as ``(stack >= level).mean()`` without a full-size boolean temporary (97 MB for
    8 x 12 MP, and three times the time).
    """
    flat = stack.reshape(-1)
    chunk = 1 << 20
    count = sum(
        int(np.count_nonzero(flat[i : i + chunk] >= level)) for i in range(0, flat.size, chunk)
    )
    return count / max(flat.size, 1)


def _mask_2d(mask: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    """A boolean H x W mask from any non-zero H x W or H x W x C array."""
    m = np.asarray(mask) > 0
    return np.asarray(m.any(axis=2) if m.ndim == 3 else m, dtype=bool)


def _flatten_outside(height: F32, valid: npt.NDArray[np.bool_]) -> F32:
    """Keep the height map inside the mask; outside it, the nearest inside value (for display)."""
    from scipy import ndimage as ndi

    if valid.all() or not valid.any():
        return height
    idx = ndi.distance_transform_edt(~valid, return_distances=False, return_indices=True)
    return np.asarray(height[idx[0], idx[1]], dtype=np.float32)


def _gb_and_ecca(scars: Sequence[Scar3D]) -> Scars3DEstimates:
    from scarwise.scales import score

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
        basis="counts by type of the atrophic scars found in this one photographed area",
        note=(
            "Estimates, not clinical scores: both scales grade a whole region (e.g. the face) by a "
            "clinician and include scar kinds photometric stereo cannot see (colour, raised, "
            "elastolysis). Mapping (scarwise's own [M]): icepick -> G&B punched-out deep abnormal "
            "base / ECCA V-shaped; boxcar -> G&B punched-out shallow (< 0.5 mm) or deep normal "
            "base / ECCA U-shaped; rolling -> G&B moderately atrophic dish-like / ECCA M-shaped."
        ),
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


def _build_result(
    measured: Sequence[ScarMeasurement],
    types: Sequence[ScarType],
    size: tuple[int, int],
    pixel_mm: float,
    intensities: npt.NDArray[np.float64],
    warnings: list[str],
) -> Analyze3DResult:
    scars = [
        Scar3D(
            id=i,
            centroid_px=(round(m.centroid_px[0], 1), round(m.centroid_px[1], 1)),
            diameter_mm=round(m.diameter_mm, 3),
            area_mm2=round(m.area_mm2, 3),
            depth_mm=round(m.depth_mm, 3),
            volume_mm3=round(m.volume_mm3, 4),
            type=t,
        )
        for i, (m, t) in enumerate(zip(measured, types, strict=True), start=1)
    ]
    by_type = {"icepick": 0, "boxcar": 0, "rolling": 0}
    for s in scars:
        by_type[s.type] += 1
    summary = Scars3DSummary(
        count=len(scars),
        by_type=by_type,
        total_volume_mm3=round(sum(m.volume_mm3 for m in measured), 4),
        mean_depth_mm=round(float(np.mean([m.depth_mm for m in measured])), 3)
        if measured
        else None,
    )
    rel = intensities / np.exp(np.log(intensities).mean())
    return Analyze3DResult(
        image_size_px=size,
        pixel_mm=float(pixel_mm),
        scars=scars,
        summary=summary,
        estimates=_gb_and_ecca(scars),
        light_intensities=[round(float(v), 4) for v in rel],
        warnings=warnings,
    )
