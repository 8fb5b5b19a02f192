"""Skin patches rendered from optics, independent of the analysis's colour model.

:mod:`scarwise.testing.skin_patches` builds colour in the same optical-density space, with the
same pigment vectors, that the analysis uses to find and name marks: a check of the code, not
of the model. This renderer shares nothing with it. Skin is two Kubelka-Munk layers:

* an epidermis 60 µm thick whose absorption is melanin (volume fraction ``f_mel``, absorption
  ``6.6e11 * λ^-3.33`` cm⁻¹) and carotenoids over a bloodless baseline;
* a papillary dermis 150 µm thick holding the superficial vascular plexus (its blood fraction
  rises in erythema) on a semi-infinite reticular dermis, both absorbing by blood (volume
  fraction ``f_blood``, 75 % oxygenated) over the same baseline;
* reduced scattering ``2e5 λ^-1.5 + 2e12 λ^-4`` cm⁻¹ in the dermis, twice that in the
  epidermis (Jacques, "Optical properties of biological tissues: a review", Phys Med Biol
  2013;58:R37, doi:10.1088/0031-9155/58/11/R37, eqs. and Table 2) [M];
* haemoglobin absorption from Prahl's molar extinction of oxy- and deoxyhaemoglobin
  (:data:`_HB_TABLE`, 150 g/L haemoglobin) [M];
* reflectance per wavelength (400-700 nm, 5 nm) from the layer formulas (Kubelka & Munk 1931;
  layer R and T in the hyperbolic form), integrated against the CIE 1931 colour-matching
  functions in the analytic multi-lobe form of Wyman, Sloan and Shirley (JCGT 2013;2(2):1-11)
  [V formula] under a 6504 K Planckian light, white-balanced on a perfect white, to linear
  sRGB.

The marks are set in CIELAB, as the issue describes what photos show: small red macules
(a* +8 to +15, L* -2, often in clusters) and large confluent brown patches (L* -6 to -12,
b* +3 to +6); neither touches optical density or the analysis's pigment vectors. The picture
adds one-sided light, shine, pores, hairs, camera noise and 8-bit sRGB. The truth is the base skin's CIELAB (the light divided out, as the
contract defines skin tone) and a label image of the marks; :func:`score_optics_patch` scores an
analysis the way :func:`~scarwise.testing.skin_patches.score_analysis` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final, Literal

import cv2
import numpy as np
from numpy.typing import NDArray
from skimage.color import lab2xyz, xyz2lab

__all__ = [
    "OpticsPatch",
    "OpticsScore",
    "render_optics_patch",
    "score_optics_patch",
    "skin_reflectance",
]

_WL: Final = np.arange(400.0, 701.0, 5.0)
_EPIDERMIS_CM: Final = 0.006
_PAPILLARY_CM: Final = 0.015
_SO2: Final = 0.75
_XYZ_TO_SRGB: Final = np.array(
    [
        [3.2404542, -1.5371385, -0.4985314],
        [-0.9692660, 1.8760108, 0.0415560],
        [0.0556434, -0.2040259, 1.0572252],
    ]
)
_D65_WHITE: Final = np.array([0.95047, 1.0, 1.08883])


def _lobe(wl: NDArray[np.float64], mu: float, s1: float, s2: float) -> NDArray[np.float64]:
    s = np.where(wl < mu, s1, s2)
    return np.asarray(np.exp(-0.5 * ((wl - mu) / s) ** 2))


def _cmf(wl: NDArray[np.float64]) -> NDArray[np.float64]:
    """CIE 1931 2° colour-matching functions, Wyman-Sloan-Shirley multi-lobe fit."""
    x = (
        1.056 * _lobe(wl, 599.8, 37.9, 31.0)
        + 0.362 * _lobe(wl, 442.0, 16.0, 26.7)
        - 0.065 * _lobe(wl, 501.1, 20.4, 26.2)
    )
    y = 0.821 * _lobe(wl, 568.8, 46.9, 40.5) + 0.286 * _lobe(wl, 530.9, 16.3, 31.1)
    z = 1.217 * _lobe(wl, 437.0, 11.8, 36.0) + 0.681 * _lobe(wl, 459.0, 26.0, 13.8)
    return np.stack([x, y, z], axis=1)


def _planck(wl_nm: NDArray[np.float64], temp_k: float) -> NDArray[np.float64]:
    wl = wl_nm * 1e-9
    c2 = 1.4388e-2
    return np.asarray(1.0 / (wl**5 * (np.exp(c2 / (wl * temp_k)) - 1.0)))


#: Molar extinction of oxy- and deoxyhaemoglobin (cm⁻¹/M) at selected wavelengths, rounded
#: from Prahl's compilation (omlc.org/spectra/hemoglobin) [M: transcribed from memory of the
#: table, good to a few per cent; the renderer needs the spectral shape, not the digits].
_HB_TABLE: Final = np.array(
    [
        [400, 266232, 223296],
        [410, 466840, 303956],
        [420, 480360, 407560],
        [430, 148920, 528600],
        [440, 58660, 413280],
        [450, 62816, 103292],
        [460, 44480, 23388],
        [480, 39956, 28324],
        [500, 20932, 20862],
        [520, 20035, 24202],
        [540, 53236, 46592],
        [560, 32613, 53788],
        [576, 55540, 45072],
        [580, 50104, 37020],
        [600, 3200, 14400],
        [620, 942, 6509],
        [650, 368, 3750],
        [700, 290, 1794],
    ],
    dtype=np.float64,
)


def _blood_absorption(wl: NDArray[np.float64]) -> NDArray[np.float64]:
    """Absorption coefficient of whole blood (cm⁻¹; 150 g/L haemoglobin, 75 % oxygenated)."""
    table = _HB_TABLE
    oxy = np.exp(np.interp(wl, table[:, 0], np.log(table[:, 1])))
    deoxy = np.exp(np.interp(wl, table[:, 0], np.log(table[:, 2])))
    eps = _SO2 * oxy + (1 - _SO2) * deoxy
    return np.asarray(2.303 * eps * 150.0 / 64500.0)


def _melanin_absorption(wl: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.asarray(6.6e11 * wl**-3.33)


def _carotene_absorption(wl: NDArray[np.float64]) -> NDArray[np.float64]:
    """Epidermal carotenoids (a broad band near 480 nm, ~40 cm⁻¹ at its peak) [M]."""
    return np.asarray(40.0 * np.exp(-0.5 * ((wl - 480.0) / 35.0) ** 2))


def _baseline_absorption(wl: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.asarray(0.244 + 85.3 * np.exp(-(wl - 154.0) / 66.2))


def _dermis_scattering(wl: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.asarray(2e5 * wl**-1.5 + 2e12 * wl**-4.0)


def _layer(
    k: NDArray[np.float64], s: NDArray[np.float64], d_cm: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Kubelka-Munk reflectance and transmittance of a layer (hyperbolic form)."""
    a = (s + k) / s
    b = np.sqrt(a**2 - 1)
    bsd = b * s * d_cm
    den = a * np.sinh(bsd) + b * np.cosh(bsd)
    return np.asarray(np.sinh(bsd) / den), np.asarray(b / den)


def _on_top(
    r_top: NDArray[np.float64], t_top: NDArray[np.float64], r_below: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Reflectance of a layer lying on a substrate (multiple reflections summed)."""
    return np.asarray(r_top + t_top**2 * r_below / (1 - r_top * r_below))


def skin_reflectance(
    f_mel: NDArray[np.floating] | float,
    f_blood: NDArray[np.floating] | float,
    f_plexus: NDArray[np.floating] | float | None = None,
) -> NDArray[np.float64]:
    """Diffuse spectral reflectance (``... x 61``, 400-700 nm) of layered skin.

    Epidermis (melanin ``f_mel``) on a papillary dermis 150 µm thick (blood ``f_plexus``, the
    superficial vascular plexus that flushes in erythema; ``f_blood`` when not given) on a
    semi-infinite reticular dermis (blood ``f_blood``).
    """
    fm = np.asarray(f_mel, dtype=np.float64)[..., None]
    fb = np.asarray(f_blood, dtype=np.float64)[..., None]
    fp = fb if f_plexus is None else np.asarray(f_plexus, dtype=np.float64)[..., None]
    wl = _WL
    base = _baseline_absorption(wl)
    blood = _blood_absorption(wl)
    scat = _dermis_scattering(wl)
    k_epi = 2.0 * (fm * _melanin_absorption(wl) + (1 - fm) * base + _carotene_absorption(wl))
    r_epi, t_epi = _layer(k_epi, 2.0 * scat + 0 * fm, _EPIDERMIS_CM)
    r_pap, t_pap = _layer(2.0 * (fp * blood + (1 - fp) * base), scat + 0 * fp, _PAPILLARY_CM)
    ratio = 2.0 * (fb * blood + (1 - fb) * base) / scat
    r_der = 1 + ratio - np.sqrt(ratio**2 + 2 * ratio)
    return _on_top(r_epi, t_epi, _on_top(r_pap, t_pap, r_der))


@lru_cache(maxsize=1)
def _observer() -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Per-wavelength XYZ weights under the light, and the white-balance gains in XYZ."""
    light = _planck(_WL, 6504.0)
    w = _cmf(_WL) * light[:, None]
    white = w.sum(axis=0)
    w = w / white[1]
    return w, _D65_WHITE / (white / white[1])


def reflectance_to_linear_srgb(reflectance: NDArray[np.float64]) -> NDArray[np.float64]:
    """Spectral reflectance to white-balanced linear sRGB."""
    weights, gains = _observer()
    xyz = (reflectance @ weights) * gains
    return np.asarray(xyz @ _XYZ_TO_SRGB.T)


def _lab(linear: NDArray[np.float64]) -> NDArray[np.float64]:
    xyz = np.asarray(linear) @ np.linalg.inv(_XYZ_TO_SRGB).T
    return np.asarray(xyz2lab(xyz, illuminant="D65", observer="2"))


@dataclass(frozen=True)
class OpticsPatch:
    """A rendered patch and its truth."""

    pixels: NDArray[np.uint8]
    skin_lab: tuple[float, float, float]
    ita_deg: float
    labels: NDArray[np.int32]
    kinds: dict[int, Literal["erythema", "hyperpigmentation"]]
    shapes: dict[int, Literal["macule", "patch"]]
    delta_a: dict[int, float]
    f_mel: float
    seed: int


def _linear(lab: NDArray[np.float64]) -> NDArray[np.float64]:
    xyz = np.asarray(lab2xyz(lab, illuminant="D65", observer="2"))
    return np.asarray(xyz @ _XYZ_TO_SRGB.T)


def _encode(linear: NDArray[np.float64]) -> NDArray[np.float64]:
    x = np.clip(linear, 0.0, 1.0)
    return np.where(x <= 0.0031308, 12.92 * x, 1.055 * np.power(x, 1 / 2.4) - 0.055)


def render_optics_patch(
    seed: int,
    *,
    tone: Literal["light", "medium", "dark"] = "light",
    size: int = 512,
) -> OpticsPatch:
    """Render one patch (``size`` x ``size``) of light, medium or dark skin."""
    rng = np.random.default_rng(seed)
    f_mel = {
        "light": rng.uniform(0.01, 0.04),
        "medium": rng.uniform(0.07, 0.14),
        "dark": rng.uniform(0.22, 0.38),
    }[tone]
    f_blood = float(rng.uniform(0.015, 0.04))
    shape = (size, size)
    mel = np.full(shape, f_mel)
    blood = np.full(shape, f_blood)
    # Mottling: small zero-mean variation of both pigments.
    for field, amp in ((mel, 0.04 * f_mel), (blood, 0.06 * f_blood)):
        noise = cv2.GaussianBlur(rng.standard_normal(shape), (0, 0), 3.0)
        field += amp * noise / (noise.std() + 1e-9)
    labels = np.zeros(shape, dtype=np.int32)
    kinds: dict[int, Literal["erythema", "hyperpigmentation"]] = {}
    shapes: dict[int, Literal["macule", "patch"]] = {}
    delta_a: dict[int, float] = {}
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64)
    occupied = np.zeros(shape, dtype=bool)
    offset = np.zeros((size, size, 3))  # CIELAB offsets of the marks
    next_id = 1
    # Large confluent brown patches: unions of ellipses, darker and yellower.
    for _ in range(int(rng.integers(1, 3))):
        r = rng.uniform(25, 45)
        cx, cy = rng.uniform(r + 15, size - r - 15, 2)
        prof = np.zeros(shape)
        for _ in range(int(rng.integers(3, 6))):
            ox, oy = rng.normal(0, 0.4 * r, 2)
            rx, ry = r * rng.uniform(0.45, 0.8, 2)
            d = np.hypot((xx - cx - ox) / rx, (yy - cy - oy) / ry)
            prof = np.maximum(prof, np.clip(1.5 - d, 0, 1))
        inside = prof >= 0.5
        if (cv2.dilate(occupied.astype(np.uint8), np.ones((15, 15), np.uint8)) > 0)[inside].any():
            continue
        change = np.array([-rng.uniform(6, 12), rng.uniform(0.5, 2.0), rng.uniform(3, 6)])
        offset += prof[..., None] * change
        labels[inside] = next_id
        kinds[next_id], shapes[next_id] = "hyperpigmentation", "patch"
        occupied |= prof > 0.02
        next_id += 1
    # Small red macules (often in clusters): a* up by 8-15, L* down by 2.
    n_macules = int(rng.integers(12, 24))
    tries = 0
    while n_macules > 0 and tries < 400:
        tries += 1
        r = rng.uniform(3.5, 6.0)
        if rng.random() < 0.6 and delta_a:
            # Next to an earlier macule: clusters.
            last = labels == max(delta_a)
            ys, xs = np.nonzero(last)
            cx = float(xs.mean() + rng.normal(0, 14))
            cy = float(ys.mean() + rng.normal(0, 14))
        else:
            cx, cy = rng.uniform(20, size - 20, 2)
        if not (15 < cx < size - 15 and 15 < cy < size - 15):
            continue
        d = np.hypot(xx - cx, yy - cy) / r
        prof = np.clip(1.6 - d, 0, 1) ** 1.5
        inside = d <= 1.0
        near = cv2.dilate(occupied.astype(np.uint8), np.ones((11, 11), np.uint8)) > 0
        if near[inside].any():
            continue
        target = float(rng.uniform(8.0, 15.0))
        offset += prof[..., None] * np.array([-2.0, target, 0.0])
        labels[inside] = next_id
        kinds[next_id], shapes[next_id] = "erythema", "macule"
        delta_a[next_id] = target
        occupied |= prof > 0.02
        next_id += 1
        n_macules -= 1
    skin = reflectance_to_linear_srgb(skin_reflectance(mel, blood))
    lin = _linear(_lab(skin) + offset)
    truth_lin = reflectance_to_linear_srgb(skin_reflectance(f_mel, f_blood))
    # Pores: tiny darker dots (not marks).
    pores = np.zeros(shape)
    for _ in range(int(rng.integers(150, 300))):
        px, py = rng.integers(0, size, 2)
        if not occupied[py, px]:
            pores[py, px] = 1.0
    pores = np.asarray(cv2.GaussianBlur(pores, (0, 0), 0.8), dtype=np.float64)
    lin = lin * (1 - 0.9 * np.clip(pores / max(1e-9, pores.max()), 0, 1) * 0.25)[..., None]
    # One-sided light (a window to one side), mean 1; a little warmer where brighter.
    theta = rng.uniform(0, 2 * np.pi)
    g = rng.uniform(0.25, 0.5)
    t = np.cos(theta) * (xx / size * 2 - 1) + np.sin(theta) * (yy / size * 2 - 1)
    light = np.exp(g * t)
    light /= light.mean()
    exposure = min(1.0, 0.95 / max(1e-6, float(np.percentile(lin, 99.5)) * float(light.max())))
    lin = lin * (light * exposure)[..., None]
    lab = _lab(truth_lin * exposure)
    # Hairs: thin dark curves.
    hair = np.zeros((size * 4, size * 4), dtype=np.uint8)
    for _ in range(int(rng.integers(4, 12))):
        p0 = rng.uniform(0, size, 2)
        p2 = p0 + rng.normal(0, 1, 2) / 1.0 * rng.uniform(60, 200)
        p1 = (p0 + p2) / 2 + rng.normal(0, 20, 2)
        ts = np.linspace(0, 1, 100)[:, None]
        pts = (1 - ts) ** 2 * p0 + 2 * (1 - ts) * ts * p1 + ts**2 * p2
        cv2.polylines(hair, [np.round(pts * 4).astype(np.int32)], False, 255, 5, cv2.LINE_AA)
    cover = cv2.resize(hair, (size, size), interpolation=cv2.INTER_AREA).astype(np.float64) / 255
    lin = lin * (1 - cover[..., None]) + 0.02 * cover[..., None]
    # Shine: additive white highlights.
    for _ in range(int(rng.integers(2, 6))):
        cx, cy = rng.uniform(0, size, 2)
        s = rng.uniform(4, 10)
        lin = (
            lin
            + rng.uniform(0.05, 0.2)
            * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * s * s))[..., None]
        )
    srgb = _encode(lin) * 255 + rng.normal(0, 1.2, (size, size, 3))
    pixels = np.clip(np.round(srgb), 0, 255).astype(np.uint8)
    ita = float(np.degrees(np.arctan2(lab[0] - 50.0, lab[2])))
    return OpticsPatch(
        pixels=pixels,
        skin_lab=(float(lab[0]), float(lab[1]), float(lab[2])),
        ita_deg=ita,
        labels=labels,
        kinds=kinds,
        shapes=shapes,
        delta_a=delta_a,
        f_mel=float(f_mel),
        seed=seed,
    )


@dataclass(frozen=True)
class OpticsScore:
    """An analysis against an :class:`OpticsPatch` (matching as in ``skin_patches``)."""

    ita_error_deg: float
    delta_e76: float
    n_true: int
    n_detected: int
    n_matched: int
    n_kind_right: int


def score_optics_patch(patch: OpticsPatch, result: Any) -> OpticsScore:
    """A detection matches the mark covering at least 30 % of its outline; each mark once."""
    claims: dict[int, tuple[int, int]] = {}
    for n, outline in enumerate(result.spot_outlines()):
        canvas = np.zeros(patch.labels.shape, dtype=np.uint8)
        pts = np.round(outline).astype(np.int32)
        cv2.fillPoly(canvas, [pts], 1)
        cv2.polylines(canvas, [pts], True, 1)
        under = patch.labels[canvas > 0]
        ids, counts = np.unique(under[under > 0], return_counts=True)
        if ids.size == 0:
            continue
        best = int(np.argmax(counts))
        if counts[best] < 0.3 * under.size:
            continue
        tid = int(ids[best])
        if tid not in claims or claims[tid][0] < counts[best]:
            claims[tid] = (int(counts[best]), n)
    kind_right = sum(
        1 for tid, (_, n) in claims.items() if result.spots[n].kind == patch.kinds[tid]
    )
    lab = np.asarray(result.skin_tone.lab, dtype=np.float64)
    return OpticsScore(
        ita_error_deg=float(result.skin_tone.ita_deg - patch.ita_deg),
        delta_e76=float(np.linalg.norm(lab - np.asarray(patch.skin_lab))),
        n_true=len(patch.kinds),
        n_detected=len(result.spots),
        n_matched=len(claims),
        n_kind_right=kind_right,
    )
