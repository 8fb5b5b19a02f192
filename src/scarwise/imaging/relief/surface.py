"""The first smooth surrounding skin surface of a whole patch, which proposes scar candidates.

A robust global polynomial plus a masked Gaussian, fitted on a grid of block means and
iterated so that depressions do not pull the surface down. Every scar is then measured against
its own ring-fitted quadratic (:mod:`~scarwise.imaging.relief.ring_fit`), so this surface only
has to be good enough to find candidates.
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from scarwise.imaging.relief.smoothing import gaussian_kernel

__all__ = ["least_squares", "poly_basis", "surrounding_surface"]

F32 = npt.NDArray[np.float32]
Bool = npt.NDArray[np.bool_]


def least_squares(a: npt.NDArray[np.floating], b: npt.NDArray[np.floating]) -> F32:
    """Least squares for a tall, well-scaled basis via the normal equations (float64).

    ``a`` and ``b`` may already be float64 (a fit repeated on subsets converts them once).
    """
    a64 = a.astype(np.float64, copy=False)
    b64 = b.astype(np.float64, copy=False)
    ata = a64.T @ a64
    atb = a64.T @ b64
    try:
        coef = np.linalg.solve(ata, atb)
    except np.linalg.LinAlgError:
        coef = np.linalg.lstsq(a64, b64, rcond=None)[0]
    return np.asarray(coef, dtype=np.float32)


def poly_basis(x: F32, y: F32, degree: int) -> F32:
    """Columns ``x**i * y**j`` (``i + j <= degree``; i outer, j inner) of a polynomial fit."""
    x_pow, y_pow = [np.ones_like(x), x], [np.ones_like(y), y]
    for _ in range(2, degree + 1):  # repeated products: much faster than float powers
        x_pow.append(x_pow[-1] * x)
        y_pow.append(y_pow[-1] * y)
    out = np.empty((*x.shape, (degree + 1) * (degree + 2) // 2), dtype=np.float32)
    k = 0
    for i in range(degree + 1):
        for j in range(degree + 1 - i):
            np.multiply(x_pow[i], y_pow[j], out=out[..., k])
            k += 1
    return out


def _poly_on_grid(coef: F32, xs: F32, ys: F32, degree: int) -> F32:
    """The polynomial of :func:`poly_basis` coefficients on the grid ``ys x xs`` (broadcast)."""
    out = np.zeros((ys.size, xs.size), dtype=np.float32)
    k = 0
    x_pow = np.ones(xs.size, dtype=np.float32)
    for i in range(degree + 1):
        col = np.zeros(ys.size, dtype=np.float32)
        y_pow = np.ones(ys.size, dtype=np.float32)
        for _j in range(degree + 1 - i):
            col += np.float32(coef[k]) * y_pow
            y_pow = y_pow * ys
            k += 1
        out += col[:, None] * x_pow[None, :]
        x_pow = x_pow * xs
    return out


def _block_mean(image: F32, f: int, hs: int, ws: int) -> F32:
    """Means of ``f x f`` blocks (the top-left ``hs*f x ws*f`` of ``image``), float32."""
    if f == 1:
        return np.array(image[:hs, :ws], dtype=np.float32)
    out = cv2.resize(image[: hs * f, : ws * f], (ws, hs), interpolation=cv2.INTER_AREA)
    return np.asarray(out, dtype=np.float32)


def surrounding_surface(
    height_mm: F32,
    pixel_mm: float,
    mask: Bool | None = None,
    *,
    scale_mm: float = 1.5,
    rounds: int = 6,
) -> F32:
    """A first smooth surrounding surface for the whole patch (for detection).

    Works on a grid of block means about ``scale_mm / 7.5`` across (0.2 mm by default, so the
    Gaussian has about 60 taps): a robust global cubic removes the large-scale curvature, then
    a masked (normalised) Gaussian of width ``scale_mm`` follows what is left; cells more than
    a noise-scaled margin below the surface (and about 0.2 mm around them) are masked and the
    fit repeated, so depressions do not pull the surface down. Returned at full resolution
    (bilinear). The grid only needs to resolve a surface smoothed over millimetres: this surface
    only proposes candidates, and every scar is measured against its own ring-fitted quadratic
    (a finer grid costs several times the time for the same held-out validation,
    ``docs/validation-3d.md``).
    """
    h, w = height_mm.shape
    f = max(1, round(scale_mm / 7.5 / pixel_mm))
    hs, ws = h // f, w // f
    if hs < 8 or ws < 8:
        f, hs, ws = 1, h, w
    # block means (cv2's area resampling is exactly that for a whole factor, and fast)
    small = _block_mean(height_mm.astype(np.float32, copy=False), f, hs, ws)
    ok = np.ones((hs, ws), bool)
    if mask is not None:
        ok = _block_mean(mask.astype(np.float32), f, hs, ws) > 0.5
    xs = (np.arange(ws, dtype=np.float32) - ws / 2) / max(ws, hs)
    ys = (np.arange(hs, dtype=np.float32) - hs / 2) / max(ws, hs)
    kernel = gaussian_kernel(scale_mm / (pixel_mm * f))
    cross = cv2.getStructuringElement(cv2.MORPH_CROSS, (3, 3))
    grow = max(1, round(0.2 / (pixel_mm * f)))  # cells: a 0.2 mm margin around masked cells
    keep = ok.copy()
    surface = small.copy()
    # the cubic's basis on every cell, once (each round fits on the rows of the cells it keeps)
    basis = poly_basis(np.tile(xs, hs), np.repeat(ys, ws), 3).astype(np.float64)
    for _ in range(rounds):
        rows_fit = np.flatnonzero(keep.ravel())[:: max(1, int(keep.sum()) // 20_000)]
        coef = least_squares(basis[rows_fit], small.ravel()[rows_fit])
        poly = _poly_on_grid(coef, xs, ys, 3)
        # masked (normalised) Gaussian of what the polynomial leaves (ndimage's kernel and
        # "nearest" border; cv2's float32 filter is several times faster)
        rest = np.where(keep, small - poly, 0.0).astype(np.float32)
        num = cv2.sepFilter2D(rest, -1, kernel, kernel, borderType=cv2.BORDER_REPLICATE)
        den = cv2.sepFilter2D(
            keep.astype(np.float32), -1, kernel, kernel, borderType=cv2.BORDER_REPLICATE
        )
        surface = (poly + num / np.maximum(den, np.float32(1e-3))).astype(np.float32)
        resid = surface - small
        spread = float(1.4826 * np.median(np.abs(resid[keep]))) if keep.any() else 0.0
        new_keep = ok & (resid < max(0.01, 3.0 * spread)) & (resid > -max(0.05, 6.0 * spread))
        lost = (~new_keep & ok).view(np.uint8)
        new_keep = ok & ~cv2.dilate(lost, cross, iterations=grow).view(bool)  # as binary_dilation
        if new_keep.sum() < 0.2 * ok.sum() or np.array_equal(new_keep, keep):
            break
        keep = new_keep
    return _upsample(surface, f, (h, w))


def _upsample(small: F32, f: int, shape: tuple[int, int]) -> F32:
    """``small`` resized bilinearly by ``f``, the rows and columns beyond repeated to ``shape``.

    Same values as ``np.pad(cv2.resize(...), mode="edge")``; resizing into the full-size array
    saves a second full-size copy (and its page faults).
    """
    hs, ws = small.shape
    full = np.empty(shape, dtype=np.float32)
    inner = full[: hs * f, : ws * f]
    cv2.resize(small, (ws * f, hs * f), dst=inner, interpolation=cv2.INTER_LINEAR)
    full[hs * f :, : ws * f] = inner[-1]
    full[:, ws * f :] = full[:, ws * f - 1 : ws * f]
    return full
