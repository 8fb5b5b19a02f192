"""Light directions measured on a sphere photographed in the same set-up, one photo per light.

The photos are first checked to show the sphere described (its outline at the given centre and
radius, one small highlight per photo on a mirror sphere, the cosine law on a matte one:
:mod:`~scarwise.imaging.relief.sphere_checks`), and the fit's residual is reported.

On a **chrome (mirror) sphere** the highlight is where the sphere's normal halves the angle
between the camera and the light, so ``l = 2 (n·v) n - v`` with ``v = (0, 0, 1)`` (orthographic
camera); on a **matte sphere** the lit pixels follow ``I = ρ (l·n)`` and ``l`` is their
least-squares fit (its length gives the relative brightness). Standard practice in photometric
stereo (e.g. Woodham 1980; Hertzmann & Seitz 2005 use a reference sphere) [M].
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath
from typing import Literal

import numpy as np
import numpy.typing as npt

from scarwise.errors import InvalidInput, Problem
from scarwise.imaging.relief.lights import check_light_geometry
from scarwise.imaging.relief.models import Light, LightsCalibration
from scarwise.imaging.relief.sphere_checks import (
    MATTE_MISFIT,
    SPOT_LEVEL,
    cosine_misfit,
    find_outline,
    highlight_spots,
)

__all__ = ["calibrate_lights_from_sphere"]


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
        Bad sphere geometry; photos whose sphere outline lies clearly elsewhere than the given
        centre and radius; for ``chrome``, a photo without one small bright highlight on a dark
        sphere; for ``matte``, a photo whose brightness does not follow the cosine law
        (:mod:`~scarwise.imaging.relief.sphere_checks`); directions that are degenerate.

    Notes
    -----
    The result reports the fit's residual per light: for ``chrome`` the highlight's spread as
    an uncertainty of the light's direction (twice the RMS angle of the highlight's normals
    from their mean, degrees), for ``matte`` the cosine-law misfit relative to the brightness.
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
    warnings: list[str] = []
    outline = find_outline(images, (cx, cy, r))
    if outline.moved((cx, cy, r)):
        x, y, rr = outline.circle
        problems.append(
            Problem(
                "sphere",
                "the centre and radius of the sphere in the photos (its outline is at about "
                f"{x:.0f},{y:.0f} with radius {rr:.0f} px: pass --sphere {x:.0f},{y:.0f},{rr:.0f})",
                f"{cx:g},{cy:g},{r:g}",
            )
        )
        raise InvalidInput(problems=problems)
    if not outline.visible:
        warnings.append(
            "the sphere's outline is not visible in the photos: its centre and radius could "
            "not be checked (light the background a little, or check them by eye)"
        )
    yy, xx = np.mgrid[0 : shape[0], 0 : shape[1]]
    radius = np.hypot(xx - cx, yy - cy) / r
    raw: list[npt.NDArray[np.float64]] = []
    residuals: list[float] = []
    spots = highlight_spots(images, inside, radius) if method == "chrome" else []
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
            residuals.append(float("nan"))
            continue
        if method == "chrome":
            if not spots[i].mirror_like:
                problems.append(
                    Problem(
                        f"images[{i}]",
                        "one small bright highlight on a dark mirror sphere (a matte sphere "
                        "needs --matte; anything else is not a calibration sphere)",
                        f"a bright area covering {100 * spots[i].share:.1f} % of the sphere in "
                        f"{spots[i].blobs} parts, the rest at "
                        f"{100 * spots[i].background:.0f} % of its brightness",
                    )
                )
            spot = v >= SPOT_LEVEL * top
            w = v * spot
            n = (normals * w).sum(axis=(1, 2)) / w.sum()
            n /= np.linalg.norm(n)
            light = 2.0 * n[2] * n - np.array([0.0, 0.0, 1.0])
            # the highlight's spread: the light's direction is twice the normal's
            cos = np.clip(np.tensordot(n, normals[:, spot], axes=1), -1.0, 1.0)
            residuals.append(float(2.0 * np.degrees(np.sqrt(np.mean(np.arccos(cos) ** 2)))))
        else:
            lit = inside & (v > 0.05 * top)
            a = normals[:, lit].T
            light, *_ = np.linalg.lstsq(a, v[lit], rcond=None)
            misfit = cosine_misfit(im, inside, normals)
            residuals.append(misfit)
            if misfit > MATTE_MISFIT:
                problems.append(
                    Problem(
                        f"images[{i}]",
                        "a matte sphere whose brightness follows the cosine law (a mirror "
                        "sphere needs no --matte)",
                        f"a misfit of {100 * misfit:.0f} % of its brightness",
                    )
                )
        raw.append(np.asarray(light, dtype=np.float64))
    if problems:
        raise InvalidInput(problems=problems)
    lengths = np.array([np.linalg.norm(x) for x in raw])
    rel = lengths / np.exp(np.log(lengths).mean()) if method == "matte" else None
    lights: list[Light] = []
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
    geometry = check_light_geometry([light.direction for light in lights])
    if geometry:
        raise InvalidInput(problems=geometry)
    if any(light.direction[2] < 0.5 for light in lights):
        warnings.append(
            "a light is more than 60 degrees from the camera axis: 25-35 degrees works best"
        )
    return LightsCalibration(
        method=method,
        sphere_px=(cx, cy, r),
        lights=lights,
        fit_residual=round(float(np.median(residuals)), 4),
        fit_residuals=[round(float(x), 4) for x in residuals],
        fit_residual_unit="deg" if method == "chrome" else "relative",
        outline_px=tuple(round(v, 1) for v in outline.circle) if outline.visible else None,
        warnings=warnings,
    )
