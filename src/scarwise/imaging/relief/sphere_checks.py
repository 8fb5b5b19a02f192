"""Do photos of a calibration sphere look like the sphere the user described?

``lights calibrate`` turns the highlight on a chrome sphere (or the shading of a matte one)
into light directions through the sphere's centre and radius; a centre 30 pixels off turns
every direction by tens of degrees, photos of something else give directions from nothing,
and a chrome ball read as matte (or the reverse) gives nonsense. Three checks, each on what the
photos themselves show:

* **Outline** (:func:`find_outline`): the circle along which the photos' mean brightness
  changes most sharply (in log scale, so a dark mirror ball's faint rim counts), searched
  around the given one. A clearly sharper circle elsewhere means the centre or radius is wrong.
* **Highlight** (:func:`highlight_spots`): a mirror sphere under one small light shows one
  small, bright spot inside the sphere; a matte sphere a broad lit side; anything else spots
  that are neither.
* **Cosine law** (:func:`cosine_misfit`): a matte sphere's brightness follows ``l · n``; the
  relative misfit of the best ``l`` is the matte fit's residual.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt
from scipy import ndimage as ndi

__all__ = [
    "BROAD_SPOT",
    "MATTE_MISFIT",
    "OUTLINE_SHARPER",
    "Outline",
    "Spot",
    "cosine_misfit",
    "find_outline",
    "highlight_spots",
]

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]

#: A circle this much sharper than the given one (mean radial log-brightness step) is the
#: sphere's real outline.
OUTLINE_SHARPER = 1.3
#: The outline must be this many times sharper than the photo's typical edge to be seen at all.
OUTLINE_VISIBLE = 2.0
#: ... and show a log-brightness step of at least this much per pixel (about 2 %).
OUTLINE_FLOOR = 0.02
#: A highlight covering more than this share of the sphere's disc is broad (a matte sphere's
#: lit side, not a mirror's reflection of a small light).
BROAD_SPOT = 0.05
#: A matte sphere's photos follow the cosine law to within this relative misfit.
MATTE_MISFIT = 0.25
#: A mirror ball's disc is darker than this share of its highlight (median).
MIRROR_BACKGROUND = 0.3
#: A mirror ball's highlight of a light in front of it lies within this share of the radius
#: (sin 45 degrees, plus a margin).
MIRROR_RADIUS = 0.8
#: Brightness threshold of a highlight, as a share of the brightest pixel on the sphere.
SPOT_LEVEL = 0.9


@dataclass(frozen=True)
class Outline:
    """The sharpest circle near the given one, and how sharp both are.

    ``circle`` is (x, y, r) in pixels; ``sharpness`` and ``given_sharpness`` are the mean
    radial log-brightness steps along it and along the given circle; ``typical`` is the photo's
    median edge strength (for visibility).
    """

    circle: tuple[float, float, float]
    sharpness: float
    given_sharpness: float
    typical: float

    @property
    def visible(self) -> bool:
        """Whether the photos show an outline at all."""
        return self.sharpness > max(OUTLINE_VISIBLE * self.typical, OUTLINE_FLOOR)

    def moved(self, given: tuple[float, float, float]) -> bool:
        """Whether the outline found is clearly somewhere else than ``given``."""
        x, y, r = self.circle
        gx, gy, gr = given
        far = max(np.hypot(x - gx, y - gy), abs(r - gr)) > max(2.0, 0.04 * gr)
        return bool(
            far and self.visible and self.sharpness > OUTLINE_SHARPER * self.given_sharpness
        )


@dataclass(frozen=True)
class Spot:
    """The brightest part of one photo of the sphere: its share of the disc, its distance from
    the centre (in radii), the blobs it falls into, and the disc's median brightness relative
    to the spot's (a mirror ball is dark around its highlight)."""

    share: float
    radius: float
    blobs: int
    background: float

    @property
    def mirror_like(self) -> bool:
        """One or two small blobs, much brighter than the rest of the disc, in front of it."""
        return (
            1 <= self.blobs <= 2
            and self.share < BROAD_SPOT
            and self.background < MIRROR_BACKGROUND
            and self.radius < MIRROR_RADIUS
        )


def _edges(images: Sequence[npt.NDArray[np.floating]]) -> tuple[F32, F32]:
    """Column and row derivatives of the log of the photos' mean brightness (smoothed)."""
    mean = np.mean([np.asarray(im, dtype=np.float32) for im in images], axis=0)
    top = float(np.percentile(mean, 99.9)) or 1.0
    logged = np.log(np.float32(1e-3) + mean / np.float32(top)).astype(np.float32)
    logged = cv2.GaussianBlur(logged, (0, 0), 1.0)
    gx = cv2.Sobel(logged, cv2.CV_32F, 1, 0, ksize=3) / np.float32(8.0)
    gy = cv2.Sobel(logged, cv2.CV_32F, 0, 1, ksize=3) / np.float32(8.0)
    return gx, gy


def _sharpness(gx: F32, gy: F32, x: float, y: float, r: float, angles: F64) -> float:
    """Median absolute radial derivative along a circle."""
    c, s = np.cos(angles), np.sin(angles)
    px, py = x + r * c, y + r * s
    h, w = gx.shape
    ok = (px >= 0) & (px <= w - 1) & (py >= 0) & (py <= h - 1)
    if ok.sum() < 0.5 * angles.size:
        return 0.0
    coords = np.stack([py[ok], px[ok]])
    dx = ndi.map_coordinates(gx, coords, order=1)
    dy = ndi.map_coordinates(gy, coords, order=1)
    # the median: an outline runs all around, a highlight crossing the circle does not count
    return float(np.median(np.abs(dx * c[ok] + dy * s[ok])))


def find_outline(
    images: Sequence[npt.NDArray[np.floating]], given: tuple[float, float, float]
) -> Outline:
    """The sharpest circle within a third of a radius (centre) and a quarter (radius) of the
    given one, by a coarse search refined twice."""
    gx, gy = _edges(images)
    x0, y0, r0 = given
    angles = np.linspace(0.0, 2 * np.pi, max(90, int(2 * np.pi * r0 / 2)), endpoint=False)
    given_sharp = _sharpness(gx, gy, x0, y0, r0, angles)
    best = (given_sharp, x0, y0, r0)
    span_c, span_r, step = r0 / 3.0, r0 / 4.0, max(1.0, r0 / 20.0)
    for _level in range(3):
        _s, bx, by, br = best
        for x in np.arange(bx - span_c, bx + span_c + 1e-9, step):
            for y in np.arange(by - span_c, by + span_c + 1e-9, step):
                for r in np.arange(max(br - span_r, 3.0), br + span_r + 1e-9, step):
                    sharp = _sharpness(gx, gy, x, y, r, angles)
                    if sharp > best[0]:
                        best = (sharp, float(x), float(y), float(r))
        span_c, span_r, step = 2 * step, 2 * step, max(step / 4.0, 0.25)
    typical = float(np.median(np.hypot(gx, gy)))
    sharp, x, y, r = best
    return Outline((x, y, r), sharp, given_sharp, typical)


def highlight_spots(
    images: Sequence[npt.NDArray[np.floating]], inside: Bool, radius_px: F64
) -> list[Spot]:
    """The brightest part of each photo inside the sphere's disc (``inside``; ``radius_px`` is
    each pixel's distance from the centre in radii)."""
    spots = []
    disc = max(int(inside.sum()), 1)
    for im in images:
        v = np.where(inside, np.asarray(im, dtype=np.float64), 0.0)
        top = float(v.max())
        if top <= 0:
            spots.append(Spot(1.0, 1.0, 0, 1.0))
            continue
        spot = v >= SPOT_LEVEL * top
        _labels, blobs = ndi.label(spot)
        w = v * spot
        where = float((radius_px * w).sum() / w.sum())
        background = float(np.median(v[inside])) / top
        spots.append(Spot(float(spot.sum()) / disc, where, int(blobs), background))
    return spots


def cosine_misfit(image: npt.NDArray[np.floating], inside: Bool, normals: F64) -> float:
    """Relative RMS misfit of the best cosine-law fit ``I = l · n`` over the lit part of the disc."""
    v = np.asarray(image, dtype=np.float64)
    top = float(np.where(inside, v, 0.0).max())
    lit = inside & (v > 0.05 * top)
    if int(lit.sum()) < 10:
        return 1.0
    a = normals[:, lit].T
    b = v[lit]
    light, *_ = np.linalg.lstsq(a, b, rcond=None)
    resid = b - a @ light
    return float(np.sqrt(np.mean(resid * resid)) / max(float(np.sqrt(np.mean(b * b))), 1e-12))
