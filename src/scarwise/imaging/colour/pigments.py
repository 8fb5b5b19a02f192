"""Redness and pigment of skin: erythema and melanin indices, melanin and haemoglobin amounts.

Pure functions of linear RGB. Optical density ``-log(linear)`` is where melanin and haemoglobin
add up (Tsumura et al.), so the amounts are solved or separated there.
"""

from __future__ import annotations

from typing import Final

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "HAEMOGLOBIN_DENSITY",
    "MELANIN_DENSITY",
    "erythema_index",
    "melanin_index",
    "pigment_amounts",
    "separate_chromophores",
]

#: Optical-density direction of melanin and of haemoglobin in linear (R, G, B): melanin absorbs
#: more towards blue, haemoglobin peaks in green. Illustrative unit vectors, not camera
#: calibrated (research/image-methods.md §2.2, Tsumura et al. JOSA A 1999;16:2169-76) [M].
MELANIN_DENSITY: Final = np.array([0.42, 0.55, 0.72]) / np.linalg.norm([0.42, 0.55, 0.72])
HAEMOGLOBIN_DENSITY: Final = np.array([0.20, 0.80, 0.56]) / np.linalg.norm([0.20, 0.80, 0.56])


def erythema_index(linear: NDArray[np.floating]) -> NDArray[np.float64]:
    """Two-band erythema index ``log10(R / G)`` on linear RGB (``... x 3``).

    Shading-immune by construction (a scale factor cancels). This is the Diffey-type
    narrow-band meter form without its factor 100 (research/image-methods.md §2.3 [M]; Takiwaki,
    Skin Res Technol 1998 discusses EI/MI from reflectance [V abstract]).
    """
    lin = np.clip(np.asarray(linear, dtype=np.float64), 1e-4, None)
    return np.asarray(np.log10(lin[..., 0] / lin[..., 1]))


def melanin_index(linear: NDArray[np.floating]) -> NDArray[np.float64]:
    """Single-band melanin index ``log10(1 / R)`` on linear RGB (needs calibrated exposure).

    Same source and scale convention as :func:`erythema_index` [M].
    """
    lin = np.clip(np.asarray(linear, dtype=np.float64), 1e-4, None)
    return np.asarray(-np.log10(lin[..., 0]))


def pigment_amounts(
    density_excess: NDArray[np.floating],
    melanin: NDArray[np.floating] = MELANIN_DENSITY,
    haemoglobin: NDArray[np.floating] = HAEMOGLOBIN_DENSITY,
) -> NDArray[np.float32]:
    """Least-squares melanin and haemoglobin amounts for optical-density vectors (``... x 3``).

    Solves ``D = c_m * melanin + c_h * haemoglobin`` per pixel (Tsumura et al. ACM TOG 2003
    step 5 with known vectors, shading already removed by the caller) [M]. Returns ``... x 2``.
    """
    basis = np.stack([np.asarray(melanin), np.asarray(haemoglobin)], axis=1)  # 3 x 2
    pinv = np.linalg.pinv(basis).astype(np.float32)  # 2 x 3
    return np.asarray(np.asarray(density_excess, dtype=np.float32) @ pinv.T, dtype=np.float32)


def separate_chromophores(
    linear: NDArray[np.floating],
    mask: NDArray[np.bool_] | None = None,
    *,
    n_fit: int = 50_000,
    seed: int = 0,
) -> tuple[NDArray[np.float32], NDArray[np.float32], NDArray[np.float64]]:
    """Blind melanin / haemoglobin separation by 2-D ICA after removing shading (Tsumura-style).

    Optical density ``D = -log(linear)`` is projected onto the plane orthogonal to (1, 1, 1),
    which removes any intensity (shading) factor; the two remaining dimensions are whitened and
    rotated to maximal kurtosis; the two mixing columns are labelled melanin / haemoglobin by
    their closeness to :data:`MELANIN_DENSITY` / :data:`HAEMOGLOBIN_DENSITY`
    (research/image-methods.md §2.1, appendix A.3: r = 0.88 melanin, 0.93 haemoglobin on a
    synthetic patch) [T].

    Parameters
    ----------
    linear
        ``H x W x 3`` linear RGB.
    mask
        Pixels to fit the separation on (default: all).
    n_fit, seed
        Number of pixels sampled for the fit, and the sampling seed.

    Returns
    -------
    melanin, haemoglobin : ndarray
        ``H x W`` relative amounts (zero mean over the fitted pixels, unit variance after
        whitening, camera-specific scale).
    directions : ndarray
        ``2 x 2`` unit mixing columns in the shading-free plane (melanin first).

    References
    ----------
    Tsumura N, Haneishi H, Miyake Y. Independent-component analysis of skin color image. JOSA A
    1999;16(9):2169-76. Tsumura N et al. Image-based skin color and texture analysis/synthesis by
    extracting hemoglobin and melanin information in the skin. ACM TOG 2003;22(3):770-9 [V].
    """
    h, w = linear.shape[:2]
    dens = -np.log(np.clip(np.asarray(linear, dtype=np.float32), 1e-4, 1.0)).reshape(-1, 3)
    plane = np.stack([np.array([1, -1, 0]) / np.sqrt(2), np.array([1, 1, -2]) / np.sqrt(6)])
    y = dens @ plane.T.astype(np.float32)
    pool = np.flatnonzero(mask.reshape(-1)) if mask is not None else np.arange(y.shape[0])
    rng = np.random.default_rng(seed)
    sample = y[rng.choice(pool, size=min(n_fit, pool.size), replace=False)].astype(np.float64)
    mu = sample.mean(0)
    ev, vecs = np.linalg.eigh(np.cov((sample - mu).T))
    whiten = vecs @ np.diag(np.maximum(ev, 1e-12) ** -0.5) @ vecs.T
    z = (sample - mu) @ whiten.T

    def rot(t: float) -> NDArray[np.float64]:
        return np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])

    def kurtosis(t: float) -> float:
        return float(np.abs(((z @ rot(t).T) ** 4).mean(0) - 3).sum())

    grid = np.linspace(0, np.pi / 2, 91)
    t = float(grid[np.argmax([kurtosis(a) for a in grid])])
    fine = np.linspace(t - np.pi / 180, t + np.pi / 180, 41)
    t = float(fine[np.argmax([kurtosis(a) for a in fine])])
    unmix = rot(t) @ whiten
    mixing = np.linalg.inv(unmix)
    pm, ph = plane @ MELANIN_DENSITY, plane @ HAEMOGLOBIN_DENSITY
    cols = [mixing[:, i] / np.linalg.norm(mixing[:, i]) for i in range(2)]
    straight = abs(cols[0] @ pm) + abs(cols[1] @ ph)
    swapped = abs(cols[0] @ ph) + abs(cols[1] @ pm)
    order = [0, 1] if straight >= swapped else [1, 0]
    s = (y - mu.astype(np.float32)) @ unmix.T.astype(np.float32)
    mel, hae = s[:, order[0]], s[:, order[1]]
    dm, dh = cols[order[0]], cols[order[1]]
    if dm @ pm < 0:
        mel, dm = -mel, -dm
    if dh @ ph < 0:
        hae, dh = -hae, -dh
    return (
        mel.reshape(h, w).astype(np.float32),
        hae.reshape(h, w).astype(np.float32),
        np.stack([dm, dh]),
    )
