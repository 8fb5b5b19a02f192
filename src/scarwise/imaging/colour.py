"""Skin colour numbers: sRGB to linear to CIELAB, ITA° and its category, erythema/melanin indices,
Tsumura-style melanin/haemoglobin separation, illumination flattening and grey-card calibration.

Pure functions of arrays. Colour conversions use scikit-image (``skimage.color``) on the pixels
that are reported; the bulk per-pixel work stays in linear RGB (research/image-methods.md §2.4:
skimage's Lab is exact but slow, so only sampled pixels and spot means are converted) [T].
"""

from __future__ import annotations

from typing import Final, Literal

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "HAEMOGLOBIN_DENSITY",
    "ITA_BANDS",
    "MELANIN_DENSITY",
    "SRGB_TO_XYZ",
    "apply_grey_card",
    "ciede2000",
    "erythema_index",
    "illumination_field",
    "ita_category",
    "ita_deg",
    "lab_to_linear",
    "linear_to_lab",
    "linear_to_srgb8",
    "melanin_index",
    "pigment_amounts",
    "separate_chromophores",
    "srgb_to_linear",
    "srgb_to_linear16",
]

ItaCategory = Literal["very light", "light", "intermediate", "tan", "brown", "dark"]

#: ITA° bands (lower bound exclusive, category) from lightest to darkest; a boundary value
#: belongs to the darker band (55 is "light", 41 "intermediate"). Chardon et al., Int J Cosmet
#: Sci 1991;13:191-208, extended by Del Bino et al. (research/clinical-facts.md §6.2) [V names,
#: M/S thresholds]; boundary convention from contracts/imaging.md.
ITA_BANDS: Final[tuple[tuple[float, ItaCategory], ...]] = (
    (55.0, "very light"),
    (41.0, "light"),
    (28.0, "intermediate"),
    (10.0, "tan"),
    (-30.0, "brown"),
)

#: Linear sRGB (D65) to CIE XYZ, IEC 61966-2-1:1999 [V].
SRGB_TO_XYZ: Final = np.array(
    [
        [0.4124564, 0.3575761, 0.1804375],
        [0.2126729, 0.7151522, 0.0721750],
        [0.0193339, 0.1191920, 0.9503041],
    ]
)
_XYZ_TO_SRGB: Final = np.linalg.inv(SRGB_TO_XYZ)

#: Optical-density direction of melanin and of haemoglobin in linear (R, G, B): melanin absorbs
#: more towards blue, haemoglobin peaks in green. Illustrative unit vectors, not camera
#: calibrated (research/image-methods.md §2.2, Tsumura et al. JOSA A 1999;16:2169-76) [M].
MELANIN_DENSITY: Final = np.array([0.42, 0.55, 0.72]) / np.linalg.norm([0.42, 0.55, 0.72])
HAEMOGLOBIN_DENSITY: Final = np.array([0.20, 0.80, 0.56]) / np.linalg.norm([0.20, 0.80, 0.56])

#: Linear reflectance of an 18 % grey card, the reference a marked card is scaled to [V: the
#: standard photographic mid-grey].
GREY_CARD_REFLECTANCE: Final = 0.18


def srgb_to_linear(pixels: NDArray[np.uint8] | NDArray[np.uint16]) -> NDArray[np.float32]:
    """sRGB-encoded 8- or 16-bit pixels to linear RGB in [0, 1] (IEC 61966-2-1 transfer curve).

    8-bit input goes through a 256-entry table (``cv2.LUT``: fast at 12 MP).
    """
    if pixels.dtype == np.uint8:
        import cv2

        table = _decode_curve(np.arange(256, dtype=np.float64) / 255.0).astype(np.float32)
        return np.asarray(cv2.LUT(np.ascontiguousarray(pixels), table), dtype=np.float32)
    x = pixels.astype(np.float32) / 65535.0
    return _decode_curve(x).astype(np.float32)


def srgb_to_linear16(pixels: NDArray[np.uint8] | NDArray[np.uint16]) -> NDArray[np.uint16]:
    """sRGB-encoded pixels to linear RGB as 16-bit integers (0-65535), for fast downsampling."""
    if pixels.dtype == np.uint8:
        import cv2

        curve = _decode_curve(np.arange(256, dtype=np.float64) / 255.0)
        table = np.round(curve * 65535.0).astype(np.uint16)
        return np.asarray(cv2.LUT(np.ascontiguousarray(pixels), table), dtype=np.uint16)
    lin = _decode_curve(pixels.astype(np.float32) / 65535.0)
    return np.asarray(np.round(lin * 65535.0), dtype=np.uint16)


def _decode_curve(x: NDArray[np.floating]) -> NDArray[np.floating]:
    return np.where(x <= 0.04045, x / 12.92, ((x + 0.055) / 1.055) ** 2.4)


def linear_to_srgb8(linear: NDArray[np.floating]) -> NDArray[np.uint8]:
    """Linear RGB in [0, 1] to 8-bit sRGB (for rendering and overlays)."""
    x = np.clip(linear, 0.0, 1.0)
    enc = np.where(x <= 0.0031308, 12.92 * x, 1.055 * np.power(x, 1 / 2.4) - 0.055)
    return np.asarray(np.round(enc * 255.0), dtype=np.uint8)


def linear_to_lab(linear: NDArray[np.floating]) -> NDArray[np.float64]:
    """Linear sRGB (``... x 3``) to CIE L*a*b* (D65, 2° observer) with ``skimage.color.xyz2lab``."""
    from skimage.color import xyz2lab

    xyz = np.asarray(linear, dtype=np.float64) @ SRGB_TO_XYZ.T
    return np.asarray(xyz2lab(xyz, illuminant="D65", observer="2"), dtype=np.float64)


def lab_to_linear(lab: NDArray[np.floating]) -> NDArray[np.float64]:
    """CIE L*a*b* (D65) to linear sRGB (may fall outside [0, 1] for out-of-gamut colours)."""
    from skimage.color import lab2xyz

    xyz = np.asarray(lab2xyz(np.asarray(lab, dtype=np.float64), illuminant="D65", observer="2"))
    return np.asarray(xyz @ _XYZ_TO_SRGB.T, dtype=np.float64)


def ita_deg(lightness: float, b_star: float) -> float:
    """Individual Typology Angle, ``atan2(L* - 50, b*)`` in degrees.

    References
    ----------
    Chardon A, Cretois I, Hourseau C. Skin colour typology and suntanning pathways. Int J Cosmet
    Sci 1991;13:191-208 (formula with atan; atan2 avoids the b* = 0 blow-up,
    research/image-methods.md §2.3) [V].
    """
    return float(np.degrees(np.arctan2(lightness - 50.0, b_star)))


def ita_category(ita: float) -> ItaCategory:
    """The ITA° band: ``> 55`` very light, ``(41, 55]`` light, ``(28, 41]`` intermediate,
    ``(10, 28]`` tan, ``(-30, 10]`` brown, ``<= -30`` dark (boundaries go to the darker band)."""
    for lower, name in ITA_BANDS:
        if ita > lower:
            return name
    return "dark"


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


def ciede2000(lab1: NDArray[np.floating], lab2: NDArray[np.floating]) -> NDArray[np.float64]:
    """CIEDE2000 colour difference (``skimage.color.deltaE_ciede2000``, kL = kC = kH = 1).

    References
    ----------
    Sharma G, Wu W, Dalal EN. The CIEDE2000 color-difference formula: implementation notes,
    supplementary test data, and mathematical observations. Color Res Appl 2005;30(1):21-30.
    doi:10.1002/col.20070 [V].
    """
    from skimage.color import deltaE_ciede2000

    diff = deltaE_ciede2000(np.asarray(lab1), np.asarray(lab2))  # type: ignore[no-untyped-call]
    return np.asarray(diff, dtype=np.float64)


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
    import cv2

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
