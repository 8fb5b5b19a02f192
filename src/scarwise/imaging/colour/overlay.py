"""Pictures of a result: the photo with the analysed skin and each mark outlined and numbered
(:func:`render_overlay`), and the analysed skin as a mask (:func:`skin_mask_png`)."""

from __future__ import annotations

import cv2
import numpy as np

from scarwise.imaging.colour.models import AnalyzeResult
from scarwise.intake import Photo

__all__ = ["render_overlay", "skin_mask_png"]

_COLOURS = {  # RGB
    "erythema": (255, 0, 200),
    "hyperpigmentation": (0, 230, 255),
    "skin": (255, 255, 255),
}


def render_overlay(photo: Photo, result: AnalyzeResult) -> bytes:
    """A PNG (no metadata) of ``photo`` with the skin region and numbered marks outlined.

    Magenta outlines are erythema, cyan outlines hyperpigmentation; the thin white line is the
    edge of the skin analysed. Numbers are the spots' ``id`` in ``result``.
    """
    pixels = photo.pixels
    if pixels.dtype != np.uint8:
        pixels = (pixels >> 8).astype(np.uint8)
    canvas = np.ascontiguousarray(
        pixels if pixels.ndim == 3 else np.stack([pixels] * 3, axis=-1)
    ).copy()
    width, height = photo.size_px
    thick = max(1, round(max(width, height) / 800))
    font = max(0.4, max(width, height) / 1600)
    skin = [np.round(c).astype(np.int32) for c in result._skin_outline]
    if skin and result.region != "full":
        cv2.polylines(canvas, skin, True, _COLOURS["skin"], thick, cv2.LINE_AA)
    for spot, outline in zip(result.spots, result._outlines, strict=False):
        colour = _COLOURS[spot.kind]
        cv2.polylines(
            canvas, [np.round(outline).astype(np.int32)], True, colour, thick + 1, cv2.LINE_AA
        )
        x, y = outline[:, 0].max(), outline[:, 1].min()
        org = (int(min(width - 10, x + 2 * thick)), int(max(12, y)))
        cv2.putText(
            canvas,
            str(spot.id),
            org,
            cv2.FONT_HERSHEY_SIMPLEX,
            font,
            (0, 0, 0),
            thick + 2,
            cv2.LINE_AA,
        )
        cv2.putText(
            canvas, str(spot.id), org, cv2.FONT_HERSHEY_SIMPLEX, font, colour, thick, cv2.LINE_AA
        )
    if not result._outlines:
        # No outlines (e.g. a result read back from JSON): mark centroids with circles.
        for spot in result.spots:
            r = max(3, int(np.sqrt(spot.area_px / np.pi)))
            c = (int(spot.centroid_px[0]), int(spot.centroid_px[1]))
            cv2.circle(canvas, c, r, _COLOURS[spot.kind], thick + 1, cv2.LINE_AA)
    # OpenCV encodes our own pixels (fast zlib level 1, no metadata); it never decodes uploads.
    ok, buf = cv2.imencode(".png", canvas[:, :, ::-1], [cv2.IMWRITE_PNG_COMPRESSION, 1])
    if not ok:  # pragma: no cover - only on out-of-memory
        raise RuntimeError("PNG encoding failed")
    return bytes(buf.tobytes())


def skin_mask_png(result: AnalyzeResult) -> bytes:
    """The analysed skin as an 8-bit greyscale PNG of the photo's size (255 = skin).

    Raises
    ------
    ValueError
        For a result rebuilt from JSON (it carries no mask).
    """
    mask = result.skin_mask()
    if mask is None:
        raise ValueError("this result carries no skin mask (rebuilt from JSON)")
    ok, buf = cv2.imencode(".png", np.ascontiguousarray(mask), [cv2.IMWRITE_PNG_COMPRESSION, 3])
    if not ok:  # pragma: no cover - only on out-of-memory
        raise RuntimeError("PNG encoding failed")
    return bytes(buf.tobytes())
