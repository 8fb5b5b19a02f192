"""Synthetic multi-light photo sets of skin with atrophic scars of known shape.

Renders a patch of curved skin with icepick, boxcar and rolling scars across their published
size and depth ranges, pores (depressions too small to be scars), albedo texture and pigment
spots, lit by several distant lights of unequal, unstated brightness, with attached and cast
shadows, some specular shine, camera noise, and 8-bit JPEG or 16-bit PNG encodings. The ground
truth is computed from the true height map with the same contract definitions the measurement
uses (:func:`scarwise.imaging.relief.measuring.measure_depressions`), against the true smooth surrounding
surface.

Shape ranges (``shared/research/clinical-facts.md`` §1.1, Jacob et al. 2001 via Fabbrocini et
al. 2010, [V] R2): icepick narrow, < 2 mm wide, deep and V-shaped; boxcar round/oval 1.5-4.0 mm,
shallow 0.1-0.5 mm or deep >= 0.5 mm, U-shaped with steep walls; rolling > 4-5 mm wide,
M-shaped with sloping walls. The exact depths of icepick and rolling scars are not published in
that table; the ranges used here (icepick 0.3-0.8 mm, rolling 0.1-0.35 mm) are our assumption [M].

Rendering follows ``shared/research/image-methods.md`` appendix A.1 (Lambertian, distant lights,
ray-marched cast shadows, Blinn-Phong specular lobe, Gaussian noise, quantisation) [T].
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any, Literal

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image
from scipy import ndimage as ndi

from scarwise.imaging import measure_depressions

__all__ = [
    "Match",
    "RenderedScar",
    "ScarScene",
    "Validation",
    "encode_jpeg",
    "encode_png16",
    "light_directions",
    "match_scars",
    "render_scar_scene",
    "scene_files",
    "validate",
]

Float32Array = npt.NDArray[np.float32]
ScarKind = Literal["icepick", "boxcar", "rolling"]

#: Published size ranges (clinical-facts §1.1 [V]) and assumed depth ranges [M], in mm.
ICEPICK_DIAMETER_MM = (0.7, 1.8)
ICEPICK_DEPTH_MM = (0.3, 0.8)
BOXCAR_DIAMETER_MM = (1.5, 4.0)
BOXCAR_DEPTH_MM = (0.1, 0.7)
ROLLING_DIAMETER_MM = (4.0, 6.5)
ROLLING_DEPTH_MM = (0.1, 0.35)


@dataclass(frozen=True, slots=True)
class RenderedScar:
    """One scar as drawn (design values) and as measured on the true surface (truth)."""

    kind: ScarKind
    center_px: tuple[float, float]
    design_diameter_mm: float
    design_depth_mm: float
    depth_mm: float
    diameter_mm: float
    area_mm2: float
    volume_mm3: float
    centroid_px: tuple[float, float]


@dataclass(frozen=True)
class ScarScene:
    """A rendered multi-light set with its ground truth.

    ``images`` are linear luminance-proportional RGB in [0, 1] (float32, H x W x 3), one per light;
    ``directions`` are the unit light vectors (x right, y down, z towards the camera);
    ``intensities`` the true (unstated) light brightnesses.
    """

    images: list[Float32Array]
    directions: npt.NDArray[np.float64]
    intensities: npt.NDArray[np.float64]
    pixel_mm: float
    height_mm: Float32Array
    surface_mm: Float32Array
    albedo: Float32Array
    scars: list[RenderedScar] = field(default_factory=list)

    @property
    def size_px(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return (self.height_mm.shape[1], self.height_mm.shape[0])

    def lights_document(self, names: list[str] | None = None) -> object:
        """The lights file for this set: the list form, or the object form matched by ``names``."""
        if names is None:
            return [[round(float(v), 6) for v in d] for d in self.directions]
        return {
            "lights": [
                {"image": name, "direction": [round(float(v), 6) for v in d]}
                for name, d in zip(names, self.directions, strict=True)
            ]
        }


def light_directions(
    count: int, slant_deg: float = 30.0, azimuth0_deg: float = 15.0
) -> npt.NDArray[np.float64]:
    """``count`` unit light vectors at equal azimuth steps and one slant from the camera axis."""
    s = np.deg2rad(slant_deg)
    az = np.deg2rad(azimuth0_deg + np.arange(count) * 360.0 / count)
    return np.stack(
        [np.sin(s) * np.cos(az), np.sin(s) * np.sin(az), np.full(count, np.cos(s))], axis=1
    )


def _profile(
    kind: ScarKind,
    r: npt.NDArray[np.float64],
    radius_mm: float,
    depth_mm: float,
    rng: np.random.Generator,
) -> tuple[npt.NDArray[np.float64], float]:
    """Depression (positive down) of one scar as a function of the (elliptic) radius in mm.

    Returns the profile and the radius (mm) outside which it is zero.
    """
    if kind == "icepick":
        # V-shaped cone tapering to a point; its 10 % extent lies at ~0.8 of the support radius.
        support = radius_mm / 0.8
        power = float(rng.uniform(1.2, 1.6))
        prof = depth_mm * np.clip(1.0 - r / support, 0.0, None) ** power
        return prof, support
    if kind == "boxcar":
        wall = float(rng.uniform(0.06, 0.12))
        prof = depth_mm * 0.5 * (1.0 - np.tanh((r - radius_mm) / wall))
        return prof, radius_mm + 3.5 * wall
    # rolling: raised cosine with sloping walls; 10 % extent at ~0.8 of the support radius
    support = radius_mm / 0.795
    x = np.clip(r / support, 0.0, 1.0)
    prof = depth_mm * 0.5 * (1.0 + np.cos(np.pi * x))
    return prof, support


def render_scar_scene(
    seed: int,
    *,
    size_px: tuple[int, int] = (640, 640),
    pixel_mm: float = 0.03,
    n_lights: int = 6,
    slant_deg: float = 30.0,
    counts: dict[ScarKind, int] | None = None,
    n_pores: int = 12,
    noise: float = 0.005,
    intensity_spread: float = 0.2,
    specular: float = 0.08,
    texture_um: float = 3.0,
    curvature_radius_mm: float = 60.0,
) -> ScarScene:
    """Render one multi-light set of a skin patch with scars of known shape.

    Parameters
    ----------
    seed
        Random seed; every scene is a pure function of its arguments.
    size_px
        (width, height) in pixels.
    pixel_mm
        Pixel size on the skin.
    n_lights, slant_deg
        Light count and angle from the camera axis (research: 25-35 degrees, >= 6 lights [T]).
    counts
        Scars per type (default 3 icepick, 3 boxcar, 2 rolling); placed without overlap.
    n_pores
        Pores: depressions 0.15-0.25 mm wide and 0.01-0.04 mm deep (texture, not scars).
    noise
        Gaussian noise, as a fraction of full scale.
    intensity_spread
        Light brightnesses are drawn uniformly within ±``intensity_spread`` of 1 and not stated.
    specular
        Peak strength of a Blinn-Phong lobe (shininess 60) over an oily patch (0 = matte).
    texture_um
        RMS of the fine skin micro-relief (0.2 mm correlation), in micrometres.
    curvature_radius_mm
        Radius of curvature of the skin (a cheek is about 60 mm).

    References
    ----------
    Woodham RJ. Photometric method for determining surface orientation from multiple images.
    Opt Eng 1980;19:139-44. doi:10.1117/12.7972479
    """
    rng = np.random.default_rng(seed)
    width, height = size_px
    counts = counts if counts is not None else {"icepick": 3, "boxcar": 3, "rolling": 2}
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float64)
    xm = (xx - width / 2) * pixel_mm
    ym = (yy - height / 2) * pixel_mm

    # Smooth surrounding surface: a dome of the given curvature, off-centre, slightly tilted.
    cx0, cy0 = rng.uniform(-0.3, 0.3, 2) * np.array([width, height]) * pixel_mm
    tilt = rng.uniform(-0.05, 0.05, 2)
    surface = (
        -((xm - cx0) ** 2 + (ym - cy0) ** 2) / (2 * curvature_radius_mm)
        + tilt[0] * xm
        + tilt[1] * ym
    )

    # Fine micro-relief.
    relief = ndi.gaussian_filter(rng.standard_normal((height, width)), 0.2 / pixel_mm / 2)
    relief *= (texture_um / 1000.0) / max(float(relief.std()), 1e-12)

    # Scars, placed without overlap (support radius + clearance for the surrounding ring).
    plan: list[tuple[ScarKind, float, float]] = []
    for kind, n in counts.items():
        for _ in range(n):
            if kind == "icepick":
                diam = rng.uniform(*ICEPICK_DIAMETER_MM)
                depth = rng.uniform(max(ICEPICK_DEPTH_MM[0], 0.3 * diam), ICEPICK_DEPTH_MM[1])
            elif kind == "boxcar":
                diam = rng.uniform(*BOXCAR_DIAMETER_MM)
                depth = rng.uniform(*BOXCAR_DEPTH_MM)
            else:
                diam = rng.uniform(*ROLLING_DIAMETER_MM)
                depth = rng.uniform(*ROLLING_DEPTH_MM)
            plan.append((kind, float(diam), float(depth)))
    plan.sort(key=lambda p: -p[1])
    depression = np.zeros((height, width))
    placed: list[tuple[float, float, float]] = []  # x_px, y_px, keep-out radius px
    drawn: list[tuple[ScarKind, tuple[float, float], float, float]] = []
    for kind, diam, depth in plan:
        radius = diam / 2
        ecc = float(rng.uniform(0.8, 1.0)) if kind != "icepick" else float(rng.uniform(0.9, 1.0))
        angle = float(rng.uniform(0, np.pi))
        support_guess = radius / 0.79 + 0.4
        keep_px = (support_guess * 1.35 + 0.5) / pixel_mm
        for _attempt in range(400):
            px = float(rng.uniform(keep_px, width - keep_px))
            py = float(rng.uniform(keep_px, height - keep_px))
            if all(np.hypot(px - qx, py - qy) > keep_px + qr for qx, qy, qr in placed):
                break
        else:
            continue  # no room left: fewer scars than asked
        placed.append((px, py, keep_px))
        dx = (xx - px) * pixel_mm
        dy = (yy - py) * pixel_mm
        u = dx * np.cos(angle) + dy * np.sin(angle)
        v = -dx * np.sin(angle) + dy * np.cos(angle)
        r = np.hypot(u * np.sqrt(ecc), v / np.sqrt(ecc))
        prof, _support = _profile(kind, r, radius, depth, rng)
        if kind == "rolling":
            # M-shaped: gentle undulation of the floor (<= 8 % of the depth)
            ripple = 1.0 + 0.08 * np.cos(2.5 * np.pi * r / radius) * (r < radius)
            prof = prof * ripple
        depression = np.maximum(depression, prof)
        drawn.append((kind, (px, py), diam, depth))
    for _ in range(n_pores):
        px, py = rng.uniform(0, width), rng.uniform(0, height)
        pr = rng.uniform(0.075, 0.125)
        pd = rng.uniform(0.01, 0.04)
        r = np.hypot((xx - px) * pixel_mm, (yy - py) * pixel_mm)
        depression = np.maximum(depression, pd * np.exp(-0.5 * (r / (pr / 1.5)) ** 2))

    # Band-limit the relief a little (a camera pixel integrates over its area).
    depression = ndi.gaussian_filter(depression, 0.6)
    z = surface + relief - depression
    z32 = z.astype(np.float32)
    surface32 = surface.astype(np.float32)

    # Normals (x right, y down, z towards the camera).
    grad_y, grad_x = np.gradient(z, pixel_mm)
    normals = np.stack([-grad_x, -grad_y, np.ones_like(z)])
    normals /= np.linalg.norm(normals, axis=0)

    # Albedo: skin colour x smooth variation x pigment spots.
    tex = ndi.gaussian_filter(rng.standard_normal((height, width)), 25)
    tex /= max(float(np.abs(tex).max()), 1e-12)
    albedo = 0.55 * (1.0 + 0.15 * tex)
    for _ in range(6):
        px, py = rng.uniform(0, width), rng.uniform(0, height)
        pr = rng.uniform(0.3, 1.2) / pixel_mm
        albedo *= 1.0 - 0.35 * np.exp(-0.5 * ((xx - px) ** 2 + (yy - py) ** 2) / pr**2)
    skin_rgb = np.array([1.0, 0.78, 0.66])

    # Oily patch for specular shine.
    oil = ndi.gaussian_filter(rng.standard_normal((height, width)), 60)
    oil = np.clip(oil / max(float(np.abs(oil).max()), 1e-12), 0, None) * specular

    directions = light_directions(n_lights, slant_deg, float(rng.uniform(0, 360.0 / n_lights)))
    intensities = 1.0 + rng.uniform(-intensity_spread, intensity_spread, n_lights)
    exposure = 0.75
    images: list[Float32Array] = []
    for l_vec, power in zip(directions, intensities, strict=True):
        shade = np.clip(np.tensordot(l_vec, normals, axes=1), 0.0, None)
        lit = ~_cast_shadow(z, pixel_mm, l_vec, float(depression.max()) + 0.05)
        half = l_vec + np.array([0.0, 0.0, 1.0])
        half /= np.linalg.norm(half)
        spec = oil * np.clip(np.tensordot(half, normals, axes=1), 0.0, None) ** 60 * (shade > 0)
        diffuse = (albedo * shade * lit)[..., None] * skin_rgb
        img = exposure * power * (diffuse + (spec * lit)[..., None])
        img = img + rng.normal(0.0, noise, img.shape)
        images.append(np.clip(img, 0.0, 1.0).astype(np.float32))

    truth = measure_depressions(
        (surface32 - z32).astype(np.float32),
        pixel_mm,
        seeds=[(round(c[1]), round(c[0])) for _, c, _, _ in drawn],
    )
    scars: list[RenderedScar] = []
    for (kind, centre, diam, depth), m in zip(drawn, truth, strict=True):
        scars.append(
            RenderedScar(
                kind=kind,
                center_px=centre,
                design_diameter_mm=diam,
                design_depth_mm=depth,
                depth_mm=m.depth_mm,
                diameter_mm=m.diameter_mm,
                area_mm2=m.area_mm2,
                volume_mm3=m.volume_mm3,
                centroid_px=m.centroid_px,
            )
        )
    return ScarScene(
        images=images,
        directions=directions,
        intensities=intensities,
        pixel_mm=pixel_mm,
        height_mm=z32,
        surface_mm=surface32,
        albedo=albedo.astype(np.float32),
        scars=scars,
    )


def _cast_shadow(
    z: npt.NDArray[np.float64], pixel_mm: float, light: npt.NDArray[np.float64], max_rise_mm: float
) -> npt.NDArray[np.bool_]:
    """Pixels whose view of the light is blocked by relief (ray-marched towards the light)."""
    horiz = float(np.hypot(light[0], light[1]))
    shadow = np.zeros(z.shape, dtype=bool)
    if horiz < 1e-9:
        return shadow
    ux, uy = light[0] / horiz, light[1] / horiz
    rise = light[2] / horiz * pixel_mm  # mm gained per pixel step
    steps = int(min(np.ceil(max_rise_mm / rise) + 2, 400))
    for s in range(1, steps + 1):
        ahead = ndi.shift(z, (-uy * s, -ux * s), order=1, mode="nearest")
        shadow |= ahead > z + s * rise
    return shadow


def _srgb_encode(linear: Float32Array) -> Float32Array:
    x = np.clip(linear, 0.0, 1.0)
    return np.where(x <= 0.0031308, 12.92 * x, 1.055 * np.power(x, 1 / 2.4) - 0.055).astype(
        np.float32
    )


def encode_jpeg(image: Float32Array, quality: int = 92) -> bytes:
    """An 8-bit sRGB JPEG of a linear image in [0, 1]."""
    data = np.round(_srgb_encode(image) * 255.0).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(data).save(buf, format="JPEG", quality=quality)
    return buf.getvalue()


def encode_png16(image: Float32Array) -> bytes:
    """A 16-bit linear PNG of a linear image in [0, 1] (grey: luminance; colour via OpenCV)."""
    data = np.round(np.clip(image, 0.0, 1.0) * 65535.0).astype(np.uint16)
    if data.ndim == 3:
        data = np.ascontiguousarray(data[..., ::-1])  # OpenCV writes BGR
    ok, buf = cv2.imencode(".png", data)
    if not ok:  # pragma: no cover - OpenCV always encodes a valid uint16 array
        raise RuntimeError("PNG encoding failed")
    return bytes(buf.tobytes())


def scene_files(
    scene: ScarScene,
    variant: Literal["jpeg", "png16", "png16-colour"] = "png16",
    quality: int = 92,
) -> list[tuple[str, bytes]]:
    """The scene's images as files: ``(name, bytes)``.

    ``jpeg`` is 8-bit sRGB colour, ``png16`` 16-bit linear grey luminance, ``png16-colour``
    16-bit linear RGB (as a raw converter writes it).
    """
    ext = "jpg" if variant == "jpeg" else "png"
    weights = np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)
    out = []
    for i, img in enumerate(scene.images):
        if variant == "jpeg":
            data = encode_jpeg(img, quality)
        elif variant == "png16-colour":
            data = encode_png16(img)
        else:
            data = encode_png16(img @ weights)
        out.append((f"light{i}.{ext}", data))
    return out


@dataclass(frozen=True, slots=True)
class Match:
    """A true scar and the measured one matched to it (None when missed)."""

    truth: RenderedScar
    found_type: str | None
    depth_mm: float | None
    diameter_mm: float | None
    volume_mm3: float | None

    def rel_error(self, name: Literal["depth", "diameter", "volume"]) -> float:
        """Relative error of one measurement (measured / true - 1)."""
        got = {"depth": self.depth_mm, "diameter": self.diameter_mm, "volume": self.volume_mm3}[
            name
        ]
        want = {
            "depth": self.truth.depth_mm,
            "diameter": self.truth.diameter_mm,
            "volume": self.truth.volume_mm3,
        }[name]
        assert got is not None
        return got / want - 1.0


def match_scars(scene: ScarScene, scars: list[dict[str, Any]]) -> tuple[list[Match], int]:
    """Match measured scars (``analyze3d/1`` scar objects) to the truth by centroid.

    A measured scar matches a true one when its centroid lies within half the true diameter
    (at least 0.3 mm); each is used once. Returns the matches and the count of false positives.
    """
    used = [False] * len(scars)
    matches: list[Match] = []
    for t in scene.scars:
        hit = None
        for i, m in enumerate(scars):
            cx, cy = (float(v) for v in m["centroid_px"])
            dist = float(np.hypot(cx - t.centroid_px[0], cy - t.centroid_px[1])) * scene.pixel_mm
            if not used[i] and dist < max(0.5 * t.diameter_mm, 0.3):
                hit = i
                break
        if hit is None:
            matches.append(Match(t, None, None, None, None))
            continue
        used[hit] = True
        m = scars[hit]
        matches.append(
            Match(
                t,
                str(m["type"]),
                float(m["depth_mm"]),
                float(m["diameter_mm"]),
                float(m["volume_mm3"]),
            )
        )
    return matches, sum(not u for u in used)


@dataclass(frozen=True)
class Validation:
    """Detection and measurement quality over many scenes, overall and per type."""

    matches: list[Match]
    false_positives: int

    def _found(self, kind: str | None) -> list[Match]:
        return [
            m
            for m in self.matches
            if m.found_type is not None and (kind is None or m.truth.kind == kind)
        ]

    def recall(self, kind: str | None = None) -> float:
        """Share of true scars found."""
        total = [m for m in self.matches if kind is None or m.truth.kind == kind]
        return len(self._found(kind)) / max(len(total), 1)

    @property
    def precision(self) -> float:
        """Share of reported scars that are real."""
        tp = len(self._found(None))
        return tp / max(tp + self.false_positives, 1)

    def type_accuracy(self, kind: str | None = None) -> float:
        """Share of found scars given the right type."""
        found = self._found(kind)
        return sum(m.found_type == m.truth.kind for m in found) / max(len(found), 1)

    def median_abs_error(
        self, name: Literal["depth", "diameter", "volume"], kind: str | None = None
    ) -> float:
        """Median absolute relative error of found scars."""
        errs = [abs(m.rel_error(name)) for m in self._found(kind)]
        return float(np.median(errs)) if errs else float("nan")

    def count(self, kind: str | None = None) -> int:
        """True scars (of one kind)."""
        return sum(1 for m in self.matches if kind is None or m.truth.kind == kind)

    def table(self) -> str:
        """A Markdown table: recall, type accuracy and median errors per type and overall."""
        rows = [
            "| type | n | recall | type right | depth | diameter | volume |",
            "|---|---|---|---|---|---|---|",
        ]
        for kind in ("icepick", "boxcar", "rolling", None):
            rows.append(
                f"| {kind or '**all**'} | {self.count(kind)} | {self.recall(kind):.3f} | "
                f"{self.type_accuracy(kind):.3f} | {100 * self.median_abs_error('depth', kind):.1f} % | "
                f"{100 * self.median_abs_error('diameter', kind):.1f} % | "
                f"{100 * self.median_abs_error('volume', kind):.1f} % |"
            )
        rows.append(f"\nprecision {self.precision:.3f} ({self.false_positives} false positives)")
        return "\n".join(rows)


def validate(pairs: list[tuple[ScarScene, list[dict[str, Any]]]]) -> Validation:
    """Pool :func:`match_scars` over several scenes."""
    matches: list[Match] = []
    fps = 0
    for scene, scars in pairs:
        m, fp = match_scars(scene, scars)
        matches.extend(m)
        fps += fp
    return Validation(matches, fps)
