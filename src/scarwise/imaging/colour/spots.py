"""Red and brown marks against the surrounding skin: illumination flattening, local background,
pigment excess, and the marks as connected regions.

Pure functions of linear-RGB arrays. Detection works in optical density relative to a *local*
background (never a global threshold), so the same thresholds serve light and dark skin: a mark
that absorbs 15 % more light is the same density step on any skin tone (research/image-methods.md
§2.1: density is linear in pigment amount) [M]. Hairs are removed by shape (a morphological
opening drops structures thinner than about 4 px at the working resolution); shine (specular
highlights) is excluded as brighter-than-background, low-chroma pixels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

import cv2
import numpy as np
from numpy.typing import NDArray

from scarwise.imaging.colour.illumination import illumination_field
from scarwise.imaging.colour.pigments import HAEMOGLOBIN_DENSITY, MELANIN_DENSITY, pigment_amounts

__all__ = ["DetectedSpot", "SkinMeasurement", "measure_skin"]

_LUMA: Final = np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)  # Rec. 709 / sRGB Y [V]
# Direction of "more pigment" used for detection: the mean of the two pigment directions.
_PIGMENT_AXIS: Final = (MELANIN_DENSITY + HAEMOGLOBIN_DENSITY) / np.linalg.norm(
    MELANIN_DENSITY + HAEMOGLOBIN_DENSITY
)

# Detection thresholds in optical density (natural log units) and in robust noise sigmas.
# Tuned on synthetic patches of seeds 0-59 (docs/validation-colour.md); held-out seeds test them.
WEAK_DENSITY: Final = 0.045
STRONG_DENSITY: Final = 0.075
WEAK_SIGMAS: Final = 3.5
STRONG_SIGMAS: Final = 6.0
SHINE_DENSITY: Final = 0.06  # brighter than the background by this much: shine
#: Darker than the background by this much (natural log: under half the light) is a hair or a
#: shadow line, never a pigment mark (a brown patch darkens skin by 10-30 %).
HAIR_DENSITY: Final = 0.7
# Background blur, as a fraction of the longer side of the analysed region's bounding box.
BACKGROUND_SIGMA_FRACTION: Final = 0.1
# A component whose widest inscribed disk has a radius under THIN_RADIUS px and whose area is
# more than THIN_ELONGATION times that disk's is a hair or a line, not a mark.
THIN_RADIUS: Final = 3.5
THIN_ELONGATION: Final = 5.0
SATURATED_LINEAR: Final = 0.94  # 8-bit sRGB code 249: within noise of clipping


@dataclass(frozen=True)
class DetectedSpot:
    """One mark at the working resolution (the caller scales to photo pixels)."""

    kind: Literal["erythema", "hyperpigmentation"]
    mask_slice: tuple[slice, slice]
    mask: NDArray[np.bool_]  # within mask_slice
    area: int
    centroid: tuple[float, float]  # (x, y)
    mean_linear: NDArray[np.float64]
    background_linear: NDArray[np.float64]
    melanin_excess: float
    haemoglobin_excess: float


@dataclass(frozen=True)
class SkinMeasurement:
    """What :func:`measure_skin` found."""

    field: NDArray[np.float32]  # illumination, 1 at the photo's centre (planar trend)
    corrected: NDArray[np.float32]  # linear RGB / field
    clean_skin: NDArray[np.bool_]  # region minus marks, hairs, shine
    spots: tuple[DetectedSpot, ...]
    noise_density: float
    saturated_fraction: float
    excess: NDArray[np.float32]  # pigment density over the local background, per pixel
    near_shine: NDArray[np.bool_]  # specular highlights and a rim around them


def _to_size(small: NDArray[np.float32], size: tuple[int, int]) -> NDArray[np.float32]:
    """Bilinear resize of a smooth low-resolution map (or a constant) to ``size`` = (h, w)."""
    h, w = size
    if small.shape[0] == 1 and small.shape[1] == 1:
        return np.broadcast_to(small[0, 0], (h, w, *small.shape[2:])).astype(np.float32)
    return np.asarray(cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR), dtype=np.float32)


def _masked_log_blur(
    linear: NDArray[np.float32],
    field: NDArray[np.float32],
    mask: NDArray[np.bool_],
    sigma_fraction: float,
) -> NDArray[np.float32]:
    """Log of the local background colour: a normalised convolution (Gaussian mean over
    ``mask``) of ``linear / field``, computed on a raster of at most 160 px and returned small."""
    h, w = mask.shape
    side = 160
    sh, sw = (side, max(4, round(side * w / h))) if h >= w else (max(4, round(side * h / w)), side)
    m = mask.astype(np.float32)
    num = cv2.resize(linear * (m / field)[..., None], (sw, sh), interpolation=cv2.INTER_AREA)
    den = cv2.resize(m, (sw, sh), interpolation=cv2.INTER_AREA)
    ys, xs = np.nonzero(mask[:: max(1, h // 256), :: max(1, w // 256)])
    if ys.size:
        extent = max(
            (ys.max() - ys.min() + 1) * max(1, h // 256) / h * sh,
            (xs.max() - xs.min() + 1) * max(1, w // 256) / w * sw,
        )
    else:
        extent = max(sh, sw)
    sigma = max(1.0, sigma_fraction * float(extent))
    k = int(sigma * 6) | 1
    num = cv2.GaussianBlur(num, (k, k), sigma, borderType=cv2.BORDER_REFLECT)
    den = cv2.GaussianBlur(den, (k, k), sigma, borderType=cv2.BORDER_REFLECT)
    small = num / np.maximum(den, 1e-6)[..., None]
    valid = den > 1e-3
    fallback = small[valid].mean(axis=0) if valid.any() else np.full(3, 0.5)
    small = np.where(valid[..., None], small, fallback)
    return np.asarray(np.log(np.maximum(small, 1e-4)), dtype=np.float32)


#: The centre level may differ from the region's mean light by at most this factor either way
#: (a plane extrapolated far from a small region must not run away).
MAX_CENTRE_LEVEL: Final = 1.4


def _centre_level(field: NDArray[np.float32], region: NDArray[np.bool_]) -> float:
    """The light at the photo's centre relative to its mean over the region (``field`` has mean
    1 there): a least-squares plane fitted to the field over the region, evaluated at the
    centre.

    Over a region symmetric about the centre (a whole close-up) this is the region's mean
    light, as before; over a face off to one side it is the light the photo's middle gets, so
    that a light gradient across the photo (mean brightness unchanged) or a centred crop moves
    the skin tone little.
    """
    h, w = region.shape
    step = max(1, int(np.sqrt(h * w / 40_000)))
    ys, xs = np.nonzero(region[::step, ::step])
    if ys.size < 10:
        return 1.0
    vals = field[::step, ::step][ys, xs].astype(np.float64)
    u = (xs * step + 0.5) / w - 0.5
    v = (ys * step + 0.5) / h - 0.5
    design = np.stack([np.ones_like(u), u, v], axis=1)
    coef, *_ = np.linalg.lstsq(design, vals, rcond=None)
    return float(np.clip(coef[0], 1 / MAX_CENTRE_LEVEL, MAX_CENTRE_LEVEL))


def _robust_sigma(values: NDArray[np.floating]) -> float:
    if values.size == 0:
        return 0.0
    med = float(np.median(values))
    return float(1.4826 * np.median(np.abs(values - med)))


def _spot(
    comp: NDArray[np.bool_],
    sl: tuple[slice, slice],
    area: int,
    centroid: NDArray[np.float64],
    dens: NDArray[np.float32],
    corrected: NDArray[np.float32],
    background: NDArray[np.float32],
) -> DetectedSpot:
    cm, ch = pigment_amounts(dens[sl][comp].mean(axis=0))
    kind: Literal["erythema", "hyperpigmentation"] = "hyperpigmentation" if cm >= ch else "erythema"
    return DetectedSpot(
        kind=kind,
        mask_slice=sl,
        mask=comp,
        area=area,
        centroid=(float(centroid[0]), float(centroid[1])),
        mean_linear=corrected[sl][comp].mean(axis=0).astype(np.float64),
        background_linear=np.asarray(background[sl][comp].mean(axis=0), dtype=np.float64),
        melanin_excess=float(cm),
        haemoglobin_excess=float(ch),
    )


def _is_thin(component: NDArray[np.bool_]) -> bool:
    """A hair or a line: its widest inscribed disk is small and it is long for that width."""
    padded = np.pad(component, 1).astype(np.uint8)
    radius = float(cv2.distanceTransform(padded, cv2.DIST_L2, 5).max())
    elongation = float(component.sum()) / (np.pi * max(radius, 0.5) ** 2)
    return radius < THIN_RADIUS and elongation > THIN_ELONGATION


def measure_skin(
    linear: NDArray[np.float32],
    region: NDArray[np.bool_],
    *,
    min_area: int = 20,
    opening_radius: int = 3,
    iterations: int = 3,
) -> SkinMeasurement:
    """Flatten the light, find the marks, and return the clean skin (working resolution).

    Parameters
    ----------
    linear
        ``H x W x 3`` linear RGB.
    region
        Skin to analyse.
    min_area
        Marks smaller than this many pixels are ignored (contracts/imaging.md: 20 px in the
        photo; the caller scales it to the working resolution).
    opening_radius
        Radius of the disk used to drop thin structures (hairs, wrinkle lines).
    iterations
        Rounds of illumination / background / mark estimation (each excludes the marks found so
        far from the next estimate).
    """
    lum = np.asarray(linear @ _LUMA, dtype=np.float32)
    # Clipped pixels (any channel at the top of the range) carry no colour: never skin samples.
    saturated = region & (linear.max(axis=-1) >= SATURATED_LINEAR)
    excluded = saturated.copy()
    log_smooth = np.log(np.maximum(cv2.GaussianBlur(linear, (3, 3), 0.6), 1e-4))
    axis = _PIGMENT_AXIS.astype(np.float32)
    ls_axis = np.asarray(log_smooth @ axis, dtype=np.float32)
    ls_mean = np.asarray(log_smooth.mean(axis=-1), dtype=np.float32)
    h, w = region.shape
    stride = max(1, int(np.sqrt(h * w / 150_000)))
    field = np.ones(region.shape, dtype=np.float32)
    log_bg_small = np.zeros((2, 2, 3), dtype=np.float32)
    excess = np.zeros(region.shape, dtype=np.float32)
    weak = strong = excluded
    shine = np.zeros(region.shape, dtype=bool)
    sigma = 0.0
    for it in range(iterations):
        clean = region & ~excluded
        if clean.sum() < 50:
            clean = region
        field = illumination_field(lum, clean, normalise_over=region)
        log_field = np.log(field)
        if it == 0:
            sample = (linear[::stride, ::stride] / field[::stride, ::stride, None])[
                clean[::stride, ::stride]
            ]
            med = np.median(sample, axis=0) if sample.size else np.full(3, 0.5)
            log_bg_small = np.log(np.maximum(med, 1e-4)).astype(np.float32)[None, None, :]
        else:
            log_bg_small = _masked_log_blur(linear, field, clean, BACKGROUND_SIGMA_FRACTION)
        bg_axis = _to_size(np.asarray(log_bg_small @ axis, dtype=np.float32), (h, w))
        bg_mean = _to_size(np.asarray(log_bg_small.mean(axis=-1), dtype=np.float32), (h, w))
        # Density over the local background along the pigment axis, and overall brightness.
        excess = np.asarray(bg_axis + log_field * float(axis.sum()) - ls_axis, dtype=np.float32)
        brightness = bg_mean + log_field - ls_mean
        sampled = excess[::stride, ::stride][clean[::stride, ::stride]]
        sigma = _robust_sigma(sampled)
        weak_t = max(WEAK_DENSITY, WEAK_SIGMAS * sigma)
        strong_t = max(STRONG_DENSITY, STRONG_SIGMAS * sigma)
        hair = (
            cv2.dilate(
                (region & (brightness > HAIR_DENSITY)).astype(np.uint8), np.ones((3, 3), np.uint8)
            )
            > 0
        )
        weak = region & (excess > weak_t) & ~hair
        strong = region & (excess > strong_t) & ~hair
        shine = region & (brightness < -max(SHINE_DENSITY, WEAK_SIGMAS * sigma))
        grown = cv2.dilate((weak | shine).astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
        excluded = (grown & region) | saturated

    log_field = np.log(field)
    log_bg = _to_size(log_bg_small, (h, w))
    # The level the light is normalised to: its planar trend at the photo's centre.
    level = _centre_level(field, region)
    field = np.asarray(field / level, dtype=np.float32)
    corrected = np.asarray(linear / field[..., None], dtype=np.float32)
    log_bg = np.asarray(log_bg + np.float32(np.log(level)), dtype=np.float32)
    log_field = np.asarray(log_field - np.float32(np.log(level)), dtype=np.float32)
    # Per-pixel optical density over the background: log(bg) - log(smoothed / field).
    dens = np.asarray(log_bg - log_smooth + log_field[..., None], dtype=np.float32)
    background = np.exp(log_bg)

    near_shine = cv2.dilate(shine.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    # Marks: weak pixels connected to a strong one. A whole component that is thin is a hair; in
    # the others an opening cuts off attached hairs and the thin remains are dropped too.
    disk = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * opening_radius + 1,) * 2)
    n_raw, raw_labels, raw_stats, _ = cv2.connectedComponentsWithStats(
        weak.astype(np.uint8), connectivity=8
    )
    spots: list[DetectedSpot] = []
    pad = opening_radius + 1
    hh, ww = weak.shape
    for i in range(1, n_raw):
        x, y, w, h, area = (int(v) for v in raw_stats[i])
        if area < min_area:
            continue
        y0, x0 = max(0, y - pad), max(0, x - pad)
        y1, x1 = min(hh, y + h + pad), min(ww, x + w + pad)
        raw = raw_labels[y0:y1, x0:x1] == i
        if _is_thin(raw):
            continue
        opened = cv2.morphologyEx(raw.astype(np.uint8), cv2.MORPH_OPEN, disk)
        n, labels, stats, centroids = cv2.connectedComponentsWithStats(opened, connectivity=8)
        for j in range(1, n):
            sx, sy, sw, sh, sub_area = (int(v) for v in stats[j])
            if sub_area < min_area:
                continue
            local = (slice(sy, sy + sh), slice(sx, sx + sw))
            comp = labels[local] == j
            sl = (slice(y0 + sy, y0 + sy + sh), slice(x0 + sx, x0 + sx + sw))
            if not (strong[sl] & comp).any() or _is_thin(comp):
                continue
            if (near_shine[sl] & comp).any():  # the dark rim of a highlight, not a mark
                continue
            spots.append(
                _spot(comp, sl, sub_area, centroids[j] + (x0, y0), dens, corrected, background)
            )
    clean = region & ~excluded
    if clean.sum() < 50:
        clean = region
    return SkinMeasurement(
        field=field,
        corrected=corrected,
        clean_skin=clean,
        spots=tuple(spots),
        noise_density=float(sigma),
        saturated_fraction=float(saturated.sum() / max(1, int(region.sum()))),
        excess=excess,
        near_shine=near_shine,
    )
