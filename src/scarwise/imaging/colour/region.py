"""The skin a colour analysis measures: a user's mask, the whole image, or the skin found in the
photo (with the face mesh when a face is found, by colour alone when not).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Final, Literal

import cv2
import numpy as np
from numpy.typing import NDArray

from scarwise.errors import InvalidInput, Problem
from scarwise.imaging.colour.colour_space import srgb_to_linear
from scarwise.imaging.colour.skin_segmentation import (
    SEGMENT_SIDE,
    SkinSegmentation,
    flat_areas,
    segment_skin,
)
from scarwise.imaging.face import (
    FaceLandmarks,
    face_features_mask,
    face_outskirts_mask,
    face_oval_mask,
    face_regions,
    face_skin_mask,
    find_face_any_orientation,
)

__all__ = ["NO_SKIN_MESSAGE", "SkinRegion", "find_skin_region", "looks_like_skin"]

RegionUsed = Literal["face", "skin", "full", "mask"]

NO_SKIN_MESSAGE: Final = "analyze: no skin found in the photo"
#: The face oval is grown by this fraction of the face's width: the jaw line and the cheeks'
#: outer edge, not the ears, neck or hair.
FACE_MARGIN: Final = 0.04
#: Above the brows and below the mouth, skin is looked for this far (fraction of the face's
#: width) beyond the oval: the hairline, jaw and neck carry acne too.
OUTSKIRTS: Final = 0.3
#: Eyes, brows, lips and nostrils from the mesh are grown by this fraction of the eye's width:
#: on turned and stretched faces the mesh's features sit a few pixels off the real ones.
FEATURE_MARGIN: Final = 0.15
#: The mesh's inner skin shrunk by this fraction of the face's width gives the seeds.
SEED_INSET: Final = 0.06
#: Least share of the photo that must be skin when no face is found (a close-up of skin fills
#: much of the frame; a skin-coloured field in a landscape or coffee in a cup are not a skin
#: photo). ACNE04's 35 photos where no face is found (profiles, close-ups) measure 0.12-0.67,
#: 33 of them at least 0.22; skimage's coffee and the landscape of
#: :mod:`scarwise.testing.no_skin` measure 0.20 [T]: a thin margin, see
#: docs/validation-colour.md.
MIN_SKIN_COVERAGE: Final = 0.21
#: The skin model must sit on the skin-colour prior (Mahalanobis distance) ...
MAX_PRIOR_DISTANCE: Final = 2.3
#: ... and be as smooth as skin: the median band-pass contrast of log luminance at 2-6 px and
#: 4-12 px on the 512-px raster. Skin close-ups of ACNE04's tuning photos, severe acne
#: included, stay under 0.040 / 0.066; fur (``skimage.data.chelsea``) measures 0.054 / 0.107
#: [T: benchmarks/validate_colour_real.py prints both].
MAX_TEXTURE: Final = 0.045
MAX_COARSE_TEXTURE: Final = 0.085


@dataclass(frozen=True)
class SkinRegion:
    """The analysed skin at the working resolution and how it was found."""

    mask: NDArray[np.bool_]
    used: RegionUsed
    face: FaceLandmarks | None = None
    regions: dict[str, NDArray[np.bool_]] = field(default_factory=dict)
    segmentation: SkinSegmentation | None = None
    warnings: tuple[str, ...] = ()


def looks_like_skin(seg: SkinSegmentation, *, face_found: bool) -> bool:
    """Whether the segmentation found skin: a face, or enough smooth, skin-coloured pixels."""
    if seg.coverage <= 0.0:
        return False
    if face_found:
        return seg.coverage >= 0.005
    return (
        seg.coverage >= MIN_SKIN_COVERAGE
        and seg.prior_distance <= MAX_PRIOR_DISTANCE
        and seg.texture <= MAX_TEXTURE
        and seg.coarse_texture <= MAX_COARSE_TEXTURE
    )


def _resize_mask(mask: NDArray[np.bool_], size: tuple[int, int]) -> NDArray[np.bool_]:
    """Resize a mask to ``size`` = (h, w) with smooth edges (linear, then threshold)."""
    h, w = size
    if mask.shape == (h, w):
        return mask
    up = cv2.resize(mask.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    return np.asarray(up >= 0.5)


def find_skin_region(
    rgb8: NDArray[np.uint8],
    working_size: tuple[int, int],
    *,
    region: str,
    mask: NDArray[np.bool_] | None,
) -> SkinRegion:
    """The skin to analyse, at ``working_size`` = (h, w).

    Raises
    ------
    InvalidInput
        ``region="face"`` and no face, or no skin in the photo (``auto``).
    """
    wh, ww = working_size
    height, width = rgb8.shape[:2]
    if mask is not None:
        m = cv2.resize(mask.astype(np.uint8), (ww, wh), interpolation=cv2.INTER_NEAREST) > 0
        return SkinRegion(mask=np.asarray(m), used="mask")
    if region == "full":
        return SkinRegion(mask=np.ones((wh, ww), dtype=bool), used="full")

    face = find_face_any_orientation(rgb8)
    if face is None and region == "face":
        raise InvalidInput(
            "analyze: no face found in the photo",
            problems=[Problem("region", "a photo with a face for --region face", "no face")],
            hint="use --region auto for a close-up of skin, or --region full",
        )
    k = min(1.0, SEGMENT_SIDE / max(height, width))
    sh, sw = max(1, round(height * k)), max(1, round(width * k))
    small = rgb8 if k == 1.0 else cv2.resize(rgb8, (sw, sh), interpolation=cv2.INTER_AREA)
    small = np.ascontiguousarray(small, dtype=np.uint8)
    linear = srgb_to_linear(small)
    face_skin = allowed = None
    if face is not None:
        seed_mask = face_skin_mask((sh, sw), face.points, scale=k)
        face_skin = seed_mask & face_oval_mask((sh, sw), face.points, scale=k, grow=-SEED_INSET)
        allowed = (
            face_oval_mask((sh, sw), face.points, scale=k, grow=FACE_MARGIN)
            | face_outskirts_mask((sh, sw), face.points, scale=k, grow=OUTSKIRTS)
        ) & ~face_features_mask((sh, sw), face.points, scale=k, margin=FEATURE_MARGIN)
    seg = segment_skin(
        small,
        linear,
        face_skin=face_skin,
        face_allowed=allowed,
        flat=flat_areas(rgb8, (sh, sw)),
    )
    if not looks_like_skin(seg, face_found=face is not None):
        raise InvalidInput(
            NO_SKIN_MESSAGE,
            problems=[
                Problem(
                    "photo",
                    "a photo of skin (a face or a close-up of skin)",
                    "no skin-coloured, skin-textured area" if face is None else "no skin",
                )
            ],
            hint="photograph the skin itself, evenly lit, filling much of the frame; use "
            "--region full or --mask to analyse an image as it is",
        )
    warnings: list[str] = []
    used: RegionUsed = "face"
    regions: dict[str, NDArray[np.bool_]] = {}
    if face is None:
        used = "skin"
        warnings.append(
            "no face found: the skin was found by its colour and texture alone "
            "(check it with --skin-mask-out)"
        )
    else:
        regions = face_regions((wh, ww), face.points, scale=ww / width)
    return SkinRegion(
        mask=_resize_mask(seg.mask, (wh, ww)),
        used=used,
        face=face,
        regions=regions,
        segmentation=seg,
        warnings=tuple(warnings),
    )


def mask_edge_px(region: SkinRegion, working_width: int, photo_width: int) -> float:
    """Distance from the mask's edge under which marks are edge artefacts (working pixels)."""
    if region.face is not None:
        face_px = float(region.face.box[2] - region.face.box[0]) * working_width / photo_width
        return max(2.0, 0.03 * face_px)
    return max(2.0, 0.01 * math.sqrt(float(region.mask.sum())))
