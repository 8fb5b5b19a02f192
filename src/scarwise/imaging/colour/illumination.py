"""Light across a skin photo: the smooth illumination field, and grey-card calibration.

Both divide the light out of the skin's colour: the field evens out shading across the region,
the grey card sets exposure and white balance.
"""

from __future__ import annotations

from typing import Final

import cv2
import numpy as np
from numpy.typing import NDArray

__all__ = ["GREY_CARD_REFLECTANCE", "apply_grey_card", "illumination_field"]

#: Linear reflectance of an 18 % grey card, the reference a marked card is scaled to [V: the
#: standard photographic mid-grey].
GREY_CARD_REFLECTANCE: Final = 0.18


def illumination_field(
    luminance: NDArray[np.floating],
    mask: NDArray[np.bool_],
    *,
    degree: int = 3,
    grid: int = 96,
    normalise_over: NDArray[np.bool_] | None = None,
) -> NDArray[np.float32]:
    """The smooth illumination across a region, normalised to mean 1 over ``normalise_over``
    (default ``mask``): fitted on ``mask`` (clean skin), normalised over the whole analysed
    region as contracts/imaging.md defines it.

    A robust least-squares polynomial of ``degree`` in x and y is fitted to log luminance over the
    masked pixels (block means on a ``grid x grid`` raster, Tukey-biweight re-weighting so marks
    and hairs that slipped through do not pull it). A polynomial rather than a wide blur keeps
    one-sided lighting gradients exact up to the image border [M: standard flat-field practice].

    Returns
    -------
    ndarray
        ``H x W`` float32 field with mean 1 over ``mask``.
    """
    h, w = luminance.shape
    gh, gw = (grid, max(2, round(grid * w / h))) if h >= w else (max(2, round(grid * h / w)), grid)
    logy = np.log(np.clip(luminance, 1e-4, None)).astype(np.float32)
    m = mask.astype(np.float32)
    sum_v = cv2.resize(logy * m, (gw, gh), interpolation=cv2.INTER_AREA)
    sum_m = cv2.resize(m, (gw, gh), interpolation=cv2.INTER_AREA)
    ok = sum_m > 0.25
    if ok.sum() < 12:
        return np.ones((h, w), dtype=np.float32)
    vals = sum_v[ok] / sum_m[ok]
    wts = sum_m[ok]
    gy, gx = np.nonzero(ok)
    u = (gx + 0.5) / gw * 2 - 1
    v = (gy + 0.5) / gh * 2 - 1
    terms = [(i, j) for i in range(degree + 1) for j in range(degree + 1 - i)]
    design = np.stack([u**i * v**j for i, j in terms], axis=1)
    robust = np.ones_like(vals)
    coef = np.zeros(len(terms))
    for _ in range(4):
        wr = wts * robust
        normal = design.T @ (design * wr[:, None]) + 1e-9 * np.eye(len(terms))
        coef = np.linalg.solve(normal, design.T @ (vals * wr))
        resid = vals - design @ coef
        scale = 1.4826 * np.median(np.abs(resid)) + 1e-6
        r = resid / (4.685 * scale)
        robust = np.where(np.abs(r) < 1, (1 - r**2) ** 2, 0.0)
    # Evaluate on a coarse raster and resize: the field is smooth by construction.
    eh, ew = min(h, 256), min(w, 256)
    uu = (np.arange(ew) + 0.5) / ew * 2 - 1
    vv = (np.arange(eh) + 0.5) / eh * 2 - 1
    U, V = np.meshgrid(uu, vv)
    field_small = np.zeros((eh, ew))
    for c, (i, j) in zip(coef, terms, strict=True):
        field_small += c * U**i * V**j
    # Outside the fitted pixels a polynomial can run away: clamp to the range it was fitted on.
    field_small = np.clip(field_small, float(vals.min()) - 0.3, float(vals.max()) + 0.3)
    field = cv2.resize(
        np.exp(field_small).astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR
    )
    over = mask if normalise_over is None else normalise_over
    mean = float(field[over].mean()) if over.any() else float(field.mean())
    return np.asarray(field / mean, dtype=np.float32)


def apply_grey_card(
    linear: NDArray[np.float32], box: tuple[int, int, int, int]
) -> tuple[NDArray[np.float32], NDArray[np.float64]]:
    """Scale each linear channel so the marked grey card reads 18 % neutral grey.

    This corrects exposure and white balance (a diagonal, von Kries-type correction) [M].

    Parameters
    ----------
    linear
        ``H x W x 3`` linear RGB.
    box
        ``(x, y, width, height)`` of the card in pixels.

    Returns
    -------
    corrected, gains
        The corrected image and the three channel gains.
    """
    x, y, bw, bh = box
    patch = linear[y : y + bh, x : x + bw].reshape(-1, 3)
    medians = np.median(patch, axis=0).astype(np.float64)
    gains = GREY_CARD_REFLECTANCE / np.clip(medians, 1e-4, None)
    return np.asarray(linear * gains.astype(np.float32), dtype=np.float32), gains
