"""Which pixels of a photo are skin: a per-photo pigment-chroma model, for any framing.

No offline face-parsing or skin-segmentation model ships in a well-kept package (the research
note's §1.2 search, repeated for this module: the PyPI face-parsing wheels carry no weights,
``pyfacer`` fetches its weights from GitHub at run time, MediaPipe's multi-class selfie
segmenter is a download, not in any wheel) [T]. So skin is found by a classical method built
on the physics the colour analysis already uses (research/image-methods.md §2):

1. **Chroma that ignores light.** Each pixel's log-chromaticity ``(log R/G, log B/G)`` of
   linear RGB: shading and exposure (a common scale factor) cancel.
2. **A per-photo skin model, fitted robustly from seeds.** Seeds are the face mesh's inner
   skin when a face is found; otherwise the largest coherent cluster of pixels whose chroma is
   plausible for skin (a prior drawn from CIELAB skin colours of every ITA°), that are smooth,
   and away from the borders. The model is the seeds' median chroma and robust covariance.
3. **Skin is base skin plus pigment.** A pixel's chroma offset from the model is split into
   the haemoglobin and melanin directions (the chroma of adding either pigment): normal skin
   lies within a few robust sigmas on both; red and brown marks lie further out on the
   positive side only (so acne is kept as skin); grey, white, blue, green and "less pigmented
   than skin" colours (walls, clothing, sclera, shine, text) fall outside.
4. **What skin-coloured things are not skin.** Far darker than the skin around it (hair, brows,
   lashes, pupils, nostrils, deep shadow; a smooth illumination field is fitted on the seeds);
   darker *and* dense with edges (hair over skin, stubble); perfectly flat areas (bars, filled
   text, padding: real skin always carries texture and noise); clipped pixels; a border band;
   large, smooth, very red areas (lips, when no face mesh marks them); and, when a face is
   found, its eyes, brows, lips and nostrils from the mesh and anything far outside the face.
5. **Clean-up.** Small specks are dropped, small holes of skin chroma filled, components far
   smaller than the largest dropped.

The evidence that a photo shows skin at all (an animal, a cup, a landscape have none) is
judged from the result: a face, or enough smooth pixels in the skin model whose model sits on
the skin-colour prior.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

import cv2
import numpy as np
from numpy.typing import NDArray

from scarwise.imaging.colour.colour_space import lab_to_linear
from scarwise.imaging.colour.illumination import illumination_field
from scarwise.imaging.colour.pigments import HAEMOGLOBIN_DENSITY, MELANIN_DENSITY

__all__ = [
    "SKIN_CHROMA_PRIOR",
    "SkinSegmentation",
    "flat_areas",
    "log_chroma",
    "pigment_chroma_offsets",
    "segment_skin",
]

#: Longest side of the raster the skin is segmented on (the mask is resized to the photo).
SEGMENT_SIDE: Final = 512
#: Border band left out, as a fraction of the shorter side (edge artefacts, vignetting,
#: frames).
BORDER_FRACTION: Final = 0.015
#: Pixels darker than this fraction of the skin's illumination-corrected brightness are not
#: skin (hair, brows, pupils, nostrils, deep shadow) [M: tuned by eye on ACNE04 tuning photos].
DARK_FRACTION: Final = 0.42
#: Darker than this fraction *and* dense with edges: hair over skin, stubble, lashes.
HAIRY_DARK_FRACTION: Final = 0.75
#: Robust sigmas of the per-photo model that normal skin chroma may deviate.
SKIN_SIGMAS: Final = 3.5
#: How far (robust sigmas) more haemoglobin or melanin than the skin may go and stay skin.
PIGMENT_SIGMAS: Final = 14.0
#: Local standard deviation (8-bit code values, all channels) under which an area is flat.
FLAT_STD: Final = 0.45

_EPS: Final = 1.0 / 4096.0


def log_chroma(linear: NDArray[np.floating]) -> NDArray[np.float32]:
    """``(log R/G, log B/G)`` of linear RGB (``... x 3`` -> ``... x 2``): shading cancels."""
    lin = np.maximum(np.asarray(linear, dtype=np.float32), np.float32(_EPS))
    log = np.log(lin)
    return np.stack([log[..., 0] - log[..., 1], log[..., 2] - log[..., 1]], axis=-1)


def _pigment_chroma(density: NDArray[np.float64]) -> NDArray[np.float64]:
    """Chroma direction of adding one unit of a pigment's optical density."""
    d = np.asarray(density, dtype=np.float64)
    v = np.array([-(d[0] - d[1]), -(d[2] - d[1])])
    return np.asarray(v / np.linalg.norm(v))


_RED_DIR: Final = _pigment_chroma(HAEMOGLOBIN_DENSITY)
_BROWN_DIR: Final = _pigment_chroma(MELANIN_DENSITY)
#: Chroma basis: columns are the haemoglobin and melanin chroma directions.
_PIGMENT_BASIS_INV: Final = np.linalg.inv(np.stack([_RED_DIR, _BROWN_DIR], axis=1))


def pigment_chroma_offsets(
    offset: NDArray[np.floating],
) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """Split chroma offsets (``... x 2``, in ``(log R/G, log B/G)``) into the amounts along
    the haemoglobin and the melanin chroma directions: (redder, browner)."""
    coef = np.asarray(offset, dtype=np.float32) @ _PIGMENT_BASIS_INV.T.astype(np.float32)
    return (
        np.asarray(coef[..., 0], dtype=np.float32),
        np.asarray(coef[..., 1], dtype=np.float32),
    )


def _skin_chroma_prior() -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Mean and covariance of the chroma of CIELAB skin colours over every ITA°.

    Skin colours: L* 25-82, a* 4-18, b* 6-28 with ITA° from -70 to +80 (the ranges of
    research/clinical-facts.md §6.2's bands), in gamut. Used only to pick seeds and to judge
    whether a photo shows skin; the per-photo model does the segmentation.
    """
    pts = []
    for lightness in np.linspace(25.0, 82.0, 12):
        for a in np.linspace(4.0, 18.0, 8):
            for b in np.linspace(6.0, 28.0, 12):
                ita = np.degrees(np.arctan2(lightness - 50.0, b))
                if not -70.0 <= ita <= 80.0:
                    continue
                lin = lab_to_linear(np.array([lightness, a, b]))
                if np.all(lin > 0.002) and np.all(lin < 1.0):
                    pts.append(log_chroma(lin))
    arr = np.asarray(pts, dtype=np.float64)
    return arr.mean(axis=0), np.cov(arr.T)


#: ``(mean, covariance)`` of skin chroma over every skin tone (see :func:`_skin_chroma_prior`).
SKIN_CHROMA_PRIOR: Final = _skin_chroma_prior()


@dataclass(frozen=True)
class SkinSegmentation:
    """The skin found in a photo, at the segmentation raster's size.

    Attributes
    ----------
    mask
        True = skin to analyse.
    seeds_from
        ``face`` (the mesh's inner skin) or ``colour`` (the dominant plausible cluster).
    chroma_mean, chroma_cov
        The per-photo skin model in ``(log R/G, log B/G)``.
    prior_distance
        Mahalanobis distance of the model's mean from the skin-colour prior (large: the
        "skin" found is not skin-coloured, e.g. fur or coffee under a cast).
    texture, coarse_texture
        Median band-pass contrast of log luminance in the mask at 2-6 px and 4-12 px (on the
        :data:`SEGMENT_SIDE` raster): fur, fabric, foliage and food are rougher than skin.
    coverage
        Share of the photo's pixels in the mask.
    excluded
        Named masks of what was left out (for overlays and debugging).
    """

    mask: NDArray[np.bool_]
    seeds_from: Literal["face", "colour"]
    chroma_mean: NDArray[np.float64]
    chroma_cov: NDArray[np.float64]
    prior_distance: float
    texture: float
    coarse_texture: float
    coverage: float
    excluded: dict[str, NDArray[np.bool_]]


def _robust_model(
    chroma: NDArray[np.float32],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Median and a trimmed covariance of ``N x 2`` chroma samples (floor 0.03 per axis)."""
    x = np.asarray(chroma, dtype=np.float64)
    mean = np.median(x, axis=0)
    mad = 1.4826 * np.median(np.abs(x - mean), axis=0) + 1e-3
    cov = np.diag(mad**2)
    for _ in range(3):
        d2 = _mahalanobis2(x, mean, cov)
        keep = x[d2 < 9.0]
        if keep.shape[0] < 20:
            break
        mean = np.median(keep, axis=0)
        # A 3-sigma-trimmed Gaussian keeps 97 % of its mass; its covariance shrinks by ~0.74.
        cov = np.cov(keep.T) / 0.74
    cov = cov + np.diag([0.03**2, 0.03**2])
    return mean, cov


def _mahalanobis2(
    x: NDArray[np.floating], mean: NDArray[np.float64], cov: NDArray[np.float64]
) -> NDArray[np.float64]:
    inv = np.linalg.inv(cov)
    d = np.asarray(x, dtype=np.float64) - mean
    return np.asarray(np.einsum("...i,ij,...j->...", d, inv, d))


def _pigment_offsets(
    chroma: NDArray[np.float32], mean: NDArray[np.float64], cov: NDArray[np.float64]
) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """Offsets of each pixel's chroma from the skin model along the haemoglobin and melanin
    chroma directions, in robust sigmas of the model along each."""
    coef = (chroma - mean.astype(np.float32)) @ _PIGMENT_BASIS_INV.T.astype(np.float32)
    # Sigma of the model along each direction (as coefficients in the same basis).
    cov_c = _PIGMENT_BASIS_INV @ cov @ _PIGMENT_BASIS_INV.T
    sig = np.sqrt(np.diag(cov_c))
    return (
        np.asarray(coef[..., 0] / sig[0], dtype=np.float32),
        np.asarray(coef[..., 1] / sig[1], dtype=np.float32),
    )


def _disk(radius: int) -> NDArray[np.uint8]:
    r = max(1, int(radius))
    return np.asarray(cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1)))


def _local_std(img: NDArray[np.float32], size: int) -> NDArray[np.float32]:
    mean = cv2.blur(img, (size, size))
    sq = cv2.blur(img * img, (size, size))
    return np.asarray(np.sqrt(np.maximum(sq - mean * mean, 0.0)), dtype=np.float32)


def flat_areas(rgb8: NDArray[np.uint8], size: tuple[int, int]) -> NDArray[np.bool_]:
    """Areas drawn over the photo with (almost) no variation: privacy bars and mosaics, filled
    text, padding; returned at ``size`` = (h, w).

    Measured on the photo decimated (every n-th pixel, no averaging) to at most 1024 px a side,
    so camera noise survives: real skin always varies by more than :data:`FLAT_STD` code
    values in a 5 x 5 window, a drawn area does not. Flat blocks closer than a few pixels are
    joined (the edges between mosaic tiles are not flat) and the holes they enclose filled.
    """
    step = max(1, int(np.ceil(max(rgb8.shape[:2]) / 1024)))
    img = np.ascontiguousarray(rgb8[::step, ::step]).astype(np.float32)
    std = np.max(np.stack([_local_std(img[..., c], 5) for c in range(3)], axis=-1), axis=-1)
    flat = (std < FLAT_STD).astype(np.uint8)
    flat = np.asarray(cv2.morphologyEx(flat, cv2.MORPH_OPEN, _disk(2)), dtype=np.uint8)
    flat = np.asarray(cv2.morphologyEx(flat, cv2.MORPH_CLOSE, _disk(3)), dtype=np.uint8)
    flat = _fill_holes(flat) | _mosaics(flat)
    h, w = size
    small = cv2.resize(flat.astype(np.float32), (w, h), interpolation=cv2.INTER_AREA)
    return np.asarray(cv2.dilate((small > 0.25).astype(np.uint8), _disk(1)) > 0)


def _mosaics(flat: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """Pixelated (mosaic) areas: groups of four or more flat, rectangular tiles close together,
    filled to their convex hull (tiles whose colour varies a little lie between them)."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(flat, connectivity=4)
    out = np.zeros(flat.shape, dtype=np.uint8)
    if n <= 4:
        return out
    area = stats[1:, cv2.CC_STAT_AREA].astype(np.float64)
    box = (stats[1:, cv2.CC_STAT_WIDTH] * stats[1:, cv2.CC_STAT_HEIGHT]).astype(np.float64)
    tiles = np.flatnonzero((area >= 30) & (area >= 0.6 * box)) + 1
    if tiles.size < 4:
        return out
    tile_mask = np.isin(labels, tiles).astype(np.uint8)
    reach = max(2, round(float(np.median(np.sqrt(area[tiles - 1]))) * 0.6))
    groups = cv2.dilate(tile_mask, _disk(reach))
    m, glabels = cv2.connectedComponents(groups, connectivity=8)
    for g in range(1, m):
        members = np.unique(labels[(glabels == g) & (tile_mask > 0)])
        if members.size >= 4:
            ys, xs = np.nonzero((glabels == g) & (tile_mask > 0))
            hull = cv2.convexHull(np.stack([xs, ys], axis=1).astype(np.int32))
            cv2.fillPoly(out, [hull], 1)
    return out


def _fill_holes(mask: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """Fill holes of a 0/1 mask that do not touch the border."""
    holes = (mask == 0).astype(np.uint8)
    n, labels, _, _ = cv2.connectedComponentsWithStats(holes, connectivity=4)
    if n <= 1:
        return mask
    edge = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    inner = np.setdiff1d(np.arange(1, n), edge)
    out = mask.copy()
    out[np.isin(labels, inner)] = 1
    return out


def _edge_density(log_lum: NDArray[np.float32]) -> NDArray[np.float32]:
    """Local mean of the fine gradient magnitude of log luminance (hair, fur, text: high)."""
    gx = cv2.Sobel(log_lum, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(log_lum, cv2.CV_32F, 0, 1, ksize=3)
    mag = np.sqrt(gx * gx + gy * gy)
    return np.asarray(cv2.blur(mag, (7, 7)), dtype=np.float32)


def _colour_seeds(
    chroma: NDArray[np.float32],
    usable: NDArray[np.bool_],
    edges: NDArray[np.float32],
) -> NDArray[np.bool_]:
    """Seeds without a face: the dominant cluster of plausible, smooth skin chroma."""
    prior_mean, prior_cov = SKIN_CHROMA_PRIOR
    plausible = usable & (_mahalanobis2(chroma, prior_mean, prior_cov) < 9.0)
    if plausible.sum() < 50:
        return plausible
    smooth_t = float(np.percentile(edges[plausible], 60))
    cand = plausible & (edges <= smooth_t)
    if cand.sum() < 50:
        cand = plausible
    # The mode of the candidates' chroma (2-D histogram, 0.04-wide bins, smoothed).
    c = chroma[cand]
    lo = c.min(axis=0)
    bins = np.maximum(1, np.ceil((c.max(axis=0) - lo) / 0.04).astype(int) + 1)
    idx = np.floor((c - lo) / 0.04).astype(int)
    hist = np.zeros((int(bins[0]), int(bins[1])), dtype=np.float32)
    np.add.at(hist, (idx[:, 0], idx[:, 1]), 1.0)
    hist = np.asarray(cv2.GaussianBlur(hist, (0, 0), 1.5), dtype=np.float32)
    # Weigh each bin by the prior's density there: a large beige wall must not beat the skin.
    gx, gy = np.meshgrid(
        lo[0] + (np.arange(hist.shape[0]) + 0.5) * 0.04,
        lo[1] + (np.arange(hist.shape[1]) + 0.5) * 0.04,
        indexing="ij",
    )
    centres = np.stack([gx, gy], axis=-1)
    hist = hist * np.exp(-0.5 * _mahalanobis2(centres, prior_mean, prior_cov)).astype(np.float32)
    peak = np.array(np.unravel_index(int(np.argmax(hist)), hist.shape), dtype=np.float64)
    mode = lo + (peak + 0.5) * 0.04
    near = np.linalg.norm(chroma - mode.astype(np.float32), axis=-1) < 0.12
    seeds = np.asarray(cand & near, dtype=bool)
    # The largest connected pieces of the seeds (skin is one or a few regions).
    n, labels, stats, _ = cv2.connectedComponentsWithStats(seeds.astype(np.uint8), connectivity=8)
    if n <= 2:
        return seeds
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = np.flatnonzero(areas >= 0.2 * areas.max()) + 1
    return np.asarray(np.isin(labels, keep), dtype=bool)


def segment_skin(
    rgb8: NDArray[np.uint8],
    linear: NDArray[np.float32],
    *,
    face_skin: NDArray[np.bool_] | None = None,
    face_allowed: NDArray[np.bool_] | None = None,
    flat: NDArray[np.bool_] | None = None,
) -> SkinSegmentation:
    """Segment the skin of one photo (any framing) at the resolution of ``rgb8``.

    Parameters
    ----------
    rgb8, linear
        The photo as 8-bit sRGB and as linear RGB, same size (a raster of at most a few hundred
        pixels a side is enough: :data:`SEGMENT_SIDE`).
    face_skin
        The face mesh's inner skin (seeds), when a face was found.
    face_allowed
        Where skin may be when a face was found: the face oval with a margin, minus its eyes,
        brows, lips and nostrils.
    flat
        Drawn, flat areas (:func:`flat_areas` of the full photo); measured on ``rgb8`` when
        not given.
    """
    h, w = rgb8.shape[:2]
    side = min(h, w)
    chroma = np.asarray(cv2.GaussianBlur(log_chroma(linear), (0, 0), 1.0), dtype=np.float32)
    lum = np.asarray(linear @ np.array([0.2126, 0.7152, 0.0722], dtype=np.float32))
    log_lum = np.log(np.maximum(lum, _EPS)).astype(np.float32)
    edges = _edge_density(log_lum)

    border = np.zeros((h, w), dtype=bool)
    band = max(2, round(BORDER_FRACTION * side))
    border[:band] = border[-band:] = True
    border[:, :band] = border[:, -band:] = True
    clipped = np.asarray(cv2.dilate((rgb8.max(axis=-1) >= 250).astype(np.uint8), _disk(1)) > 0)
    too_dark = lum < 0.004  # near black: no colour to measure
    if flat is None:
        flat = flat_areas(rgb8, (h, w))
    usable = ~(border | clipped | too_dark | flat)

    if face_skin is not None and (face_skin & usable).sum() >= 200:
        seeds = face_skin & usable
        seeds_from: Literal["face", "colour"] = "face"
    else:
        seeds = _colour_seeds(chroma, usable, edges)
        seeds_from = "colour"
    if seeds.sum() < 30:
        seeds = usable.copy() if usable.any() else np.ones((h, w), dtype=bool)
    mean, cov = _robust_model(chroma[seeds])
    red, brown = _pigment_offsets(chroma, mean, cov)
    chroma_ok = (
        (red > -SKIN_SIGMAS)
        & (brown > -SKIN_SIGMAS)
        & (red < PIGMENT_SIGMAS)
        & (brown < PIGMENT_SIGMAS)
        & ((red < SKIN_SIGMAS) | (brown < SKIN_SIGMAS) | (red + brown < PIGMENT_SIGMAS))
    )
    in_model = _mahalanobis2(chroma, mean, cov) < SKIN_SIGMAS**2

    # Brightness relative to the skin's smooth illumination.
    core = seeds & in_model
    if core.sum() < 30:
        core = seeds
    field = illumination_field(lum, core, degree=2, grid=48)
    level = float(np.median(lum[core] / field[core])) if core.any() else float(np.median(lum))
    rel = lum / np.maximum(field * level, _EPS)
    edge_skin = float(np.percentile(edges[core], 90)) if core.any() else float(edges.mean())
    # Red marks are dark in luminance (haemoglobin absorbs green): darkness only counts for
    # pixels that are not markedly redder than the skin (hair and shadows are not).
    reddish = red > SKIN_SIGMAS
    dark = (rel < DARK_FRACTION) & ~reddish
    hairy = (rel < HAIRY_DARK_FRACTION) & (edges > 2.5 * edge_skin) & ~reddish
    dark = np.asarray(cv2.dilate((dark | hairy).astype(np.uint8), _disk(max(1, side // 256))) > 0)
    strokes = _strokes(log_lum, chroma, mean)

    # Large, smooth, very red areas (lips) are not skin; red marks (rough clusters) are.
    very_red = chroma_ok & ~in_model & (red > 2 * SKIN_SIGMAS) & (red > brown)
    lips = _large_parts(
        very_red, min_area=(0.045 * side) ** 2, smooth=edges, smooth_below=1.2 * edge_skin
    )

    mask = chroma_ok & usable & ~dark & ~lips & ~strokes
    if face_allowed is not None:
        mask &= face_allowed
    mask = _clean(mask, side)
    excluded = {
        "border": border,
        "clipped": clipped,
        "flat": flat,
        "dark": dark,
        "lips": lips,
        "strokes": strokes,
        "colour": ~chroma_ok,
    }
    prior_mean, prior_cov = SKIN_CHROMA_PRIOR
    prior_d = float(np.sqrt(_mahalanobis2(mean, prior_mean, prior_cov)))
    fine, coarse = _texture(log_lum, mask)
    return SkinSegmentation(
        mask=mask,
        seeds_from=seeds_from,
        chroma_mean=mean,
        chroma_cov=cov,
        prior_distance=prior_d,
        texture=fine,
        coarse_texture=coarse,
        coverage=float(mask.mean()),
        excluded=excluded,
    )


def _texture(log_lum: NDArray[np.float32], mask: NDArray[np.bool_]) -> tuple[float, float]:
    if not mask.any():
        return 0.0, 0.0
    out = []
    for s1, s2 in ((2.0, 6.0), (4.0, 12.0)):
        band = np.abs(cv2.GaussianBlur(log_lum, (0, 0), s1) - cv2.GaussianBlur(log_lum, (0, 0), s2))
        out.append(float(np.median(band[mask])))
    return out[0], out[1]


def _large_parts(
    mask: NDArray[np.bool_],
    *,
    min_area: float,
    smooth: NDArray[np.float32],
    smooth_below: float,
) -> NDArray[np.bool_]:
    """Components of ``mask`` of at least ``min_area`` pixels whose median ``smooth`` value is
    under ``smooth_below`` (large and even: lips, not a cluster of marks)."""
    _, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    out = np.zeros(mask.shape, dtype=bool)
    for i in np.flatnonzero(stats[1:, cv2.CC_STAT_AREA] >= min_area) + 1:
        part = labels == i
        if float(np.median(smooth[part])) < smooth_below:
            out |= part
    return out


def _strokes(
    log_lum: NDArray[np.float32], chroma: NDArray[np.float32], skin_mean: NDArray[np.float64]
) -> NDArray[np.bool_]:
    """Thin bright, paler-than-skin strokes: text and watermarks drawn over the photo.

    A white top-hat (brighter than an opening with a 2-px disk) picks out structures at most
    ~4 px wide; real highlights on skin are broader blobs, and text is also less saturated
    than the skin under it.
    """
    opened = cv2.morphologyEx(log_lum, cv2.MORPH_OPEN, _disk(2))
    bright = (log_lum - opened) > 0.3
    pale = np.linalg.norm(chroma - skin_mean.astype(np.float32), axis=-1) > 0.15
    strokes = (bright & pale).astype(np.uint8)
    # Text is many strokes together: keep strokes with others nearby.
    density = cv2.blur(strokes.astype(np.float32), (15, 15))
    strokes = strokes & (density > 0.06)
    return np.asarray(cv2.dilate(strokes.astype(np.uint8), _disk(2)) > 0)


def _clean(mask: NDArray[np.bool_], side: int) -> NDArray[np.bool_]:
    """Drop specks, fill small holes, keep the components that matter, step back from edges."""
    m = mask.astype(np.uint8)
    m = np.asarray(cv2.morphologyEx(m, cv2.MORPH_OPEN, _disk(max(1, side // 256))), dtype=np.uint8)
    # Fill holes smaller than a large mark (pores, marks the chroma test missed).
    holes = (m == 0).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(holes, connectivity=4)
    small = np.flatnonzero(stats[1:, cv2.CC_STAT_AREA] < (0.02 * side) ** 2) + 1
    touches = set(np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])))
    small = np.array([i for i in small if i not in touches], dtype=np.int64)
    if small.size:
        m[np.isin(labels, small)] = 1
    n, labels, stats, _ = cv2.connectedComponentsWithStats(m, connectivity=8)
    if n <= 1:
        return np.zeros(mask.shape, dtype=bool)
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = np.flatnonzero((areas >= 0.08 * areas.max()) & (areas >= (0.03 * side) ** 2)) + 1
    out = np.isin(labels, keep).astype(np.uint8)
    out = np.asarray(cv2.erode(out, _disk(1)), dtype=np.uint8)
    return np.asarray(out > 0)
