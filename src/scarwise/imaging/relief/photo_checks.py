"""The photos of a multi-light set checked against each other and against their lights.

Before any normal is solved (``contracts/imaging.md``: warnings that say what to fix, or exit 3
when nothing sensible can be computed), in this order:

1. repeated photos and saturated or shadowed majorities
   (:mod:`~scarwise.imaging.relief.photo_quality`): too few usable photos -> refused;
2. photos that moved (:mod:`~scarwise.imaging.relief.registration`): shifted ones are moved
   back (and their edges left out), others refused;
3. the lights' order (:func:`~scarwise.imaging.relief.light_checks.order_warning`) and, when
   it fits, their axes (:func:`~scarwise.imaging.relief.light_checks.axes_warning`);
4. linear against sRGB decoding (:mod:`~scarwise.imaging.relief.encoding_fit`).

Everything runs on a reduced copy of the photos or a sample of the pixels lit in every photo
(:mod:`~scarwise.imaging.relief.region`), so it costs little next to the analysis.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from scarwise.errors import InvalidInput, Problem
from scarwise.imaging.relief.encoding_fit import encoding_warning
from scarwise.imaging.relief.light_checks import axes_fit, axes_warning, order_warning
from scarwise.imaging.relief.photo_quality import photo_quality
from scarwise.imaging.relief.region import (
    lit_columns,
    reduce_mask,
    reduce_stack,
    region_sample,
)
from scarwise.imaging.relief.registration import register_photos

__all__ = ["CheckedPhotos", "check_photos"]

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class CheckedPhotos:
    """What the checks found and left for the analysis.

    Attributes
    ----------
    warnings
        What to tell the user, in the order found.
    valid
        Full-size pixels to analyse (the mask, less the edges of photos moved back), or None
        for every pixel.
    sample, sample_index
        Pixels lit in every photo inside ``valid`` (``k x n`` linear) and their flat indices.
    moved
        Photos moved back into place.
    """

    warnings: list[str] = field(default_factory=list)
    valid: Bool | None = None
    sample: F32 = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    sample_index: npt.NDArray[np.intp] = field(default_factory=lambda: np.zeros(0, np.intp))
    moved: list[int] = field(default_factory=list)


def _edge_mask(shape: tuple[int, int], shifts: Sequence[tuple[float, float]]) -> Bool:
    """Pixels every photo moved back still has its own data for (not a repeated edge)."""
    h, w = shape
    ok = np.ones((h, w), dtype=bool)
    for dx, dy in shifts:
        cx, cy = int(np.ceil(abs(dx))) + 1, int(np.ceil(abs(dy))) + 1
        if dx > 0:
            ok[:, w - cx :] = False
        elif dx < 0:
            ok[:, :cx] = False
        if dy > 0:
            ok[h - cy :, :] = False
        elif dy < 0:
            ok[:cy, :] = False
    return ok


def check_photos(
    stack: F32,
    directions: F64,
    intensities: F64 | None,
    mask: Bool | None,
    *,
    names: Sequence[str | None] = (),
    encoding: Literal["linear", "srgb"] | None = None,
    step: int | None = None,
) -> CheckedPhotos:
    """Check a linear photo stack against itself and its lights; photos that moved are moved
    back in place in ``stack``.

    Parameters
    ----------
    stack
        ``k x H x W`` linear luminance, one photo per light.
    directions
        ``k x 3`` unit light directions.
    intensities
        Stated relative brightnesses (None: equal), used by the checks that solve normals.
    mask
        Pixels to analyse (None: all).
    names
        The photos' file names (for the order check).
    encoding
        How the photos were decoded (None: unknown, the encoding is not checked).
    step
        Step of the pixel grid the sample is taken from (default
        :func:`~scarwise.imaging.relief.region.grid_step`).

    Raises
    ------
    InvalidInput
        Nothing sensible can be computed: fewer than 3 different, usable photos, or photos that
        moved too far (or turned) to be moved back.
    """
    k, h, w = stack.shape
    lights = directions * (np.ones(k) if intensities is None else intensities)[:, None]
    small, factor = reduce_stack(stack)
    small_mask = reduce_mask(mask, factor, small.shape[1:])
    quality = photo_quality(small, directions, small_mask)
    warnings = list(quality.warnings)
    if quality.problems:
        raise InvalidInput(problems=quality.problems)
    valid = mask
    reg = register_photos(stack)
    if reg.failed:
        raise InvalidInput(
            problems=[
                Problem(
                    f"images[{i}]",
                    "the same view as the other photos (a fixed camera, the skin held still)",
                    f"moved by ({reg.shifts[i][0]:.1f}, {reg.shifts[i][1]:.1f}) px, or turned",
                )
                for i in reg.failed
            ]
        )
    if reg.moved:
        listed = ", ".join(
            f"images[{i}] by ({reg.shifts[i][0]:.1f}, {reg.shifts[i][1]:.1f}) px" for i in reg.moved
        )
        warnings.append(
            f"photos moved between shots and were moved back into place ({listed}): keep the "
            "camera on a stand and the skin still"
        )
        edges = _edge_mask((h, w), [reg.shifts[i] for i in reg.moved])
        valid = edges if mask is None else (mask & edges)
        small, factor = reduce_stack(stack)
        small_mask = reduce_mask(valid, factor, small.shape[1:])
    region = lit_columns(
        small.reshape(k, -1), None if small_mask is None else small_mask.reshape(-1)
    ).reshape(small.shape[1:])
    sample, index = region_sample(stack, valid, step=step)
    order = order_warning(sample, directions, names)
    if order:
        warnings.append(order)
    else:  # lights in the wrong order look turned or mirrored too: the order is the news
        axes = axes_warning(axes_fit(small, region, lights, boundary=mask is not None))
        if axes:
            warnings.append(axes)
    if encoding is not None:
        note = encoding_warning(sample, encoding)
        if note:
            warnings.append(note)
    return CheckedPhotos(
        warnings=warnings, valid=valid, sample=sample, sample_index=index, moved=reg.moved
    )
