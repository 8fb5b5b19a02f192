"""Do the photos fit the lights as given? Axis conventions and the order of the lights.

Two independent tests, each comparing the lights as given with the alternatives a user is
likely to have given instead:

* **Axes** (:func:`axes_warning`). Lights whose x-y components are mirrored (y pointing up, the
  usual convention of published data sets; x pointing left; x and y swapped) or turned about the
  camera's axis give normals whose slopes are not the gradient of any surface: the field's curl,
  zero for a real surface, becomes ``sin θ`` times its Laplacian for a turn by ``θ`` and a mix
  of its mixed and unmixed second derivatives for a mirror (Frankot & Chellappa's
  integrability). The curl is measured for every turn and mirror of the slopes (five-degree
  steps) and compared with the curl of the lights as given. Turning by 180 degrees (x and y
  both reversed) keeps a field integrable: it turns the surface inside out, which the shape
  decides instead (skin, a face or a sphere bulge towards the camera; an object's outline has
  its normals pointing outwards).
* **Order** (:func:`order_warning`). The photos of a Lambertian surface span a 3-dimensional
  space of light vectors (Hayakawa 1994); lights given in another order than the photos lie
  outside it. The share of the lights outside it (with each light's brightness free) is compared
  with what reordering achieves: swapping lights in turn while that helps, and the order the
  file names sort in naturally when the photos were listed sorted as text (``x.10`` before
  ``x.2``).

References
----------
Frankot RT, Chellappa R. A method for enforcing integrability in shape from shading
algorithms. IEEE TPAMI 1988;10(4):439-51. doi:10.1109/34.3909 [M]
Hayakawa H. Photometric stereo under a light source with arbitrary motion. J Opt Soc Am A
1994;11(11):3079-89. doi:10.1364/JOSAA.11.003079 [M]
Belhumeur PN, Kriegman DJ, Yuille AL. The bas-relief ambiguity. IJCV 1999;35(1):33-44 (the
convex/concave ambiguity) [M]
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

__all__ = [
    "AXES_RATIO",
    "ORDER_MISFIT",
    "ORDER_RATIO",
    "AxesFit",
    "axes_fit",
    "axes_warning",
    "lights_outside",
    "order_warning",
]

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]

#: A turn or mirror of the lights is reported when its curl is below this share of the given
#: lights' curl.
AXES_RATIO = 0.6
#: The shape decides convex against concave when the slopes change by this much (radians,
#: about 6 degrees) across the analysed region.
POLARITY_MIN = 0.1
#: Lights with more than this share outside the photos' light space may be in the wrong order.
ORDER_MISFIT = 0.002
#: ... when reordering them brings the share down by this factor.
ORDER_RATIO = 2.5
#: Largest light count the reordering search runs for (its cost grows as the cube).
ORDER_SEARCH_MAX = 24
#: Fewest usable pixels the axes test needs.
MIN_PIXELS = 500


@dataclass(frozen=True)
class AxesFit:
    """The turn or mirror of the lights' x-y components that fits the photos best.

    Attributes
    ----------
    kind
        ``given`` (the lights as given fit best), ``turn`` or ``mirror``.
    angle_deg
        The turn's angle, or the mirror axis's angle from the x axis (degrees).
    ratio
        Its curl over the given lights' curl (1 for ``given``).
    convex
        True when the surface bulges towards the camera under the chosen axes, False when it is
        hollow, None when the shape does not tell.
    """

    kind: str
    angle_deg: float
    ratio: float
    convex: bool | None


def _smooth(values: F32, weight: F32, sigma: float) -> F32:
    """Normalised Gaussian smoothing of ``values`` where ``weight`` is 1."""
    k = int(4 * sigma + 0.5) * 2 + 1
    num = cv2.GaussianBlur(values * weight, (k, k), sigma, borderType=cv2.BORDER_REPLICATE)
    den = cv2.GaussianBlur(weight, (k, k), sigma, borderType=cv2.BORDER_REPLICATE)
    return np.asarray(num / np.maximum(den, np.float32(1e-3)), dtype=np.float32)


def _slopes(small: F32, region: Bool, lights: F64) -> tuple[F32, F32, F32, F32, Bool]:
    """Plain least-squares ``g`` on the reduced stack; slopes and the pixels they are valid on."""
    k, h, w = small.shape
    g = (np.linalg.pinv(lights).astype(np.float32) @ small.reshape(k, -1)).reshape(3, h, w)
    norm = np.sqrt((g * g).sum(axis=0))
    usable = region & (g[2] > 0.2 * norm) & (norm > 0)
    gz = np.where(usable, g[2], np.float32(1.0))
    weight = usable.astype(np.float32)
    p = _smooth(np.where(usable, -g[0] / gz, 0.0).astype(np.float32), weight, 1.0)
    q = _smooth(np.where(usable, -g[1] / gz, 0.0).astype(np.float32), weight, 1.0)
    inner = cv2.erode(usable.view(np.uint8), np.ones((5, 5), np.uint8)).view(bool)
    return p, q, g[0] / np.maximum(norm, 1e-9), g[1] / np.maximum(norm, 1e-9), inner


def _gradient(values: F32) -> tuple[F32, F32]:
    """Central differences along rows and columns (``np.gradient`` of a 2-D array)."""
    d_rows, d_cols = np.gradient(values)
    return np.asarray(d_rows, dtype=np.float32), np.asarray(d_cols, dtype=np.float32)


def _polarity(
    d_sum: float, area: int, region: Bool, nx: F32, ny: F32, boundary: bool
) -> bool | None:
    """Convex (True), hollow (False) or unknown (None) from the outline or the mean curvature.

    ``d_sum`` is the sum over the region of the slopes' divergence (the height's Laplacian:
    negative for a surface bulging towards the camera). When the region's outline is an
    occluding contour (``boundary`` and steep normals along it), the normals there must point
    outwards.
    """
    if boundary:
        dist = cv2.distanceTransform(region.view(np.uint8), cv2.DIST_L2, 3)
        band = region & (dist <= 4)
        if int(band.sum()) >= 50:
            gy, gx = np.gradient(dist)
            mag = np.maximum(np.hypot(gx, gy), 1e-6)
            outward_x, outward_y = -gx / mag, -gy / mag
            tilt = np.hypot(nx[band], ny[band])
            if float(tilt.mean()) > 0.4:
                along = float((nx[band] * outward_x[band] + ny[band] * outward_y[band]).mean())
                if abs(along) > 0.2:
                    return along > 0
    span = float(np.sqrt(area))
    change = -d_sum / max(area, 1) * span  # slope change across the region (radians)
    if abs(change) < POLARITY_MIN:
        return None
    return change > 0


def axes_fit(small: F32, region: Bool, lights: F64, *, boundary: bool = False) -> AxesFit | None:
    """The turn or mirror of the lights' x-y components under which the photos fit best.

    Parameters
    ----------
    small
        Reduced linear stack (``k x h x w``, :func:`~scarwise.imaging.relief.region.reduce_stack`).
    region
        Its pixels lit in every photo (inside the mask).
    lights
        ``k x 3`` light vectors, scaled by their brightness.
    boundary
        Whether the region's outline is the object's outline (a mask around an object on a
        background), so that the normals along it show which way the surface bulges.

    Returns
    -------
    AxesFit or None
        None when too few pixels are usable or the surface has too little shape to tell.
    """
    p, q, nx, ny, inner = _slopes(small, region, lights)
    n = int(inner.sum())
    if n < MIN_PIXELS:
        return None
    p_y, p_x = _gradient(p)
    q_y, q_x = _gradient(q)
    curl = (p_y - q_x)[inner]
    div = (p_x + q_y)[inner]
    mixed = (p_y + q_x)[inner]
    unmixed = (q_y - p_x)[inner]
    scale = float(np.sqrt(p_x * p_x + p_y * p_y + q_x * q_x + q_y * q_y)[inner].mean())
    if scale < 1e-6:
        return None
    given = float(np.abs(curl).mean()) / scale
    best = ("given", 0.0, given)
    for deg in range(5, 360, 5):
        t = np.deg2rad(deg)
        if abs(np.sin(t)) < np.sin(np.deg2rad(25)):
            continue  # near 0 or 180 degrees: integrability cannot tell
        score = float(np.abs(np.cos(t) * curl - np.sin(t) * div).mean()) / scale
        if score < best[2]:
            best = ("turn", float(deg), score)
    for deg in range(0, 180, 5):
        t = np.deg2rad(2 * deg)
        score = float(np.abs(np.cos(t) * mixed + np.sin(t) * unmixed).mean()) / scale
        if score < best[2]:
            best = ("mirror", float(deg), score)
    kind, angle, score = best
    ratio = score / given if given > 0 else 1.0
    if kind != "given" and ratio > AXES_RATIO:
        kind, angle, ratio = "given", 0.0, 1.0
    # the divergence (the height's Laplacian) under the chosen transform: a turn by t scales it
    # by cos t; a mirror leaves its value to the mirror's mixed terms, so the field is mirrored
    if kind == "turn":
        t = np.deg2rad(angle)
        d_sum = float((np.cos(t) * div + np.sin(t) * curl).sum())
        c, s = np.cos(t), np.sin(t)
        nx2, ny2 = c * nx - s * ny, s * nx + c * ny
    elif kind == "mirror":
        t = np.deg2rad(2 * angle)
        d_sum = float((np.cos(t) * (p_x - q_y) + np.sin(t) * (p_y + q_x))[inner].sum())
        c, s = np.cos(t), np.sin(t)
        nx2, ny2 = c * nx + s * ny, s * nx - c * ny
    else:
        d_sum = float(div.sum())
        nx2, ny2 = nx, ny
    convex = _polarity(d_sum, n, region, nx2, ny2, boundary)
    return AxesFit(kind, angle, ratio, convex)


def _mirror_name(angle: float) -> str:
    a = angle % 180
    if a < 10 or a > 170:
        return "y"
    if 80 < a < 100:
        return "x"
    if 35 < a < 55 or 125 < a < 145:
        return "swap"
    return f"{a:.0f}"


def axes_warning(fit: AxesFit | None) -> str | None:
    """What to tell the user about the lights' axes (None: nothing to tell)."""
    if fit is None:
        return None
    if fit.kind == "given":
        if fit.convex is False:
            return (
                "the surface comes out hollow (a bowl) where skin bulges towards the camera: "
                "the lights' x and y may both be reversed (negate both), unless the photographed "
                "area really is hollow"
            )
        return None
    how = f"(the photos fit {1 / max(fit.ratio, 1e-6):.1f} times better that way)"
    if fit.kind == "turn":
        return (
            f"the lights' directions seem turned by about {fit.angle_deg:.0f} degrees around "
            f"the camera's axis {how}: check the lights' order (each light must belong to its "
            "image) and their axes (x right, y down)"
        )
    axis = _mirror_name(fit.angle_deg)
    if fit.convex is False:  # the mirror about the perpendicular axis, with the shape kept
        axis = {"y": "x", "x": "y"}.get(axis, axis)
    if axis == "y":
        return (
            f"the lights seem to be given with y pointing up {how}: scarwise's y points down "
            "(image rows); negate the y component of every light direction"
        )
    if axis == "x":
        return (
            f"the lights seem to be given with x pointing left {how}: scarwise's x points "
            "right; negate the x component of every light direction"
        )
    if axis == "swap":
        return (
            f"the lights' x and y components seem swapped {how}: give them as [x, y, z] with "
            "x to the right and y down"
        )
    return (
        f"the lights' directions seem mirrored about the line at {axis} degrees from the x axis "
        f"{how}: check their axes (x right, y down, z towards the camera)"
    )


def lights_outside(unit_sample: F64, lights: F64) -> float:
    """Share of the lights outside the photos' 3-dimensional light space (brightness free).

    ``unit_sample`` is ``k x n`` with unit columns; the space is spanned by its three leading
    left singular vectors. The share is the smallest eigenvalue of ``P⊥ ∘ L̂ L̂ᵀ`` (``L̂`` the
    unit light directions): the misfit of the best brightnesses, with their squares summing
    to ``k``, relative to ``k``.
    """
    _w, vecs = np.linalg.eigh(unit_sample @ unit_sample.T)
    basis = vecs[:, -3:]
    return _outside(np.eye(lights.shape[0]) - basis @ basis.T, lights)


def _outside(perp: F64, lights: F64) -> float:
    unit = lights / np.linalg.norm(lights, axis=1, keepdims=True)
    return float(max(np.linalg.eigvalsh(perp * (unit @ unit.T))[0], 0.0))


def _natural_key(name: str) -> list[object]:
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", name)]


def _name_orders(names: Sequence[str | None]) -> list[tuple[str, npt.NDArray[np.intp]]]:
    """Light orders a user may have meant when the images were listed sorted as text."""
    if any(n is None for n in names) or len(set(names)) != len(names):
        return []
    text = [str(n) for n in names]
    natural = sorted(range(len(text)), key=lambda i: _natural_key(text[i]))
    if natural == list(range(len(text))):
        return []
    # image i has natural rank r_i: it should get the light at position r_i
    rank = np.empty(len(text), dtype=np.intp)
    rank[np.asarray(natural)] = np.arange(len(text))
    return [("natural", rank)]


def order_warning(
    sample: F32, lights: F64, names: Sequence[str | None] | None = None
) -> str | None:
    """What to tell the user when the photos do not fit the lights in the order given.

    ``sample`` is ``k x n`` (pixels lit in every photo), ``lights`` the ``k x 3`` directions in
    the order of the images, ``names`` the images' file names (for the natural-order test).
    """
    k = lights.shape[0]
    if k < 5 or sample.shape[1] < 50:
        return None  # 4 lights have one degree of freedom left: the order cannot be judged
    x = np.asarray(sample, dtype=np.float64)
    x = x / np.maximum(np.linalg.norm(x, axis=0), 1e-12)
    _w, vecs = np.linalg.eigh(x @ x.T)
    basis = vecs[:, -3:]
    perp = np.eye(k) - basis @ basis.T
    given = _outside(perp, lights)
    if given <= ORDER_MISFIT:
        return None
    for label, order in _name_orders(names or []):
        if _outside(perp, lights[order]) * ORDER_RATIO < given and label == "natural":
            return (
                "the photos fit the lights far better with the images in the natural order "
                "of their names (2 before 10): the images seem to be listed sorted as text; "
                "list them in the order of the lights, or name them in the lights file"
            )
    if k > ORDER_SEARCH_MAX:
        return None
    order = np.arange(k)
    best = given
    swaps: list[tuple[int, int]] = []
    for _step in range(k):
        found = None
        for i in range(k):
            for j in range(i + 1, k):
                trial = order.copy()
                trial[[i, j]] = trial[[j, i]]
                value = _outside(perp, lights[trial])
                if value < best:
                    best, found = value, (i, j)
        if found is None:
            break
        order[[found[0], found[1]]] = order[[found[1], found[0]]]
        swaps.append(found)
    if best * ORDER_RATIO >= given:
        return None
    if len(swaps) <= 2 and best <= ORDER_MISFIT:
        pairs = "; ".join(f"images[{i}] and images[{j}]" for i, j in swaps)
        return (
            f"the photos fit the lights far better with the lights of these images swapped: "
            f"{pairs}: check the order of the lights (each light must belong to its image)"
        )
    return (
        f"the photos do not fit the lights in the order given ({100 * given:.1f} % of the "
        f"lights lie outside what the photos show; reordering fits {given / best:.0f} times "
        "better): list the lights in the order of the images, or name the images in the "
        "lights file"
    )
