"""Synthetic skin patches of known colour with known red and brown marks (ground truth for
``scarwise analyze``).

A patch is built in linear RGB and optical density, the way skin colour is modelled in
research/image-methods.md §2 (Tsumura: density = melanin + haemoglobin + shading):

* a base skin colour of known CIELAB (D65), chosen from an ITA° angle anywhere from very light
  (70°) to dark (-55°);
* skin texture: small melanin/haemoglobin mottling (zero-mean in density);
* marks as extra density: hyperpigmentation adds melanin, erythema adds haemoglobin; small
  macules (often in clusters), medium spots and large confluent brown patches (unions of
  overlapping ellipses), covering up to a fifth of the patch;
* uneven light: exponential fall-off from one side (plus a little vignetting), mean 1 over the
  patch;
* hairs (thin dark curves) and shine (additive white specular blobs);
* optionally a colour cast and exposure error with an 18 % grey card in the corner;
* camera noise, then 8-bit sRGB encoding.

The truth is what the contract defines: the base colour is the median skin colour after the
illumination is divided out, with marks, hairs and shine excluded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import cv2
import numpy as np
from numpy.typing import NDArray

from scarwise.imaging.colour import (
    GREY_CARD_REFLECTANCE,
    HAEMOGLOBIN_DENSITY,
    MELANIN_DENSITY,
    ita_deg,
    lab_to_linear,
    linear_to_srgb8,
)

__all__ = [
    "PatchScore",
    "SkinPatch",
    "TrueSpot",
    "render_skin_patch",
    "score_analysis",
    "skin_lab_for_ita",
    "tone_group",
]

SpotKind = Literal["erythema", "hyperpigmentation"]


@dataclass(frozen=True)
class TrueSpot:
    """One rendered mark: its id (label value), kind, centroid ``[x, y]`` and area in pixels."""

    id: int
    kind: SpotKind
    centroid_px: tuple[float, float]
    area_px: int
    shape: Literal["macule", "spot", "patch"]


@dataclass(frozen=True)
class SkinPatch:
    """A rendered patch and its ground truth."""

    pixels: NDArray[np.uint8]
    skin_lab: tuple[float, float, float]
    ita_deg: float
    spots: tuple[TrueSpot, ...]
    labels: NDArray[np.int32]
    hair_mask: NDArray[np.bool_]
    illumination: NDArray[np.float32]
    grey_card_box: tuple[int, int, int, int] | None = None
    seed: int = 0
    notes: tuple[str, ...] = field(default=())


def skin_lab_for_ita(ita: float, rng: np.random.Generator) -> tuple[float, float, float]:
    """A plausible, in-gamut skin CIELAB colour with the given ITA°."""
    for _ in range(200):
        b = float(rng.uniform(11.0, 21.0))
        a = float(rng.uniform(6.0, 14.0))
        lightness = 50.0 + b * float(np.tan(np.radians(ita)))
        if not 24.0 <= lightness <= 84.0:
            b = float(
                np.clip((np.clip(lightness, 24.0, 84.0) - 50.0) / np.tan(np.radians(ita)), 6, 30)
            )
            lightness = 50.0 + b * float(np.tan(np.radians(ita)))
        lin = lab_to_linear(np.array([lightness, a, b]))
        if np.all(lin > 0.004) and np.all(lin < 0.95):
            return (lightness, a, b)
    raise ValueError(f"no in-gamut skin colour found for ITA {ita}")


def _smooth_noise(
    rng: np.random.Generator, shape: tuple[int, int], sigma: float
) -> NDArray[np.float32]:
    n = rng.standard_normal(shape).astype(np.float32)
    k = int(sigma * 6) | 1
    blurred = np.asarray(cv2.GaussianBlur(n, (k, k), sigma), dtype=np.float32)
    return np.asarray(blurred / (blurred.std() + 1e-9), dtype=np.float32)


def _ellipse_profile(
    shape: tuple[int, int], cx: float, cy: float, rx: float, ry: float, angle: float, soft: float
) -> tuple[tuple[slice, slice], NDArray[np.float32]]:
    """1 inside the ellipse, a smooth fall to 0 over ``soft`` (fraction of the radius) outside;
    returned as a bounding-box slice and the local profile."""
    h, w = shape
    reach = max(rx, ry) * (1 + soft) + 2
    x0, x1 = int(max(0, cx - reach)), int(min(w, cx + reach + 1))
    y0, y1 = int(max(0, cy - reach)), int(min(h, cy + reach + 1))
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    c, s = np.cos(angle), np.sin(angle)
    u = ((xx - cx) * c + (yy - cy) * s) / rx
    v = (-(xx - cx) * s + (yy - cy) * c) / ry
    r = np.sqrt(u * u + v * v)
    t = np.clip((r - 1.0) / soft + 0.5, 0.0, 1.0)
    return (slice(y0, y1), slice(x0, x1)), np.asarray(1.0 - t * t * (3 - 2 * t), dtype=np.float32)


def _full(
    shape: tuple[int, int], part: tuple[tuple[slice, slice], NDArray[np.float32]]
) -> NDArray[np.float32]:
    out = np.zeros(shape, dtype=np.float32)
    out[part[0]] = part[1]
    return out


def render_skin_patch(
    seed: int,
    *,
    size: tuple[int, int] = (512, 512),
    ita: float | None = None,
    lighting: Literal["one-sided", "flat"] = "one-sided",
    hairs: bool = True,
    shine: bool = True,
    spot_fraction: float | None = None,
    grey_card: bool = False,
    noise_levels: float = 1.2,
    melanin_vector: NDArray[np.floating] | None = None,
    haemoglobin_vector: NDArray[np.floating] | None = None,
) -> SkinPatch:
    """Render one synthetic skin patch (``size`` = (width, height)) with its ground truth.

    Parameters
    ----------
    seed
        Everything random follows from it.
    ita
        ITA° of the base skin colour (default: uniform from -55 to 70).
    lighting
        ``one-sided``: light falling off exponentially from one side (``exp(g * d)``, g from
        0.25 to 0.6 over the half-width) with a little vignetting.
    hairs, shine
        Add thin dark hairs and specular highlights.
    spot_fraction
        Fraction of the patch covered by marks (default: uniform 0.04-0.2).
    grey_card
        Put an 18 % grey card in the top-left corner and apply a colour cast and exposure error
        to the whole photo (what calibration must undo).
    noise_levels
        Camera noise, standard deviation in 8-bit code values.
    melanin_vector, haemoglobin_vector
        Pigment density directions of the simulated camera (default: the ones the analysis
        assumes, :data:`~scarwise.imaging.colour.pigments.MELANIN_DENSITY` and ``HAEMOGLOBIN_DENSITY``);
        pass others to test robustness to a camera whose pigment directions differ.
    """
    rng = np.random.default_rng(seed)
    width, height = size
    shape = (height, width)
    if ita is None:
        ita = float(rng.uniform(-55.0, 70.0))
    lab = skin_lab_for_ita(ita, rng)
    base = lab_to_linear(np.array(lab)).astype(np.float32)

    # Texture: zero-mean pigment mottling in density.
    tex_m = 0.012 * _smooth_noise(rng, shape, 1.2) + 0.008 * _smooth_noise(rng, shape, 5.0)
    tex_h = 0.010 * _smooth_noise(rng, shape, 1.5) + 0.008 * _smooth_noise(rng, shape, 8.0)
    mel = tex_m.copy()
    hae = tex_h.copy()

    # Marks: a plan of large brown patches, clusters of small red macules and single spots.
    labels = np.zeros(shape, dtype=np.int32)
    occupied = np.zeros(shape, dtype=bool)
    spots: list[TrueSpot] = []
    target = spot_fraction if spot_fraction is not None else float(rng.uniform(0.04, 0.2))
    scale = min(width, height) / 512.0
    plan = ["patch"] * int(rng.integers(0, 3)) + ["cluster"] * int(rng.integers(0, 3))
    rng.shuffle(plan)
    covered = 0
    next_id = 1
    attempts = 0
    while covered < target * width * height and attempts < 300:
        attempts += 1
        what = plan.pop(0) if plan else ("patch" if rng.random() < 0.25 else "spot")
        new: list[tuple[tuple[tuple[slice, slice], NDArray[np.float32]], str, str]] = []
        if what == "patch":
            r = float(rng.uniform(22, 48)) * scale
            cx, cy = rng.uniform(r + 10, width - r - 10), rng.uniform(r + 10, height - r - 10)
            prof = np.zeros(shape, dtype=np.float32)
            for _ in range(int(rng.integers(3, 6))):
                ox, oy = rng.normal(0, r * 0.45, 2)
                rx, ry = r * rng.uniform(0.45, 0.8), r * rng.uniform(0.45, 0.8)
                sl, loc = _ellipse_profile(
                    shape, cx + ox, cy + oy, rx, ry, rng.uniform(0, np.pi), 0.5
                )
                prof[sl] = np.maximum(prof[sl], loc)
            ys, xs = np.nonzero(prof > 0)
            if ys.size == 0:
                continue
            sl = (slice(int(ys.min()), int(ys.max()) + 1), slice(int(xs.min()), int(xs.max()) + 1))
            new = [((sl, prof[sl]), "hyperpigmentation", "patch")]
        elif what == "cluster":
            r0 = float(rng.uniform(3.2, 4.8)) * scale
            n = int(rng.integers(5, 11))
            ccx = rng.uniform(40 * scale, width - 40 * scale)
            ccy = rng.uniform(40 * scale, height - 40 * scale)
            centres: list[tuple[float, float]] = []
            for _ in range(n * 4):
                if len(centres) >= n:
                    break
                px, py = ccx + rng.normal(0, 14 * scale), ccy + rng.normal(0, 14 * scale)
                if any(np.hypot(px - qx, py - qy) < r0 * 3.6 for qx, qy in centres):
                    continue
                if not (r0 * 2 < px < width - r0 * 2 and r0 * 2 < py < height - r0 * 2):
                    continue
                centres.append((px, py))
                rr = r0 * rng.uniform(0.9, 1.25)
                part = _ellipse_profile(shape, px, py, rr, rr * rng.uniform(0.8, 1.0), 0.0, 0.6)
                new.append((part, "erythema", "macule"))
        else:
            r = float(rng.uniform(5.5, 14)) * scale
            cx, cy = rng.uniform(r + 6, width - r - 6), rng.uniform(r + 6, height - r - 6)
            kind = "erythema" if rng.random() < 0.5 else "hyperpigmentation"
            part = _ellipse_profile(
                shape, cx, cy, r, r * rng.uniform(0.6, 1.0), rng.uniform(0, np.pi), 0.5
            )
            new = [(part, kind, "spot")]
        if not new:
            continue
        # Keep marks apart (a ring of 5 px between them) so each is one mark.
        clash = False
        for (sl, loc), _, _ in new:
            ys0, xs0 = max(0, sl[0].start - 5), max(0, sl[1].start - 5)
            grown = occupied[ys0 : sl[0].stop + 5, xs0 : sl[1].stop + 5]
            if grown.any():
                near = np.zeros_like(grown)
                near[sl[0].start - ys0 : sl[0].stop - ys0, sl[1].start - xs0 : sl[1].stop - xs0] = (
                    loc > 0.02
                )
                near = cv2.dilate(near.astype(np.uint8), np.ones((11, 11), np.uint8)).astype(bool)
                if (near & grown).any():
                    clash = True
                    break
        if clash:
            continue
        for (sl, loc), kind, shape_name in new:
            occupied[sl] |= loc > 0.02
            inside = loc >= 0.5
            area = int(inside.sum())
            if area < 30:
                continue
            if kind == "hyperpigmentation":
                amount = float(rng.uniform(0.14, 0.38))
                mel[sl] += amount * loc
                hae[sl] += 0.15 * amount * loc * float(rng.uniform(0, 1))
            else:
                amount = float(rng.uniform(0.13, 0.32))
                hae[sl] += amount * loc
                mel[sl] += 0.1 * amount * loc * float(rng.uniform(0, 1))
            labels[sl][inside] = next_id
            ys, xs = np.nonzero(inside)
            centroid = (float(xs.mean() + sl[1].start), float(ys.mean() + sl[0].start))
            spots.append(TrueSpot(next_id, kind, centroid, area, shape_name))  # type: ignore[arg-type]
            next_id += 1
            covered += area

    mel_vec = np.asarray(
        MELANIN_DENSITY if melanin_vector is None else melanin_vector, dtype=np.float32
    )
    hae_vec = np.asarray(
        HAEMOGLOBIN_DENSITY if haemoglobin_vector is None else haemoglobin_vector, dtype=np.float32
    )
    mel_vec = mel_vec / np.linalg.norm(mel_vec)
    hae_vec = hae_vec / np.linalg.norm(hae_vec)
    density = mel[..., None] * mel_vec + hae[..., None] * hae_vec
    lin = base[None, None, :] * np.exp(-density)

    # Uneven light: mean 1 over the patch.
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    u, v = xx / width * 2 - 1, yy / height * 2 - 1
    if lighting == "one-sided":
        theta = rng.uniform(0, 2 * np.pi)
        g = float(rng.uniform(0.25, 0.6))
        d = np.cos(theta) * u + np.sin(theta) * v
        # Light from one side falls off exponentially across the patch (a window or lamp to one
        # side), with a little vignetting.
        illum = np.exp(g * d) * (1 - 0.12 * float(rng.uniform(0, 1)) * (u * u + v * v))
    else:
        illum = np.ones(shape, dtype=np.float32)
    illum = np.asarray(illum / illum.mean(), dtype=np.float32)
    # A sensible exposure does not clip skin: soften the gradient until the brightest skin
    # stays below 90 % of full scale (overexposed photos are flagged by the analysis instead).
    while float(base.max()) * float(illum.max()) * 1.05 > 0.9 and float(illum.max()) > 1.01:
        illum = np.asarray(1 + 0.8 * (illum - 1), dtype=np.float32)
        illum = np.asarray(illum / illum.mean(), dtype=np.float32)
    lin = lin * illum[..., None]

    # Hairs: thin dark curves, anti-aliased.
    hair_mask = np.zeros(shape, dtype=bool)
    if hairs:
        layer = np.zeros(shape, dtype=np.float32)
        for _ in range(int(rng.integers(3, 14))):
            p0 = rng.uniform(0, 1, 2) * (width, height)
            direction = rng.normal(0, 1, 2)
            direction /= np.linalg.norm(direction) + 1e-9
            length = rng.uniform(60, 220) * scale
            p2 = p0 + direction * length
            p1 = (p0 + p2) / 2 + rng.normal(0, 25 * scale, 2)
            ts = np.linspace(0, 1, 200)
            pts = (
                (1 - ts)[:, None] ** 2 * p0
                + 2 * ((1 - ts) * ts)[:, None] * p1
                + (ts**2)[:, None] * p2
            )
            canvas = np.zeros((height * 4, width * 4), dtype=np.uint8)
            cv2.polylines(
                canvas,
                [np.round(pts * 4).astype(np.int32)],
                False,
                255,
                thickness=int(rng.integers(4, 8)),
                lineType=cv2.LINE_AA,
            )
            cover = (
                cv2.resize(canvas, (width, height), interpolation=cv2.INTER_AREA).astype(np.float32)
                / 255
            )
            layer = np.maximum(layer, cover)
        hair_colour = np.array([0.025, 0.018, 0.012], dtype=np.float32)
        lin = lin * (1 - layer[..., None]) + hair_colour * illum[..., None] * layer[..., None]
        hair_mask = layer > 0.05

    # Shine: additive white specular blobs.
    if shine:
        spec = np.zeros(shape, dtype=np.float32)
        for _ in range(int(rng.integers(2, 7))):
            cx, cy = rng.uniform(0, width), rng.uniform(0, height)
            s = float(rng.uniform(3, 9)) * scale
            amp = float(rng.uniform(0.08, 0.3))
            spec += amp * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * s * s))
        lin = lin + spec[..., None]

    card_box = None
    if grey_card:
        cw, ch = int(60 * scale), int(60 * scale)
        card_box = (8, 8, cw, ch)
        lin[8 : 8 + ch, 8 : 8 + cw] = GREY_CARD_REFLECTANCE * illum[8 : 8 + ch, 8 : 8 + cw, None]
        cast = np.array([rng.uniform(0.85, 1.15), 1.0, rng.uniform(0.8, 1.15)], dtype=np.float32)
        exposure = float(rng.uniform(0.7, 1.25))
        lin = lin * cast * exposure

    srgb = linear_to_srgb8(lin).astype(np.float32)
    srgb += rng.normal(0, noise_levels, srgb.shape).astype(np.float32)
    pixels = np.clip(np.round(srgb), 0, 255).astype(np.uint8)
    return SkinPatch(
        pixels=pixels,
        skin_lab=lab,
        ita_deg=ita_deg(lab[0], lab[2]),
        spots=tuple(spots),
        labels=labels,
        hair_mask=hair_mask,
        illumination=illum,
        grey_card_box=card_box,
        seed=seed,
    )


ToneGroup = Literal["light", "medium", "dark"]


def tone_group(ita: float) -> ToneGroup:
    """Skin-tone group for reporting: light (ITA > 41), medium (10 < ITA <= 41), dark (<= 10)."""
    return "light" if ita > 41 else "medium" if ita > 10 else "dark"


@dataclass(frozen=True)
class PatchScore:
    """How one analysis did on one patch.

    A detected mark is *matched* to the rendered mark covering most of it when that covers at
    least 30 % of the detection's outline area; each rendered mark is matched at most once (a
    second fragment on the same mark counts as a false detection).
    """

    seed: int
    group: ToneGroup
    ita_true_deg: float
    ita_error_deg: float
    delta_e76: float
    n_true: int
    n_detected: int
    n_matched: int
    n_kind_right: int


def score_analysis(patch: SkinPatch, result: Any) -> PatchScore:
    """Compare an :class:`~scarwise.imaging.AnalyzeResult` with the patch's truth."""
    lab = np.asarray(result.skin_tone.lab, dtype=np.float64)
    outlines = result.spot_outlines()
    claims: dict[int, tuple[int, int]] = {}  # truth id -> (overlap, detection index)
    for n, outline in enumerate(outlines):
        canvas = np.zeros(patch.labels.shape, dtype=np.uint8)
        cv2.fillPoly(canvas, [np.round(outline).astype(np.int32)], 1)
        cv2.polylines(canvas, [np.round(outline).astype(np.int32)], True, 1)
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
    truth = {t.id: t for t in patch.spots}
    kind_right = sum(1 for tid, (_, n) in claims.items() if result.spots[n].kind == truth[tid].kind)
    return PatchScore(
        seed=patch.seed,
        group=tone_group(patch.ita_deg),
        ita_true_deg=patch.ita_deg,
        ita_error_deg=float(result.skin_tone.ita_deg - patch.ita_deg),
        delta_e76=float(np.linalg.norm(lab - np.asarray(patch.skin_lab))),
        n_true=len(patch.spots),
        n_detected=len(result.spots),
        n_matched=len(claims),
        n_kind_right=kind_right,
    )
