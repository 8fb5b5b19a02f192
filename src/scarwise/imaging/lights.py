"""Light directions for photometric stereo: the lights file, its checks, and sphere calibration.

The lights file (``contracts/imaging.md``) is JSON in one of two forms:

* a list of direction vectors ``[[x, y, z], ...]`` in the order of the images;
* ``{"lights": [{"image": "light0.png", "direction": [x, y, z], "intensity": 1.0}, ...]}``
  matched to the images by file name (``intensity`` optional).

Axes: x to the right, y down (image rows), z towards the camera; the vector points from the skin
towards the light and need not be unit length.

Calibration from a sphere photographed in the same set-up: on a **chrome (mirror) sphere** the
highlight is where the sphere's normal halves the angle between the camera and the light, so
``l = 2 (n·v) n - v`` with ``v = (0, 0, 1)`` (orthographic camera); on a **matte sphere** the lit
pixels follow ``I = ρ (l·n)`` and ``l`` is their least-squares fit (its length gives the relative
brightness). Standard practice in photometric stereo (e.g. Woodham 1980; Hertzmann & Seitz 2005
use a reference sphere) [M].
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import PurePath
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

from scarwise.errors import InvalidInput, Problem
from scarwise.results import Result

__all__ = [
    "Light",
    "LightSet",
    "LightsCalibration",
    "calibrate_lights_from_sphere",
    "check_light_geometry",
    "parse_lights",
]

#: Light matrices worse conditioned than this are treated as coplanar (degenerate).
MAX_CONDITION = 200.0


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


def _as_float(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    f = float(value)
    return f if np.isfinite(f) else None


def _direction(
    value: Any, field: str, problems: list[Problem]
) -> tuple[float, float, float] | None:
    expected = "a direction [x, y, z] of three numbers with z > 0 (the light in front of the skin)"
    if not isinstance(value, (list, tuple)) or len(value) != 3:
        problems.append(Problem(field, expected, value))
        return None
    nums = [_as_float(v) for v in value]
    if any(n is None for n in nums):
        problems.append(Problem(field, expected, value))
        return None
    x, y, z = (float(n) for n in nums)  # type: ignore[arg-type]
    norm = float(np.sqrt(x * x + y * y + z * z))
    if norm < 1e-9 or z <= 0.05 * norm:
        problems.append(Problem(field, expected, value))
        return None
    return (x, y, z)


def check_light_geometry(directions: npt.ArrayLike, field: str = "lights") -> list[Problem]:
    """Problems with a set of directions: fewer than 3, or all in one plane through the skin."""
    d = np.asarray(directions, dtype=np.float64)
    if d.ndim != 2 or d.shape[0] < 3:
        return [
            Problem(field, "at least 3 light directions", int(d.shape[0]) if d.ndim == 2 else 0)
        ]
    unit = d / np.linalg.norm(d, axis=1, keepdims=True)
    sv = np.linalg.svd(unit, compute_uv=False)
    cond = float(sv[0] / sv[-1]) if sv[-1] > 0 else float("inf")
    if cond > MAX_CONDITION:
        return [
            Problem(
                field,
                "light directions not all in one plane (spread them around the camera)",
                "coplanar or nearly coplanar directions",
            )
        ]
    return []


def parse_lights(document: Any, image_names: Sequence[str]) -> LightSet:
    """Read a lights file (either contract form) for images with the given file names.

    Parameters
    ----------
    document
        The parsed JSON: a list of ``[x, y, z]`` or ``{"lights": [{"image", "direction",
        "intensity"?}, ...]}``.
    image_names
        The images' file names (or paths; only the last part is compared), in order.

    Returns
    -------
    LightSet
        One light per image, in the order of ``image_names``.

    Raises
    ------
    InvalidInput
        Listing every problem: wrong shape, bad vectors or intensities, count mismatch, names
        that match no image or images without a light, duplicate names, coplanar directions.
    """
    names = [PurePath(n).name for n in image_names]
    problems: list[Problem] = []
    lights: list[Light] = []
    if isinstance(document, list):
        if len(document) != len(names):
            problems.append(
                Problem("lights", f"{len(names)} directions, one per image", len(document))
            )
        for i, item in enumerate(document):
            d = _direction(item, f"lights[{i}]", problems)
            if d is not None and i < len(names):
                lights.append(Light(image=names[i] or None, direction=d))
    elif isinstance(document, Mapping) and isinstance(document.get("lights"), list):
        extra = sorted(set(document) - {"lights"})
        if extra:
            problems.append(Problem(extra[0], "no such field (unknown key)", extra[0]))
        by_name: dict[str, Light] = {}
        for i, item in enumerate(document["lights"]):
            field = f"lights[{i}]"
            if not isinstance(item, Mapping):
                problems.append(
                    Problem(field, 'an object {"image", "direction", "intensity"}', item)
                )
                continue
            unknown = sorted(set(item) - {"image", "direction", "intensity"})
            for key in unknown:
                problems.append(Problem(f"{field}.{key}", "no such field (unknown key)", key))
            image = item.get("image")
            if not isinstance(image, str) or not image:
                problems.append(
                    Problem(f"{field}.image", "the file name of one of the images", image)
                )
                image = None
            d = _direction(item.get("direction"), f"{field}.direction", problems)
            intensity: float | None = None
            if "intensity" in item:
                intensity = _as_float(item["intensity"])
                if intensity is None or intensity <= 0:
                    problems.append(
                        Problem(f"{field}.intensity", "a positive number", item["intensity"])
                    )
                    intensity = None
            if image is None:
                continue
            key = PurePath(image).name
            if key in by_name:
                problems.append(Problem(f"{field}.image", "each image named once", image))
            elif key not in names:
                problems.append(
                    Problem(
                        f"{field}.image",
                        "the file name of one of the images: " + ", ".join(names),
                        image,
                    )
                )
            elif d is not None:
                by_name[key] = Light(image=key, direction=d, intensity=intensity)
        for i, name in enumerate(names):
            if name not in by_name and not any(p.field.endswith(".direction") for p in problems):
                problems.append(
                    Problem(f"images[{i}]", "a light in the lights file for every image", name)
                )
        lights = [by_name[n] for n in names if n in by_name]
    else:
        problems.append(
            Problem(
                "lights",
                'a list of [x, y, z] or an object {"lights": [{"image", "direction"}, ...]}',
                type(document).__name__,
            )
        )
    if not problems:
        problems.extend(check_light_geometry([light.direction for light in lights]))
    if problems:
        raise InvalidInput(problems=problems)
    return LightSet(lights=tuple(lights))


class LightsCalibration(Result):
    """``lights-calibration/1``: light directions measured on a sphere."""

    schema_: str = Field(
        default="lights-calibration/1", alias="schema", serialization_alias="schema"
    )
    method: Literal["chrome", "matte"]
    sphere_px: tuple[float, float, float]
    lights: list[Light]
    warnings: list[str] = Field(default_factory=list)

    def light_set(self) -> LightSet:
        """The lights as a :class:`LightSet`."""
        return LightSet(lights=tuple(self.lights))


def _sphere_normals(
    shape: tuple[int, int], cx: float, cy: float, r: float, inner: float
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.float64]]:
    yy, xx = np.mgrid[0 : shape[0], 0 : shape[1]].astype(np.float64)
    nx, ny = (xx - cx) / r, (yy - cy) / r
    rr = nx * nx + ny * ny
    inside = rr < inner * inner
    nz = np.sqrt(np.clip(1.0 - rr, 0.0, None))
    return inside, np.stack([nx, ny, nz])


def calibrate_lights_from_sphere(
    images: Sequence[npt.NDArray[np.floating]],
    sphere_px: tuple[float, float, float],
    *,
    names: Sequence[str] | None = None,
    method: Literal["chrome", "matte"] = "chrome",
) -> LightsCalibration:
    """Light directions from images of a sphere (linear luminance, ``H x W`` each).

    Parameters
    ----------
    images
        One linear-luminance image per light, same size.
    sphere_px
        The sphere's centre x, y and radius in pixels.
    names
        The image file names, written into the result so the file matches by name.
    method
        ``chrome``: the highlight (brightness-weighted centre of the pixels within 90 % of the
        brightest) gives ``l = 2 (n·v) n - v``. ``matte``: least squares ``I = l·n`` over lit
        pixels (the length of ``l`` is the relative brightness).

    Raises
    ------
    InvalidInput
        Bad sphere geometry, no highlight found, or resulting directions that are degenerate.
    """
    cx, cy, r = (float(v) for v in sphere_px)
    problems: list[Problem] = []
    if not images:
        raise InvalidInput(problems=[Problem("images", "at least 3 images of the sphere", 0)])
    shape = images[0].shape[:2]
    if not (r > 3 and 0 <= cx < shape[1] and 0 <= cy < shape[0]):
        problems.append(Problem("sphere", "centre inside the image and radius > 3 px", [cx, cy, r]))
    if len(images) < 3:
        problems.append(Problem("images", "at least 3 images of the sphere", len(images)))
    for i, im in enumerate(images):
        if im.shape[:2] != shape:
            problems.append(
                Problem(
                    f"images[{i}]",
                    f"{shape[1]}x{shape[0]} like images[0]",
                    f"{im.shape[1]}x{im.shape[0]}",
                )
            )
    if problems:
        raise InvalidInput(problems=problems)
    inside, normals = _sphere_normals(shape, cx, cy, r, 0.98)
    lights: list[Light] = []
    raw: list[npt.NDArray[np.float64]] = []
    for i, im in enumerate(images):
        v = np.where(inside, im.astype(np.float64), 0.0)
        top = float(v.max())
        if top <= 0:
            problems.append(
                Problem(
                    f"images[{i}]", "a visible highlight or lit area on the sphere", "a dark sphere"
                )
            )
            raw.append(np.array([0.0, 0.0, 1.0]))
            continue
        if method == "chrome":
            spot = v >= 0.9 * top
            w = v * spot
            n = (normals * w).sum(axis=(1, 2)) / w.sum()
            n /= np.linalg.norm(n)
            light = 2.0 * n[2] * n - np.array([0.0, 0.0, 1.0])
        else:
            lit = inside & (v > 0.05 * top)
            a = normals[:, lit].T
            light, *_ = np.linalg.lstsq(a, v[lit], rcond=None)
        raw.append(np.asarray(light, dtype=np.float64))
    if problems:
        raise InvalidInput(problems=problems)
    lengths = np.array([np.linalg.norm(x) for x in raw])
    rel = lengths / np.exp(np.log(lengths).mean()) if method == "matte" else None
    for i, light in enumerate(raw):
        d = light / np.linalg.norm(light)
        name = PurePath(names[i]).name if names is not None else None
        lights.append(
            Light(
                image=name,
                direction=(round(float(d[0]), 6), round(float(d[1]), 6), round(float(d[2]), 6)),
                intensity=None if rel is None else round(float(rel[i]), 4),
            )
        )
    warnings: list[str] = []
    geometry = check_light_geometry([light.direction for light in lights])
    if geometry:
        raise InvalidInput(problems=geometry)
    if any(light.direction[2] < 0.5 for light in lights):
        warnings.append(
            "a light is more than 60 degrees from the camera axis: 25-35 degrees works best"
        )
    return LightsCalibration(method=method, sphere_px=(cx, cy, r), lights=lights, warnings=warnings)
