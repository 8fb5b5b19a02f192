"""Photometric stereo: surface normals from images of one view under known light directions.

Model (Woodham 1980): a Lambertian surface lit by distant lights gives ``I_k = e_k ρ (l_k · n)``
per pixel, with unit light directions ``l_k`` (known), light brightnesses ``e_k`` (unknown within
±20 %, ``contracts/imaging.md``), albedo ``ρ`` and unit normal ``n``. Written by hand because no
maintained Python package does calibrated photometric stereo (``research/image-methods.md`` §3.2
"Maintained Python implementations" [V]); the solver is vectorised numpy in float32, processed in
tiles of rows so memory stays bounded.

Robustness, in order:

1. **Shadows** (attached and cast) break the model with ``I_k ≈ 0``: observations below a
   fraction of the pixel's second-brightest value are dropped and a per-pixel weighted 3x3 system
   is solved in closed form (§3.1, §3.2 "shadow-robust LS" [T]).
2. **Specular shine and cast-shadow leftovers** are sparse outliers: where a pixel's residual is
   far above the noise level, each lit observation is left out in turn and the one whose removal
   best explains the rest is dropped (up to two per pixel, keeping at least four). Unlike "always
   drop the brightest", which the research found biased [T §3.2], nothing is dropped when the
   residual is at the noise level.
3. **Unequal, unstated light brightness** is estimated in closed form (semi-calibrated
   photometric stereo): for every pixel ``diag(I) s`` must lie in the column space of ``L``
   (``s_k = 1/e_k``), so ``s`` is the null vector of ``P⊥ ∘ Σ_x I(x) I(x)ᵀ`` (``P⊥`` the projector
   onto the complement of ``L``'s columns, ``∘`` the element-wise product). Needs four or more
   lights and some variation of the normals; computed on outlier-free pixels of a subsample.

References
----------
Woodham RJ. Photometric method for determining surface orientation from multiple images.
Opt Eng 1980;19(1):139-44. doi:10.1117/12.7972479 [V citation, research note §3.1]
Quéau Y, Wu T, Lauze F, Durou JD, Cremers D. A non-convex variational approach to photometric
stereo under inaccurate lighting. CVPR 2017 (semi-calibrated photometric stereo) [M].
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from scarwise.imaging.relief.region import SATURATED
from scarwise.imaging.relief.shine import remove_shine

__all__ = [
    "NormalField",
    "SlopeField",
    "estimate_light_intensities",
    "estimate_normals",
    "estimate_slopes",
    "least_squares_normals",
    "sample_pixels",
    "specular_free",
]

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]

#: An observation is a shadow below this fraction of the pixel's second-brightest value [T §3.2
#: used an absolute 0.02 of full scale; a relative level follows the albedo].
SHADOW_FRACTION = 0.06
#: Residuals above this many robust noise sigmas mark a pixel for outlier removal.
OUTLIER_SIGMAS = 5.0
#: Pixels per tile (bounds the working memory: about 60 bytes x lights per pixel).
TILE_PIXELS = 1 << 16


@dataclass(frozen=True)
class NormalField:
    """Unit normals and what the solver learned.

    Attributes
    ----------
    normals
        ``3 x H x W`` float32 unit normals (x right, y down, z towards the camera).
    albedo
        ``H x W`` float32 relative albedo (``|g|``).
    used
        ``H x W`` uint8: observations used per pixel (fewer than 3: the normal is a fallback).
    intensities
        Relative brightness of each light as used.
    """

    normals: F32
    albedo: F32
    used: npt.NDArray[np.uint8]
    intensities: F64


def _unit(directions: npt.ArrayLike) -> F64:
    d = np.asarray(directions, dtype=np.float64)
    return np.asarray(d / np.linalg.norm(d, axis=1, keepdims=True), dtype=np.float64)


def _mm(a: npt.NDArray[np.float32], b: npt.NDArray[np.float32]) -> F32:
    """``a @ b`` for a small ``a`` (a few rows and columns) and a wide ``b``, without BLAS.

    OpenBLAS splits even these thin products over its threads, and on a busy machine waiting
    for them costs many times the product itself. ``einsum`` (no ``optimize``) runs its own
    single-threaded loop.
    """
    return np.asarray(np.einsum("ij,jk->ik", a, b), dtype=np.float32)


def _outer_rows(lights: F64) -> F32:
    """The six distinct products ``l_i l_j`` of each light (``6 x k``, order 11 12 13 22 23 33)."""
    k = lights.shape[0]
    outer = np.empty((6, k), dtype=np.float32)
    for row, (i, j) in enumerate(((0, 0), (0, 1), (0, 2), (1, 1), (1, 2), (2, 2))):
        outer[row] = lights[:, i] * lights[:, j]
    return outer


def _cofactors(lights: F64, weight: F32) -> tuple[F32, F32]:
    """Cofactors (``6 x n``, order 11 12 13 22 23 33) and determinant of ``Lᵀ W L`` per pixel."""
    a11, a12, a13, a22, a23, a33 = _mm(_outer_rows(lights), weight)
    c = np.stack(
        [
            a22 * a33 - a23 * a23,
            a13 * a23 - a12 * a33,
            a12 * a23 - a13 * a22,
            a11 * a33 - a13 * a13,
            a12 * a13 - a11 * a23,
            a11 * a22 - a12 * a12,
        ]
    )
    det = a11 * c[0] + a12 * c[1] + a13 * c[2]
    return c, det.astype(np.float32, copy=False)


def _solve_weighted(lights: F64, obs: F32, weight: F32) -> tuple[F32, F32]:
    """Per-pixel weighted least squares ``min Σ_k w_k (I_k - m_k·g)²`` in closed form.

    Returns ``g`` (3 x n) and the determinant of the normal matrix (n).
    """
    (c11, c12, c13, c22, c23, c33), det = _cofactors(lights, weight)
    b1, b2, b3 = _mm(lights.T.astype(np.float32), weight * obs)
    safe = np.where(np.abs(det) > 1e-6, det, np.float32(1.0))
    g = np.stack(
        [
            (c11 * b1 + c12 * b2 + c13 * b3) / safe,
            (c12 * b1 + c22 * b2 + c23 * b3) / safe,
            (c13 * b1 + c23 * b2 + c33 * b3) / safe,
        ]
    )
    return g.astype(np.float32, copy=False), det


def _second_largest(obs: F32) -> F32:
    """Second-largest value of each column of finite ``obs`` (``k >= 2`` rows).

    Same values as ``np.partition(obs, k - 2, axis=0)[k - 2]`` (ties count twice), from running
    maxima, much faster than partitioning along the short axis.
    """
    top: F32 = obs[0].copy()
    second: F32 = np.full_like(top, -np.inf)
    for row in obs[1:]:
        np.maximum(second, np.minimum(top, row), out=second)
        np.maximum(top, row, out=top)
    return second


def _shadow_weights(obs: F32) -> F32:
    """1 for lit observations, 0 for shadows (below a fraction of the second-brightest value)
    and for saturated ones (clipped: not a measurement)."""
    second = _second_largest(obs)
    level = np.maximum(SHADOW_FRACTION * second, np.float32(1e-3))
    return np.asarray((obs > level) & (obs < SATURATED), dtype=np.float32)


def _norm3(g: npt.NDArray[np.floating]) -> F32:
    """Euclidean length of each column of a ``3 x n`` array (as ``np.linalg.norm(axis=0)``)."""
    return np.asarray(np.sqrt(g[0] * g[0] + g[1] * g[1] + g[2] * g[2]), dtype=np.float32)


def _plain_tile(
    lights: F64, obs: F32, sigma: float, pinv: F32 | None = None
) -> tuple[F32, F32, npt.NDArray[np.intp]]:
    """Plain least-squares ``g`` and ``|g|`` for a tile, and the pixels that need the robust solve.

    A pixel needs it when it may hold a shadow (an observation below the shadow level of its
    brightest one) or its largest residual is above the noise level; on skin most pixels have
    neither. ``pinv`` is ``pinv(lights)`` in float32 when the caller already has it.
    """
    if pinv is None:
        pinv = np.linalg.pinv(lights).astype(np.float32)
    g = _mm(pinv, obs)
    rho = _norm3(g)
    top = obs.max(axis=0)
    level = np.maximum(SHADOW_FRACTION * top, np.float32(1e-3))
    flag = obs.min(axis=0) <= level  # any observation at or below the shadow level
    flag |= top >= SATURATED  # or clipped
    resid = _mm(lights.astype(np.float32), g)
    np.subtract(obs, resid, out=resid)
    worst = np.maximum(resid.max(axis=0), -resid.min(axis=0))
    del resid
    flag |= worst > OUTLIER_SIGMAS * sigma + 0.02 * rho
    return g, rho, np.flatnonzero(flag)


def _robust_tile(lights: F64, obs: F32, sigma: float) -> tuple[F32, F32, npt.NDArray[np.uint8]]:
    """Shadow- and outlier-robust ``g`` for one tile; returns g, weights and the count used.

    Fast path: plain least squares everywhere (:func:`_plain_tile`), then the robust solve only
    for the pixels that may need it.
    """
    g, _rho, idx = _plain_tile(lights, obs, sigma)
    weight = np.ones(obs.shape, dtype=np.float32)
    if idx.size:
        g_sub, w_sub, _used = _robust_full(lights, np.ascontiguousarray(obs[:, idx]), sigma)
        g[:, idx] = g_sub
        weight[:, idx] = w_sub
    return g, weight, weight.sum(axis=0).astype(np.uint8)


def _robust_full(lights: F64, obs: F32, sigma: float) -> tuple[F32, F32, npt.NDArray[np.uint8]]:
    """Shadow- and outlier-robust ``g`` for every pixel of ``obs`` (the slow path)."""
    k = obs.shape[0]
    weight = _shadow_weights(obs)
    g, det = _solve_weighted(lights, obs, weight)
    lights32 = lights.astype(np.float32)
    for _round in range(2):
        used = weight.sum(axis=0)
        resid = (obs - _mm(lights32, g)) * weight
        rho = np.linalg.norm(g, axis=0)
        level = OUTLIER_SIGMAS * sigma + 0.02 * rho
        worst = np.abs(resid).max(axis=0)
        cand = np.flatnonzero((worst > level) & (used >= 5) & (det > 1e-6))
        if cand.size == 0:
            break
        o_c, w_c = obs[:, cand], weight[:, cand]
        best_rms = np.full(cand.size, np.inf, dtype=np.float32)
        best_j = np.full(cand.size, -1, dtype=np.int64)
        best_g = g[:, cand].copy()
        for j in range(k):
            w_j = w_c.copy()
            w_j[j] = 0.0
            g_j, det_j = _solve_weighted(lights, o_c, w_j)
            r_j = (o_c - _mm(lights32, g_j)) * w_j
            rms = np.sqrt((r_j * r_j).sum(axis=0) / np.maximum(w_j.sum(axis=0) - 3.0, 1.0))
            better = (w_c[j] > 0) & (det_j > 1e-6) & (rms < best_rms)
            best_rms = np.where(better, rms, best_rms)
            best_j = np.where(better, j, best_j)
            best_g[:, better] = g_j[:, better]
        full_rms = np.sqrt((resid[:, cand] ** 2).sum(axis=0) / np.maximum(used[cand] - 3.0, 1.0))
        accept = (best_j >= 0) & (best_rms < 0.5 * full_rms)
        idx = cand[accept]
        weight[best_j[accept], idx] = 0.0
        g[:, idx] = best_g[:, accept]
    return g, weight, weight.sum(axis=0).astype(np.uint8)


def _noise_sigma(lights: F64, obs: F32) -> float:
    """Noise level: the median over pixels of the per-pixel residual RMS of the shadow-robust fit.

    A median over pixels (not over all residuals) is not inflated when a minority of pixels
    carry a highlight, which leaks into every residual of its pixel.
    """
    weight = _shadow_weights(obs)
    g, _det = _solve_weighted(lights, obs, weight)
    resid = (obs - _mm(lights.astype(np.float32), g)) * weight
    used = weight.sum(axis=0)
    ok = used >= 5
    if int(ok.sum()) < 20:
        return 1e-3
    rms = np.sqrt((resid[:, ok] ** 2).sum(axis=0) / (used[ok] - 3.0))
    return max(float(np.median(rms)), 1e-4)


#: The sheen is modelled only at pixels whose Lambertian residual (RMS) is above this many
#: noise sigmas.
SHINE_RESIDUAL = 1.0
#: Share of the inlier pixels (those fitting best) the brightness estimate keeps after its first
#: round.
TRIM_FRACTION = 0.5
#: Pixels sampled for the light brightness estimate: larger samples estimated the brightnesses
#: no better on rendered sets (the error is the model's, not the sample's) and cost more [T].
SAMPLE_PIXELS = 25_000


def sample_pixels(stack: npt.NDArray[np.floating], max_pixels: int = SAMPLE_PIXELS) -> F32:
    """A regular subsample (every n-th pixel) of a ``k x H x W [x 3]`` stack as ``k x n [x 3]``."""
    k = stack.shape[0]
    flat = stack.reshape(k, stack.shape[1] * stack.shape[2], *stack.shape[3:])
    step = max(1, flat.shape[1] // max_pixels)
    return np.ascontiguousarray(flat[:, ::step], dtype=np.float32)


def specular_free(rgb_samples: F32) -> F32 | None:
    """Diffuse-only signal of linear RGB observations (``k x n x 3``), or None for grey skin.

    Dichromatic model: skin reflects light diffusely in its own colour and specularly in the
    light's colour (white for white lights), so the projection of RGB onto the skin colour's
    component orthogonal to white removes the specular part (SUV colour space, Mallick et al.
    2005 [M]). Noisier than luminance, so it is used only where many pixels are pooled: the
    estimate of the light brightnesses.

    References
    ----------
    Mallick SP, Zickler TE, Kriegman DJ, Belhumeur PN. Beyond Lambert: reconstructing specular
    surfaces using color. CVPR 2005. doi:10.1109/CVPR.2005.96 [M]
    """
    if rgb_samples.ndim != 3 or rgb_samples.shape[2] != 3:
        return None
    total = rgb_samples.sum(axis=2)
    bright = total > np.percentile(total, 20)
    chroma = rgb_samples[bright] / total[bright][:, None]
    colour = np.median(chroma, axis=0).astype(np.float64)
    ortho = colour - colour.mean()
    if np.linalg.norm(ortho) < 0.03:  # nearly grey: no usable colour signal
        return None
    u = (ortho / np.linalg.norm(ortho)).astype(np.float32)
    return np.asarray(rgb_samples @ u, dtype=np.float32)


def estimate_light_intensities(
    samples: F32,
    directions: npt.ArrayLike,
    *,
    stated: npt.ArrayLike | None = None,
    rounds: int = 3,
    trim: bool = False,
) -> F64:
    """Relative light brightnesses (geometric mean 1) from the images themselves.

    Parameters
    ----------
    samples
        ``k x n`` linear, diffuse-proportional observations of the same ``n`` pixels under each
        light (:func:`sample_pixels`, or :func:`specular_free` ones), ``k >= 4``.
    directions
        ``k x 3`` light directions.
    stated
        Brightnesses already known (default 1); the result is relative to them.
    rounds
        Most rounds of inlier selection and estimate.
    trim
        From the second round on, use only the half of the inliers that the current estimate
        fits best (a trimmed estimate: a broad sheen or a badly modelled patch biases the
        brightness of the lights it favours, and those pixels fit worst). Slightly noisier on
        photos that follow the model.

    Returns
    -------
    numpy.ndarray
        ``k`` positive factors ``e_k`` with ``I_k = e_k ρ (l_k · n)``; all 1 when ``k < 4`` or
        the images do not determine them.

    Notes
    -----
    Closed form: ``s = 1/e`` is the eigenvector of the smallest eigenvalue of
    ``P⊥ ∘ Σ_x Î(x) Î(x)ᵀ`` over pixels with every observation an inlier, ``Î = I/|I|``. The
    inliers are found with the robust solver under the current estimate (and trimmed, when
    asked); up to ``rounds`` rounds, fewer once a round changes no brightness by more than
    0.1 %.
    """
    lights = _unit(directions)
    k = lights.shape[0]
    if stated is not None:
        lights = lights * np.asarray(stated, dtype=np.float64)[:, None]
    e = np.ones(k)
    if k < 4:
        return e
    sample = np.ascontiguousarray(samples, dtype=np.float32)
    for round_ in range(rounds):
        scaled = lights * e[:, None]
        proj = np.eye(k) - scaled @ np.linalg.pinv(scaled)
        sigma = _noise_sigma(scaled, sample[:, ::4])
        _g, weight, _used = _robust_tile(scaled, sample, sigma)
        keep = weight.min(axis=0) > 0
        if keep.sum() < 50:
            break
        x = sample[:, keep].astype(np.float64)
        x /= np.maximum(np.linalg.norm(x, axis=0), 1e-9)
        if trim and round_ > 0 and x.shape[1] >= 100:
            fit = x - scaled @ (np.linalg.pinv(scaled) @ x)
            misfit = (fit * fit).sum(axis=0)
            x = x[:, misfit <= np.quantile(misfit, TRIM_FRACTION)]
        _vals, vecs = np.linalg.eigh(proj * (x @ x.T))
        s = vecs[:, 0]
        s = s if s.sum() > 0 else -s
        if np.any(s <= 0):
            break
        step = 1.0 / s
        step /= np.exp(np.log(step).mean())
        e = e * step
        # after a step below 0.1 % the next one is negligible
        if np.allclose(step, 1.0, atol=1e-3):
            break
    return np.asarray(e / np.exp(np.log(e).mean()), dtype=np.float64)


@dataclass(frozen=True)
class SlopeField:
    """Surface slopes from photometric stereo, ready for integration.

    Attributes
    ----------
    p, q
        ``H x W`` float32 slopes ``dz/dx`` (x = column) and ``dz/dy`` (y = row), in height per
        pixel, exactly what :func:`~scarwise.imaging.relief.integration.gradients_from_normals` gives for
        the normals of :func:`estimate_normals` (up to float rounding).
    albedo, used, intensities
        As in :class:`NormalField`.
    """

    p: F32
    q: F32
    albedo: F32
    used: npt.NDArray[np.uint8]
    intensities: F64


def _solve_tiles(
    images: F32,
    directions: npt.ArrayLike,
    intensities: npt.ArrayLike | None,
    tile_pixels: int,
    emit: Callable[[int, int, F32, F32], None],
    sample: F32 | None = None,
    shine_exponent: int | None = None,
) -> tuple[F32, npt.NDArray[np.uint8], F64]:
    """Robust ``g`` tile by tile; ``emit(start, stop, g, valid)`` stores what the caller needs.

    ``sample`` is ``sample_pixels(images)`` when the caller has made it already (the noise level
    is measured on it).

    ``g`` of unusable pixels (fewer than 3 observations, or no light) is set to ``(0, 0, 1)`` and
    ``valid`` holds ``|g|`` (0 for those). Returns the albedo, the observations used per pixel and
    the light factors.
    """
    k, height, width = images.shape
    lights = _unit(directions)
    factors = np.ones(k) if intensities is None else np.asarray(intensities, dtype=np.float64)
    lights_eff = lights * factors[:, None]
    if sample is None:
        sample = sample_pixels(images)
    sigma = _noise_sigma(lights_eff, sample)  # the median of 25k RMS values
    n_px = height * width
    flat = images.reshape(k, n_px)
    albedo = np.empty(n_px, dtype=np.float32)
    used = np.full(n_px, k, dtype=np.uint8)
    up = np.array([[0.0], [0.0], [1.0]], dtype=np.float32)
    pinv = np.linalg.pinv(lights_eff).astype(np.float32)
    for start in range(0, n_px, tile_pixels):
        stop = min(start + tile_pixels, n_px)
        obs = flat[:, start:stop]  # a view: the products and reductions need no copy
        g, rho, idx = _plain_tile(lights_eff, obs, sigma, pinv)
        weight: F32 | None = None
        if idx.size:
            g_sub, w_sub, used_sub = _robust_full(
                lights_eff, np.ascontiguousarray(obs[:, idx]), sigma
            )
            g[:, idx] = g_sub
            rho[idx] = _norm3(g_sub)
            used[start + idx] = used_sub
            bad = ~np.isfinite(rho) | (rho < 1e-6)
            bad[idx] |= used_sub < 3
            weight = np.ones(obs.shape, dtype=np.float32)
            weight[:, idx] = w_sub
        else:
            bad = ~np.isfinite(rho) | (rho < 1e-6)
        if shine_exponent is not None:
            # pixels lit in every photo: the sheen is modelled there (shadowed ones keep the
            # robust solution, which already left their outliers out)
            clean = ~bad
            if weight is not None:
                clean &= weight.min(axis=0) > 0
            # where the Lambertian fit already leaves only noise there is no sheen to find
            resid = obs - _mm(lights_eff.astype(np.float32), g)
            rms = np.sqrt((resid * resid).sum(axis=0) / max(k - 3, 1))
            del resid
            clean &= rms > SHINE_RESIDUAL * sigma
            sel = np.flatnonzero(clean)
            if sel.size:
                g_s, _c, _r = remove_shine(
                    lights_eff, np.ascontiguousarray(obs[:, sel]), g[:, sel], shine_exponent, sigma
                )
                g[:, sel] = g_s
                rho[sel] = _norm3(g_s)
        if bad.any():
            g[:, bad] = up
            rho[bad] = 0.0
        albedo[start:stop] = rho
        emit(start, stop, g, rho)
    return albedo.reshape(height, width), used.reshape(height, width), factors


def estimate_normals(
    images: F32,
    directions: npt.ArrayLike,
    *,
    intensities: npt.ArrayLike | None = None,
    tile_pixels: int = TILE_PIXELS,
    shine_exponent: int | None = None,
) -> NormalField:
    """Robust per-pixel normals from ``k >= 3`` images under known light directions.

    Parameters
    ----------
    images
        ``k x H x W`` float32 linear intensities (luminance), any common scale.
    directions
        ``k x 3`` vectors from the skin towards each light (need not be unit length).
    intensities
        Relative light brightnesses (default 1), e.g. from :func:`estimate_light_intensities`.
    tile_pixels
        Pixels solved at a time.

    Returns
    -------
    NormalField

    References
    ----------
    Woodham RJ. Opt Eng 1980;19(1):139-44. doi:10.1117/12.7972479
    """
    _k, height, width = images.shape
    normals = np.empty((3, height * width), dtype=np.float32)

    def emit(start: int, stop: int, g: F32, rho: F32) -> None:
        unit = np.where(rho > 0, rho, np.float32(1.0)).astype(np.float32, copy=False)
        n = g / np.maximum(unit, np.float32(1e-12))
        n[2] = np.maximum(n[2], np.float32(1e-3))  # a visible surface faces the camera
        normals[:, start:stop] = n / _norm3(n)

    albedo, used, factors = _solve_tiles(
        images, directions, intensities, tile_pixels, emit, shine_exponent=shine_exponent
    )
    return NormalField(
        normals=normals.reshape(3, height, width), albedo=albedo, used=used, intensities=factors
    )


def estimate_slopes(
    images: F32,
    directions: npt.ArrayLike,
    *,
    intensities: npt.ArrayLike | None = None,
    tile_pixels: int = TILE_PIXELS,
    max_slope: float = 10.0,
    sample: F32 | None = None,
    shine_exponent: int | None = None,
) -> SlopeField:
    """The slopes of :func:`estimate_normals`' normals, without forming the normals.

    ``analyze3d`` integrates slopes, not normals: going straight from ``g`` to
    ``p = -g_x / g_z`` (``q`` likewise) saves about a dozen full-image passes. Where the normal
    is steeper than ``max_slope`` (or faces away), the slopes are those of the normal clamped as
    :func:`estimate_normals` and
    :func:`~scarwise.imaging.relief.integration.gradients_from_normals` clamp it. ``sample``:
    ``sample_pixels(images)`` when the caller has it already (it is not made twice).
    """
    _k, height, width = images.shape
    p = np.empty(height * width, dtype=np.float32)
    q = np.empty(height * width, dtype=np.float32)
    min_nz = np.float32(1.0 / max_slope)

    def emit(start: int, stop: int, g: F32, rho: F32) -> None:
        # unusable pixels have g = (0, 0, 1), rho = 0: not steep, slopes -0 as before
        steep = ~(g[2] >= min_nz * rho)  # also catches NaN
        down = np.negative(g[2])  # x / -y is exactly -(x / y)
        with np.errstate(divide="ignore", invalid="ignore"):
            np.divide(g[0], down, out=p[start:stop])
            np.divide(g[1], down, out=q[start:stop])
        idx = np.flatnonzero(steep)
        if idx.size:  # as estimate_normals then gradients_from_normals
            unit = np.where(rho[idx] > 0, rho[idx], np.float32(1.0)).astype(np.float32)
            n = g[:, idx] / np.maximum(unit, np.float32(1e-12))
            n[2] = np.maximum(n[2], np.float32(1e-3))
            n = n / _norm3(n)
            nz = np.maximum(n[2], min_nz)
            p[start + idx] = np.clip(-n[0] / nz, -max_slope, max_slope)
            q[start + idx] = np.clip(-n[1] / nz, -max_slope, max_slope)

    albedo, used, factors = _solve_tiles(
        images, directions, intensities, tile_pixels, emit, sample, shine_exponent
    )
    return SlopeField(
        p=p.reshape(height, width),
        q=q.reshape(height, width),
        albedo=albedo,
        used=used,
        intensities=factors,
    )


def least_squares_normals(images: F32, directions: npt.ArrayLike) -> tuple[F32, F32]:
    """Plain least-squares photometric stereo (the baseline): normals ``3 x H x W`` and albedo.

    ``g = pinv(L) I`` for every pixel, no shadow or outlier handling (research §3.1 [T]).
    """
    k, height, width = images.shape
    lights = _unit(directions)
    g = (np.linalg.pinv(lights).astype(np.float32) @ images.reshape(k, -1)).astype(np.float32)
    rho = np.linalg.norm(g, axis=0)
    n = g / np.maximum(rho, np.float32(1e-12))
    return n.reshape(3, height, width), rho.reshape(height, width)
