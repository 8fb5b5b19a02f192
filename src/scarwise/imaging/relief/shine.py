"""Skin shine in photometric stereo: a specular lobe per light, found and taken out of the normals.

Shine (specular reflection off skin oil) only ever adds light, and it adds most to the photos
whose light the pixel's normal mirrors towards the camera. Strong, narrow highlights are sparse
outliers that the robust solver drops; a broad sheen is not: on the gentle walls of a rolling
scar it adds a few per cent to the two or three lights the wall faces, which plain least
squares reads as a steeper wall, so rolling scars came out 20-40 % too deep on shiny skin.

The model: ``I_k = ρ e_k (l_k · n) + c e_k (n · h_k)^m`` with ``h_k`` the half-way vector
between light ``k`` and the camera (Blinn 1977), one sheen strength ``c >= 0`` per pixel and
one lobe exponent ``m`` for the photo set. For a fixed normal the sheen strength has a closed
form (the part of the lobe outside the lights' span explains the residual), so each pixel is
solved by a few fixed-point rounds: normal -> lobe -> ``c`` -> Lambertian ``g`` of what is left.
Where the lobe is the same for every light (flat skin: the lights share one slant) ``c`` is not
determined and the pixel keeps its plain solution, which a uniform sheen does not tilt.

The exponent is chosen on a sample of pixels lit in every photo, among powers of two (so the
lobe is a few squarings), and the model is used only when it explains a clear share of what
the Lambertian model leaves (:data:`MIN_GAIN`): matte skin and cross-polarised photos are
solved as before.

References
----------
Blinn JF. Models of light reflection for computer synthesized pictures. SIGGRAPH 1977;
11(2):192-8. doi:10.1145/965141.563893 [M]
Shafer SA. Using color to separate reflection components. Color Res Appl 1985;10(4):210-8
(the dichromatic model: specular light adds to the diffuse) [M]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["EXPONENTS", "MIN_GAIN", "ShineFit", "fit_shine", "remove_shine"]

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]

#: Lobe exponents tried (Blinn-Phong; skin's sheen is broad, an oily spot's narrower).
EXPONENTS = (8, 16, 32, 64, 128)
#: Share of the Lambertian residual (sum of squares, on the sample) the lobe must explain
#: before it is used.
MIN_GAIN = 0.10
#: Share of the lobe (sum of squares over the lights) that must lie outside the span of the
#: lights for its strength to be determined.
MIN_OUTSIDE = 0.01
#: A pixel's sheen strength is kept only this many standard errors above zero.
MIN_SIGNIFICANCE = 2.0
#: Fixed-point rounds per pixel (normal -> lobe -> sheen strength -> normal).
ROUNDS = 3


@dataclass(frozen=True)
class ShineFit:
    """The sheen found on a sample: the lobe exponent (None: no sheen worth modelling) and the
    share of the Lambertian residual it explains."""

    exponent: int | None
    gain: float


def _halfway(lights: F64) -> F64:
    """Unit half-way vectors between each light's direction and the camera's (+z)."""
    unit = lights / np.linalg.norm(lights, axis=1, keepdims=True)
    half = unit + np.array([0.0, 0.0, 1.0])
    return np.asarray(half / np.linalg.norm(half, axis=1, keepdims=True), dtype=np.float64)


def _lobe(half: F32, g: F32, exponent: int, power: F32) -> F32:
    """``e_k max(0, n · h_k)^m`` for the normals of ``g`` (``k x n``); ``m`` a power of two."""
    norm = np.sqrt(g[0] * g[0] + g[1] * g[1] + g[2] * g[2])
    n = g / np.maximum(norm, np.float32(1e-12))
    a = np.maximum(np.einsum("ij,jk->ik", half, n), np.float32(0.0))
    for _ in range(int(np.log2(exponent))):
        a *= a
    return np.asarray(a * power[:, None], dtype=np.float32)


def remove_shine(
    lights: F64, obs: F32, g: F32, exponent: int, sigma: float, rounds: int = ROUNDS
) -> tuple[F32, F32, float]:
    """Lambertian ``g`` (``3 x n``) of observations ``obs`` (``k x n``) with the sheen taken out.

    Parameters
    ----------
    lights
        ``k x 3`` light vectors scaled by each light's brightness (as the solver uses them).
    obs
        Observations of pixels lit in every photo.
    g
        The starting solution (e.g. plain least squares).
    exponent
        The lobe exponent (a power of two).
    sigma
        The noise level of one observation: a sheen strength is kept only where it is
        :data:`MIN_SIGNIFICANCE` standard errors above zero, so noise is not read as sheen.

    Returns
    -------
    g, c, residual
        The re-solved ``g``, each pixel's sheen strength ``c >= 0`` and the sum of squared
        residuals of the full model.
    """
    k = lights.shape[0]
    power = np.linalg.norm(lights, axis=1).astype(np.float32)
    half = _halfway(lights).astype(np.float32)
    pinv = np.linalg.pinv(lights)
    proj = (np.eye(k) - lights @ pinv).astype(np.float32)
    pinv32 = pinv.astype(np.float32)
    p_obs = np.einsum("ij,jk->ik", proj, obs)
    c = np.zeros(obs.shape[1], dtype=np.float32)
    lobe = np.zeros_like(obs)
    for _ in range(rounds):
        lobe = _lobe(half, g, exponent, power)
        p_lobe = np.einsum("ij,jk->ik", proj, lobe)
        den = (lobe * p_lobe).sum(axis=0)
        num = (lobe * p_obs).sum(axis=0)
        # the lobe must stick out of the lights' span, or c trades off with the albedo; a
        # sheen brighter than the albedo is a highlight (an outlier), not a sheen
        ok = den > np.float32(MIN_OUTSIDE) * (lobe * lobe).sum(axis=0)
        albedo = np.sqrt(g[0] * g[0] + g[1] * g[1] + g[2] * g[2])
        safe = np.where(ok, den, np.float32(1.0))
        c = np.where(ok, num / safe, 0.0)
        significant = c * np.sqrt(safe) > np.float32(MIN_SIGNIFICANCE * sigma)
        c = np.where(significant, np.clip(c, 0.0, albedo), 0.0).astype(np.float32)
        g = np.einsum("ij,jk->ik", pinv32, obs - c * lobe).astype(np.float32)
    # g is the least-squares solution given the last lobe, so this residual is never above the
    # Lambertian one (c = 0 is among the strengths tried)
    resid = obs - np.einsum("ij,jk->ik", lights.astype(np.float32), g) - c * lobe
    return g, c, float((resid.astype(np.float64) ** 2).sum())


def fit_shine(lights: F64, sample: F32) -> ShineFit:
    """Whether a sample of pixels lit in every photo shows a sheen, and its lobe exponent.

    ``sample`` is ``k x n`` (``k >= 5``: the lobe takes one more unknown per pixel and must
    leave something to check). The exponent with the smallest residual is kept when it explains
    at least :data:`MIN_GAIN` of the Lambertian residual.
    """
    k = lights.shape[0]
    if k < 5 or sample.shape[1] < 100:
        return ShineFit(None, 0.0)
    obs = np.ascontiguousarray(sample, dtype=np.float32)
    pinv = np.linalg.pinv(lights).astype(np.float32)
    g0 = np.einsum("ij,jk->ik", pinv, obs).astype(np.float32)
    base = obs - np.einsum("ij,jk->ik", lights.astype(np.float32), g0)
    plain = float((base.astype(np.float64) ** 2).sum())
    if plain <= 0:
        return ShineFit(None, 0.0)
    dof = max(k - 3, 1)
    sigma = float(np.median(np.sqrt((base * base).sum(axis=0) / dof)))
    best, best_res = None, plain
    for m in EXPONENTS:
        _g, _c, res = remove_shine(lights, obs, g0, m, sigma)
        if res < best_res:
            best, best_res = m, res
    gain = 1.0 - best_res / plain
    return ShineFit(best if gain >= MIN_GAIN else None, gain)
