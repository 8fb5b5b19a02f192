"""Registering a later photo onto an earlier one, by face landmarks or by image registration.

* by face landmarks when both photos show a face (:func:`scarwise.imaging.find_face`: a
  similarity transform fitted to the 468 mesh points, RANSAC), then refined by ECC started from
  it;
* otherwise by image registration: OpenCV's ECC maximisation (Evangelidis & Psarakis, IEEE TPAMI
  2008;30:1858-65, doi:10.1109/TPAMI.2008.113) with a Euclidean motion model, and phase
  correlation (translation only) if ECC does not converge.

OpenCV is part of the ``imaging`` extra and is imported when a pair is aligned.
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np
from numpy.typing import NDArray

from scarwise.imaging.face import find_face

__all__ = ["ECC", "LANDMARKS", "LANDMARKS_ECC", "NOT_ALIGNED", "PHASE", "align_photos"]

#: The method names a report prints for each pair.
LANDMARKS = "face landmarks (similarity transform)"
LANDMARKS_ECC = "face landmarks, refined by image registration (OpenCV ECC, affine)"
ECC = "image registration (OpenCV ECC, Euclidean)"
PHASE = "image registration (phase correlation, translation only)"
NOT_ALIGNED = "not aligned (registration failed)"

# ECC runs on images at most this many pixels on a side (the transform is scaled back).
_ECC_MAX_SIDE = 512


def align_photos(
    before: NDArray[np.uint8], after: NDArray[np.uint8]
) -> tuple[NDArray[np.uint8], str]:
    """``after`` moved onto ``before``'s frame (same size as ``before``) and how it was aligned.

    Parameters
    ----------
    before, after
        ``H x W x 3`` (or ``H x W``) uint8 pixels; ``after`` is resized to ``before``'s size first
        when they differ.

    Returns
    -------
    tuple
        The moved ``after`` (uncovered borders white) and one of :data:`LANDMARKS_ECC`,
        :data:`LANDMARKS`, :data:`ECC`, :data:`PHASE` or :data:`NOT_ALIGNED` (``after``
        unchanged).
    """
    import cv2

    height, width = before.shape[:2]
    if after.shape[:2] != (height, width):
        after = np.asarray(
            cv2.resize(after, (width, height), interpolation=cv2.INTER_AREA), dtype=np.uint8
        )
    matrix, method = _landmark_transform(before, after)
    if matrix is not None:
        # landmarks place the face; ECC started from there fits the skin texture too
        refined, _ = _registration_transform(before, after, start=matrix)
        if refined is not None:
            matrix, method = refined, LANDMARKS_ECC
    else:
        matrix, method = _registration_transform(before, after)
    if matrix is None:
        return after, NOT_ALIGNED
    warped = cv2.warpAffine(
        after,
        matrix.astype(np.float32),
        (width, height),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(255, 255, 255),
    )
    return np.asarray(warped, dtype=np.uint8), method


def _landmark_transform(before: Any, after: Any) -> tuple[Any, str]:
    """The similarity transform taking ``after``'s face mesh onto ``before``'s, if both have one."""
    import cv2

    if before.ndim != 3 or after.ndim != 3:
        return None, ""
    face_a, face_b = find_face(before), find_face(after)
    if face_a is None or face_b is None:
        return None, ""
    moving = np.ascontiguousarray(face_b.points[:, :2], dtype=np.float32)
    fixed = np.ascontiguousarray(face_a.points[:, :2], dtype=np.float32)
    matrix, _inliers = cv2.estimateAffinePartial2D(moving, fixed, method=cv2.RANSAC)
    return (matrix, LANDMARKS) if matrix is not None else (None, "")


def _registration_transform(before: Any, after: Any, start: Any = None) -> tuple[Any, str]:
    """ECC (Euclidean; affine when refining a ``start`` transform), else phase correlation."""
    import cv2

    def grey(image: Any) -> Any:
        g = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
        return g.astype(np.float32) / 255.0

    a, b = grey(before), grey(after)
    scale = min(1.0, _ECC_MAX_SIDE / max(a.shape))
    if scale < 1.0:
        size = (round(a.shape[1] * scale), round(a.shape[0] * scale))
        a, b = (
            cv2.resize(a, size, interpolation=cv2.INTER_AREA),
            cv2.resize(b, size, interpolation=cv2.INTER_AREA),
        )
    warp = np.eye(2, 3, dtype=np.float32)
    motion = cv2.MOTION_EUCLIDEAN
    if start is not None:
        warp = cv2.invertAffineTransform(np.asarray(start, dtype=np.float32)).astype(np.float32)
        warp[:, 2] *= scale
        motion = cv2.MOTION_AFFINE
    criteria = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 200, 1e-6)
    try:
        _cc, warp = cast(Any, cv2).findTransformECC(a, b, warp, motion, criteria, None, 5)
    except cv2.error:
        if start is not None:
            return None, ""
        (dx, dy), response = cv2.phaseCorrelate(a, b)
        if response <= 0:
            return None, ""
        return np.array([[1, 0, -dx / scale], [0, 1, -dy / scale]], dtype=np.float32), PHASE
    # ECC maps before-coordinates to after-coordinates; invert it to move 'after' onto 'before'.
    warp[:, 2] /= scale
    return cv2.invertAffineTransform(warp), ECC
