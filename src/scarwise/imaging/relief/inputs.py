"""Every problem with an ``analyze3d`` input set, listed before any pixel is worked on."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from scarwise.errors import Problem
from scarwise.imaging.relief.lights import check_light_geometry
from scarwise.imaging.relief.models import LightSet

__all__ = ["MAX_PIXEL_MM", "MIN_SIDE_PX", "check_inputs"]

#: Largest accepted pixel size (mm): beyond this a scar is a few pixels wide.
MAX_PIXEL_MM = 5.0
#: Smallest image side accepted, in pixels.
MIN_SIDE_PX = 32


def check_inputs(
    sizes: Sequence[tuple[int, int]],
    lights: LightSet | None,
    pixel_mm: Any,
    mask: npt.NDArray[Any] | None = None,
) -> list[Problem]:
    """Every problem with an analyze3d input set: image count and sizes, lights, pixel size, mask.

    ``lights`` may be None when the lights file itself was unreadable (its problems are listed
    by :func:`~scarwise.imaging.relief.lights.parse_lights`).
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
