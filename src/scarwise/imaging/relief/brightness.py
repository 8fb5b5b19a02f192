"""Which brightness each light is given: the stated one, an estimate, or equal.

Photometric stereo needs every light's brightness as well as its direction (an error of a few
per cent tilts the normals by degrees when the lights are bunched near the camera). The lights
file may state them; a torch's battery or an unstated set-up may not. The estimate from the
photos themselves (:func:`~scarwise.imaging.relief.photometric_stereo.estimate_light_intensities`,
on the pixels lit in every photo inside the mask) is exact on photos that follow the model, but
on real photos the model is never exact: a light's direction off by a degree, a non-Lambertian
patch or a sheen are partly explained by changing the brightnesses, and with bunched lights
that "explanation" can move them by 15 % and the normals by 10 degrees or more (a real matte
sphere under 12 lights of equal power).

So an estimate is used only when the photos clearly need it: when it explains most of the
misfit of the photos with the lights (:data:`MIN_SUPPORT`: the misfit with the stated or equal
brightnesses at least that many times the misfit with the estimate). Stated brightnesses are
used as given unless an estimate is asked for; an estimate that clearly disagrees with them is
reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from scarwise.imaging.relief.photometric_stereo import estimate_light_intensities

__all__ = [
    "DISAGREE",
    "MIN_SAMPLE",
    "MIN_SUPPORT",
    "Brightness",
    "choose_brightness",
    "light_misfit",
]

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]

#: The misfit with the stated (or equal) brightnesses must be this many times the misfit with
#: the estimate before the estimate is used (or reported as disagreeing with stated ones).
MIN_SUPPORT = 2.5
#: A supported estimate this far (relative) from the stated brightness of some light is reported.
DISAGREE = 0.15
#: Fewest lit pixels an estimate is made from.
MIN_SAMPLE = 200
#: Share of the pixels (the worst-fitting ones: highlights, shadows' edges) left out of the misfit.
MISFIT_TRIM = 0.1


@dataclass(frozen=True)
class Brightness:
    """The lights' relative brightnesses (geometric mean 1) used, and how they were chosen.

    Attributes
    ----------
    intensities
        Used by the solver, one per light.
    source
        ``stated`` (the lights file's), ``estimated`` (from the photos) or ``equal``.
    estimate
        The estimate from the photos (None when not made: fewer than 4 lights, too few lit
        pixels, or not needed).
    support
        Misfit with the stated (or equal) brightnesses over the misfit with the estimate (1 when
        no estimate was made).
    warnings
        What the user should know.
    """

    intensities: F64
    source: Literal["stated", "estimated", "equal"]
    estimate: F64 | None = None
    support: float = 1.0
    warnings: tuple[str, ...] = field(default=())


def _relative(values: npt.ArrayLike) -> F64:
    v = np.asarray(values, dtype=np.float64)
    return np.asarray(v / np.exp(np.log(v).mean()), dtype=np.float64)


def light_misfit(sample: F32, directions: npt.ArrayLike, intensities: npt.ArrayLike) -> float:
    """Mean squared relative residual of per-pixel least squares under the given lights.

    ``sample`` is ``k x n`` (pixels lit in every photo); each pixel's residual is relative to its
    own brightness, and the worst-fitting :data:`MISFIT_TRIM` of the pixels are left out.
    """
    d = np.asarray(directions, dtype=np.float64)
    lights = d / np.linalg.norm(d, axis=1, keepdims=True)
    lights = lights * np.asarray(intensities, dtype=np.float64)[:, None]
    x = np.asarray(sample, dtype=np.float64)
    x = x / np.maximum(np.linalg.norm(x, axis=0), 1e-12)
    resid = x - lights @ (np.linalg.pinv(lights) @ x)
    per_pixel = (resid * resid).sum(axis=0)
    if per_pixel.size == 0:
        return 0.0
    cut = np.quantile(per_pixel, 1.0 - MISFIT_TRIM)
    return float(per_pixel[per_pixel <= cut].mean())


def choose_brightness(
    sample: F32,
    directions: npt.ArrayLike,
    stated: npt.ArrayLike | None,
    *,
    diffuse: F32 | None = None,
    estimate: bool | None = None,
) -> Brightness:
    """The brightnesses to solve with, from the lights file and the photos.

    Parameters
    ----------
    sample
        ``k x n`` linear luminance of pixels lit in every photo (inside the mask).
    directions
        ``k x 3`` light directions.
    stated
        The lights file's brightnesses (None when none is stated).
    diffuse
        The same pixels' specular-free signal (colour photos), preferred for the estimate.
    estimate
        True: use an estimate (relative to the stated brightnesses) whatever its support; None:
        stated ones as given, else an estimate when the photos support it (:data:`MIN_SUPPORT`),
        else equal; False: never estimate.
    """
    d = np.asarray(directions, dtype=np.float64)
    k = d.shape[0]
    prior = np.ones(k) if stated is None else _relative(stated)
    source: Literal["stated", "equal"] = "equal" if stated is None else "stated"
    signal = diffuse if diffuse is not None else sample
    if estimate is False:
        return Brightness(prior, source)
    if k < 4:
        note = (
            "3 lights: brightness differences between the lights cannot be estimated; "
            "use 4-8 lights for reliable depths"
        )
        return Brightness(prior, source, warnings=(note,) if stated is None or estimate else ())
    if signal.shape[1] < MIN_SAMPLE:
        note = (
            "too few pixels are lit in every photo to check the lights' brightness: "
            "check the mask and the exposure"
        )
        return Brightness(prior, source, warnings=(note,))
    est = _relative(
        prior * estimate_light_intensities(signal, d, stated=prior, rounds=4, trim=True)
    )
    support = light_misfit(signal, d, prior) / max(light_misfit(signal, d, est), 1e-12)
    warnings: list[str] = []
    worst = int(np.argmax(np.abs(np.log(est / prior))))
    off = float(est[worst] / prior[worst] - 1.0)
    if estimate:
        if support < MIN_SUPPORT:
            warnings.append(
                "the photos hardly support the brightness estimate (it explains little of "
                "their misfit with the lights): state the lights' intensities instead"
            )
        chosen, used = est, "estimated"
    elif stated is not None:
        if support >= MIN_SUPPORT and abs(off) > DISAGREE:
            warnings.append(
                f"the photos' brightness differs from the stated intensity of light {worst} by "
                f"{100 * off:+.0f} %: check the lights file and the exposure, or estimate "
                "the brightness from the photos (--estimate-brightness)"
            )
        chosen, used = prior, "stated"
    elif support >= MIN_SUPPORT:
        chosen, used = est, "estimated"
    else:
        chosen, used = prior, "equal"
    if used == "estimated" and float(np.max(np.abs(np.log(chosen / prior)))) > np.log(1.3):
        warnings.append(
            "the lights' brightness differs by more than 30 % from what was stated: "
            "check the lights file and the exposure"
        )
    return Brightness(
        chosen,
        used,  # type: ignore[arg-type]
        estimate=est,
        support=float(support),
        warnings=tuple(warnings),
    )
