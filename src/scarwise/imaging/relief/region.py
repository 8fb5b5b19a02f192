"""The pixels a photo set is judged on: inside the mask, lit in every photo, never saturated.

Every estimate made from the photos themselves (the lights' brightness, the sheen, the checks
of the photos against the lights) is made on these pixels only. A dark background (79 % of a
real photo of an object on black cloth) holds no information about the lights, only noise; a
pixel in shadow under one light or clipped at white under another breaks the model the
estimates rely on. The same test is applied to a regular subsample of the full-size photos and
to the reduced stack the checks work on (:func:`reduce_stack`).
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

__all__ = [
    "BACKGROUND_FRACTION",
    "CHECK_PIXELS",
    "LIT_FRACTION",
    "SAMPLE_PIXELS",
    "SATURATED",
    "grid_step",
    "lit_columns",
    "reduce_mask",
    "reduce_stack",
    "region_sample",
]

F32 = npt.NDArray[np.float32]
Bool = npt.NDArray[np.bool_]

#: An observation below this fraction of the pixel's brightest one is in shadow.
LIT_FRACTION = 0.1
#: A pixel whose brightest observation is below this fraction of the set's bright level (the
#: 99th percentile of the brightest observations) is background, not skin (a dark cloth behind
#: an object still catches a little of each light, but not in the object's way).
BACKGROUND_FRACTION = 0.2
#: Linear values at or above this are clipped (saturated).
SATURATED = 0.99
#: Pixels of the reduced stack the checks work on (about 0.5 MP).
CHECK_PIXELS = 1 << 19
#: Pixels sampled from the region for the brightness and sheen estimates.
SAMPLE_PIXELS = 25_000


def lit_columns(obs: F32, inside: Bool | None = None) -> Bool:
    """Which columns of ``obs`` (``k x n`` linear values) are lit in every photo.

    Lit: every observation at least :data:`LIT_FRACTION` of the pixel's brightest, none
    saturated, and the brightest at least :data:`BACKGROUND_FRACTION` of the set's bright
    level; ``inside`` (n) limits the pixels considered (the mask).
    """
    top = obs.max(axis=0)
    low = obs.min(axis=0)
    ok = (low >= LIT_FRACTION * top) & (top < SATURATED) & (top > 0)
    if inside is not None:
        ok &= inside
    if ok.any():
        level = float(np.percentile(top[ok], 99))
        ok &= top >= BACKGROUND_FRACTION * level
    return np.asarray(ok, dtype=bool)


def grid_step(n_px: int, max_pixels: int = SAMPLE_PIXELS) -> int:
    """Step of the regular grid of pixels (every n-th, in row order) the region is sampled from:
    four times ``max_pixels`` grid pixels, so a region of a quarter of the photo still fills the
    sample."""
    return max(1, n_px // (4 * max_pixels))


def region_sample(
    stack: F32,
    inside: Bool | None = None,
    max_pixels: int = SAMPLE_PIXELS,
    *,
    step: int | None = None,
) -> tuple[F32, npt.NDArray[np.intp]]:
    """Up to ``max_pixels`` lit pixels of a ``k x H x W`` stack (``k x n``) and their flat indices.

    The pixels of the regular grid (every ``step``-th pixel, default :func:`grid_step`) inside
    ``inside`` that are lit (:func:`lit_columns`) are kept, thinned evenly to ``max_pixels``.
    """
    k = stack.shape[0]
    flat = stack.reshape(k, -1)
    step = grid_step(flat.shape[1], max_pixels) if step is None else step
    candidates = np.arange(0, flat.shape[1], step)
    if inside is not None:
        candidates = candidates[inside.reshape(-1)[candidates]]
    obs = np.ascontiguousarray(flat[:, candidates], dtype=np.float32)
    keep = lit_columns(obs)
    idx = candidates[keep]
    obs = obs[:, keep]
    if idx.size > max_pixels:
        thin = int(np.ceil(idx.size / max_pixels))
        idx, obs = idx[::thin], obs[:, ::thin]
    return np.ascontiguousarray(obs), idx


def reduce_stack(stack: F32, max_pixels: int = CHECK_PIXELS) -> tuple[F32, int]:
    """Block means of a ``k x H x W`` stack down to at most ``max_pixels`` per photo, and the factor.

    Block means keep the model: the mean of Lambertian pixels is Lambertian (their normals
    averaged), so the checks read the reduced photos like the full ones.
    """
    k, h, w = stack.shape
    f = max(1, int(np.ceil(np.sqrt(h * w / max_pixels))))
    if f == 1:
        return stack, 1
    hs, ws = h // f, w // f
    out = np.empty((k, hs, ws), dtype=np.float32)
    for i in range(k):
        out[i] = cv2.resize(stack[i, : hs * f, : ws * f], (ws, hs), interpolation=cv2.INTER_AREA)
    return out, f


def reduce_mask(mask: npt.NDArray[Any] | None, factor: int, shape: tuple[int, int]) -> Bool | None:
    """A boolean mask reduced like :func:`reduce_stack` (a block is inside when mostly inside)."""
    if mask is None:
        return None
    m = np.asarray(mask, dtype=np.float32)
    if factor == 1:
        return m > 0.5
    hs, ws = shape
    small = cv2.resize(m[: hs * factor, : ws * factor], (ws, hs), interpolation=cv2.INTER_AREA)
    return np.asarray(small > 0.5, dtype=bool)
