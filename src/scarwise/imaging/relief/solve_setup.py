"""What the solver needs besides the photos: checks passed, brightnesses, sheen, the region.

The front half of ``analyze3d`` (and of :func:`~scarwise.imaging.relief.analysis.normals_from_photos`),
on linear photos already in memory: the photos checked against each other and their lights
(:func:`~scarwise.imaging.relief.photo_checks.check_photos`, which may move photos back into
place), the lights' brightnesses chosen (:mod:`~scarwise.imaging.relief.brightness`) and the
skin's sheen found (:mod:`~scarwise.imaging.relief.shine`), all from the pixels lit in every
photo inside the mask.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from scarwise.errors import InvalidInput, Problem
from scarwise.imaging.relief.brightness import Brightness, choose_brightness
from scarwise.imaging.relief.models import LightSet
from scarwise.imaging.relief.photo_checks import check_photos
from scarwise.imaging.relief.shine import fit_shine

__all__ = ["NOISE_MIN_PIXELS", "SolveSetup", "mask_2d", "prepare_solve"]

F32 = npt.NDArray[np.float32]
Bool = npt.NDArray[np.bool_]

#: Fewest lit pixels the solver's noise level is measured on (else it samples every pixel).
NOISE_MIN_PIXELS = 20


@dataclass(frozen=True)
class SolveSetup:
    """The photos' checks and estimates, ready for the solver.

    Attributes
    ----------
    warnings
        What to tell the user, in the order found.
    intensities
        Each light's relative brightness to solve with.
    brightness
        How they were chosen.
    shine_exponent
        The sheen's lobe exponent (None: no sheen modelled).
    valid
        Pixels to analyse (None: all).
    noise_sample
        Pixels lit in every photo, for the solver's noise level (None: let it sample).
    """

    warnings: list[str]
    intensities: npt.NDArray[np.float64]
    brightness: Brightness
    shine_exponent: int | None
    valid: Bool | None
    noise_sample: F32 | None


def prepare_solve(
    stack: F32,
    lights: LightSet,
    *,
    mask: npt.NDArray[Any] | None = None,
    encoding: Literal["linear", "srgb"] | None = None,
    estimate_brightness: bool | None = None,
) -> SolveSetup:
    """Check the photos and choose what the solver needs (``stack`` may be changed in place:
    photos that moved are moved back).

    Parameters
    ----------
    stack
        ``k x H x W`` linear luminance.
    lights
        One light per photo.
    mask
        Pixels to analyse (non-zero), default all.
    encoding
        How the photos were decoded (None: unknown; the decoding is then not checked).
    estimate_brightness
        As :func:`~scarwise.imaging.relief.brightness.choose_brightness`'s ``estimate``.

    Raises
    ------
    InvalidInput
        All black, or what :func:`~scarwise.imaging.relief.photo_checks.check_photos` refuses.
    """
    warnings: list[str] = []
    directions = lights.directions()
    stated = lights.intensities()
    if float(stack.max()) <= 0:
        raise InvalidInput(
            problems=[Problem("images", "photos with some light in them", "all black")]
        )
    saturated = _saturated_fraction(stack)
    if saturated > 0.01:
        warnings.append(
            f"{100 * saturated:.1f} % of the pixel values are saturated: lower the exposure"
        )
    checked = check_photos(
        stack,
        directions,
        None if stated is None else stated / np.exp(np.log(stated).mean()),
        None if mask is None else mask_2d(mask),
        names=[light.image for light in lights.lights],
        encoding=encoding,
    )
    warnings.extend(checked.warnings)
    sample = checked.sample
    brightness = choose_brightness(sample, directions, stated, estimate=estimate_brightness)
    warnings.extend(brightness.warnings)
    total = brightness.intensities
    shine = fit_shine(directions * total[:, None], sample)
    if shine.exponent is not None:
        warnings.append(
            "skin shine detected: it is modelled and taken out of the normals, but depths of "
            "wide, shallow (rolling) scars may still be overestimated; wash and dry the skin "
            "or use crossed polarisers"
        )
    sample = checked.sample
    return SolveSetup(
        warnings=warnings,
        intensities=total,
        brightness=brightness,
        shine_exponent=shine.exponent,
        valid=checked.valid,
        noise_sample=sample if sample.shape[1] >= NOISE_MIN_PIXELS else None,
    )


def _saturated_fraction(stack: F32, level: float = 0.999) -> float:
    """Fraction of the stack's values at or above ``level``, counted in 1M-value chunks.

    Same number as ``(stack >= level).mean()`` without a full-size boolean temporary (large for
    a set of 12 MP photos, and slower).
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


def mask_2d(mask: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    """A boolean H x W mask from any non-zero H x W or H x W x C array."""
    m = np.asarray(mask) > 0
    return np.asarray(m.any(axis=2) if m.ndim == 3 else m, dtype=bool)
