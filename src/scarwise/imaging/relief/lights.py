"""The lights file of photometric stereo: its two forms, read and checked.

The lights file (``contracts/imaging.md``) is JSON in one of two forms:

* a list of direction vectors ``[[x, y, z], ...]`` in the order of the images;
* ``{"lights": [{"image": "light0.png", "direction": [x, y, z], "intensity": 1.0}, ...]}``
  matched to the images by file name (``intensity`` optional).

Axes: x to the right, y down (image rows), z towards the camera; the vector points from the skin
towards the light and need not be unit length.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import PurePath
from typing import Any

import numpy as np
import numpy.typing as npt

from scarwise.errors import InvalidInput, Problem
from scarwise.imaging.relief.models import Light, LightSet

__all__ = ["MAX_CONDITION", "check_light_geometry", "parse_lights"]

#: Light matrices worse conditioned than this are treated as coplanar (degenerate).
MAX_CONDITION = 200.0


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
