"""Pictures and files of an ``analyze3d`` result: depth map data, false-colour depth, overlay.

* :func:`depth_map_bytes`: the recovered height map in mm (``.npy`` float32, or 16-bit PNG/TIFF
  with ``mm = value * scale_mm + offset_mm`` reported in the JSON, ``contracts/imaging.md``);
* :func:`depth_image_png`: a false-colour picture of the depth below the surrounding skin over
  a shaded relief, with a colour bar and a 1 mm scale bar, for a person to read;
* :func:`overlay_png`: the skin with each scar's extent outlined, numbered and typed.

Pixels drawn here are scarwise's own arrays (never untrusted bytes), so OpenCV may encode them.
"""

from __future__ import annotations

import io
from typing import Literal

import cv2
import numpy as np
import numpy.typing as npt

from scarwise.imaging.relief.models import Analyze3DResult, DepthMapInfo

__all__ = ["TYPE_COLOURS", "depth_image_png", "depth_map_bytes", "overlay_png"]

#: Outline colours (RGB) per scar type.
TYPE_COLOURS: dict[str, tuple[int, int, int]] = {
    "icepick": (230, 40, 40),
    "boxcar": (40, 120, 240),
    "rolling": (250, 200, 0),
}


def depth_map_bytes(
    result: Analyze3DResult, fmt: Literal["npy", "png16", "tiff16"]
) -> tuple[bytes, DepthMapInfo]:
    """The height map (mm, z towards the camera, scars negative) encoded as ``fmt``."""
    height = result.height_map_mm()
    if fmt == "npy":
        buf = io.BytesIO()
        np.save(buf, height.astype(np.float32), allow_pickle=False)
        return buf.getvalue(), DepthMapInfo(format="npy", scale_mm=1.0, offset_mm=0.0)
    lo, hi = float(height.min()), float(height.max())
    scale = max(hi - lo, 1e-6) / 65535.0
    data = np.round((height - lo) / scale).clip(0, 65535).astype(np.uint16)
    ok, enc = cv2.imencode(".png" if fmt == "png16" else ".tiff", data)
    if not ok:  # pragma: no cover - OpenCV encodes any uint16 array
        raise RuntimeError("depth map encoding failed")
    return bytes(enc.tobytes()), DepthMapInfo(format=fmt, scale_mm=scale, offset_mm=lo)


def _shade(height: npt.NDArray[np.float32], pixel_mm: float) -> npt.NDArray[np.float32]:
    """Hill-shade of the height map, lit from the upper left (for relief)."""
    gy, gx = np.gradient(height, pixel_mm)
    n = np.stack([-gx, -gy, np.ones_like(gx)])
    n /= np.linalg.norm(n, axis=0)
    light = np.array([-0.5, -0.5, 0.7071])
    return np.clip(np.tensordot(light, n, axes=1), 0.0, 1.0).astype(np.float32)


def depth_image_png(result: Analyze3DResult, *, max_side_px: int = 1600) -> bytes:
    """False-colour depth of each scar (below its surrounding skin) over a shaded relief, as a PNG.

    Drawn on a plain :class:`matplotlib.figure.Figure` (no pyplot): no global backend or figure
    registry is touched, so callers and threads do not disturb each other.
    """
    # Imported here, not at the top: matplotlib is heavy and only this picture needs it, so
    # every other analysis (and ``import scarwise.imaging``) goes without it.
    from matplotlib.figure import Figure

    height: npt.NDArray[np.float32] = result.height_map_mm()
    depth: npt.NDArray[np.float32] = np.zeros(height.shape, dtype=np.float32)
    own = result.scar_depressions_mm()
    full = None if own else result.depression_map_mm()
    for i, (rows, cols, mask) in enumerate(result.extents()):  # colour only the scars' extents
        # each scar's depth below its own surrounding surface (what depth_mm reports)
        values = own[i] if own else full[rows, cols]  # type: ignore[index]
        depth[rows, cols][mask] = np.maximum(depth[rows, cols][mask], values[mask])
    step = max(1, int(np.ceil(max(depth.shape) / max_side_px)))
    depth, height = depth[::step, ::step], height[::step, ::step]
    h, w = int(depth.shape[0]), int(depth.shape[-1])
    px = result.pixel_mm * step
    shade = _shade(height, px)
    valid = result.analysed_pixels()
    if valid is not None:  # what was not analysed (outside the mask) is left blank
        shade = np.ma.masked_where(~valid[::step, ::step], shade)
    top = max(float(np.percentile(depth, 99.9)), 0.05)
    fig = Figure(figsize=(8, 8 * h / w + 0.6), dpi=100)
    ax = fig.subplots()
    ax.imshow(shade, cmap="gray", vmin=0, vmax=1)
    masked = np.ma.masked_less_equal(depth, 0.0)
    im = ax.imshow(masked, cmap="magma_r", vmin=0, vmax=top, alpha=0.75)
    bar_px = 1.0 / px
    ax.plot([w * 0.05, w * 0.05 + bar_px], [h * 0.95, h * 0.95], color="white", lw=4)
    ax.text(w * 0.05, h * 0.93, "1 mm", color="white", fontsize=10)
    for scar in result.scars:
        ax.text(
            scar.centroid_px[0] / step,
            scar.centroid_px[1] / step,
            str(scar.id),
            color="cyan",
            fontsize=9,
            ha="center",
            va="center",
        )
    ax.set_axis_off()
    fig.colorbar(im, ax=ax, fraction=0.04, pad=0.02, label="depth below surrounding skin (mm)")
    ax.set_title(
        f"{result.summary.count} scars  (icepick {result.summary.by_type['icepick']}, "
        f"boxcar {result.summary.by_type['boxcar']}, rolling {result.summary.by_type['rolling']})"
    )
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight", metadata={"Software": None})
    return buf.getvalue()


def overlay_png(
    result: Analyze3DResult, background: npt.NDArray[np.generic] | None = None
) -> bytes:
    """The skin (``background``, or the recovered albedo) with numbered, typed scar outlines."""
    if background is None:
        base = result.shading_image()
        scale = float(np.percentile(base, 99.5)) or 1.0
        grey = np.clip(base / scale * 255.0, 0, 255).astype(np.uint8)
        canvas = np.ascontiguousarray(np.repeat(grey[..., None], 3, axis=2))
    else:
        bg = np.asarray(background)
        if bg.dtype == np.uint16:
            bg = (bg // 257).astype(np.uint8)
        elif bg.dtype != np.uint8:
            bg = np.clip(bg.astype(np.float32) * 255.0, 0, 255).astype(np.uint8)
        canvas = np.array(
            bg if bg.ndim == 3 else np.repeat(bg[..., None], 3, axis=2), dtype=np.uint8, order="C"
        )
    h, w = canvas.shape[:2]
    thick = max(1, round(max(h, w) / 800))
    font = max(0.4, max(h, w) / 1600)
    for scar, (rows, cols, mask) in zip(result.scars, result.extents(), strict=True):
        colour = TYPE_COLOURS[scar.type]
        contours, _hier = cv2.findContours(
            mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE
        )
        for c in contours:
            c = c + np.array([[[cols.start, rows.start]]], dtype=c.dtype)
            cv2.drawContours(canvas, [c], -1, colour, thick, lineType=cv2.LINE_AA)
        label = f"{scar.id} {scar.type}"
        radius = scar.diameter_mm / result.pixel_mm / 2
        x = int(min(max(scar.centroid_px[0] + 0.75 * radius + 3, 2), w - 10))
        y = int(min(max(scar.centroid_px[1] - 0.75 * radius - 3, 12), h - 4))
        cv2.putText(
            canvas, label, (x, y), cv2.FONT_HERSHEY_SIMPLEX, font, (0, 0, 0), thick + 2, cv2.LINE_AA
        )
        cv2.putText(
            canvas, label, (x, y), cv2.FONT_HERSHEY_SIMPLEX, font, colour, thick, cv2.LINE_AA
        )
    ok, enc = cv2.imencode(".png", np.ascontiguousarray(canvas[..., ::-1]))
    if not ok:  # pragma: no cover
        raise RuntimeError("overlay encoding failed")
    return bytes(enc.tobytes())
