"""Face landmarks with the vendored models, the face skin mask and regions, ``--region auto``."""

from __future__ import annotations

import hashlib
import io
from importlib import resources

import numpy as np
import pytest
import skimage.data
from PIL import Image

from scarwise.errors import InvalidInput
from scarwise.imaging import analyze_photo
from scarwise.imaging.face import REGION_NAMES, FaceMesh, face_regions, face_skin_mask, find_face
from scarwise.intake import read_photo
from scarwise.testing.skin_patches import render_skin_patch

ASTRONAUT = skimage.data.astronaut()  # 512 x 512 portrait bundled with scikit-image (public domain)


def _jpeg(pixels: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="JPEG", quality=92)
    return buf.getvalue()


def test_vendored_models_match_their_recorded_hashes_and_tensor_contract() -> None:
    folder = resources.files("scarwise.imaging.face").joinpath("models_data")
    readme = folder.joinpath("README.md").read_text()
    for name in (
        "face_detection_short_range.tflite",
        "face_detection_full_range.tflite",
        "face_landmark.tflite",
    ):
        digest = hashlib.sha256(folder.joinpath(name).read_bytes()).hexdigest()
        assert digest in readme, name
    assert "Apache License" in folder.joinpath("LICENSE").read_text()
    shapes = FaceMesh().tensor_shapes()
    assert shapes["face_detection_short_range.tflite"] == [
        [1, 128, 128, 3],
        [1, 896, 16],
        [1, 896, 1],
    ]
    assert shapes["face_detection_full_range.tflite"] == [
        [1, 192, 192, 3],
        [1, 2304, 16],
        [1, 2304, 1],
    ]
    assert shapes["face_landmark.tflite"] == [[1, 192, 192, 3], [1, 1, 1, 1404], [1, 1, 1, 1]]


def test_face_found_on_portrait_with_plausible_geometry() -> None:
    face = find_face(ASTRONAUT)
    assert face is not None
    assert face.score > 0.8 and face.presence > 0.9
    x0, y0, x1, y1 = face.box
    assert 150 < x0 < x1 < 300 and 50 < y0 < y1 < 200
    pts = face.points
    assert pts.shape == (468, 3)
    eyes_y = (pts[33, 1] + pts[263, 1]) / 2
    assert (
        pts[10, 1] < eyes_y < pts[1, 1] < pts[13, 1] < pts[152, 1]
    )  # forehead, eyes, nose, lips, chin
    assert pts[33, 0] < pts[1, 0] < pts[263, 0]  # nose between the eyes (left-right)


def test_face_found_at_twelve_megapixels_in_the_same_place() -> None:
    import cv2

    big = np.zeros((3024, 4032, 3), dtype=np.uint8)
    big[200:2760, 700:3260] = cv2.resize(ASTRONAUT, (2560, 2560), interpolation=cv2.INTER_CUBIC)
    small, large = find_face(ASTRONAUT), find_face(big)
    assert small is not None and large is not None
    mapped = small.points[:, :2] * 5 + 2 + (700, 200)  # pixel centres: 5x + 2
    # Within 5 px at the 512-px scale (the face is ~95 px wide): the crops are resampled
    # differently, so the model sees slightly different inputs.
    assert np.median(np.linalg.norm(large.points[:, :2] - mapped, axis=1)) < 25


def test_no_face_on_skin_close_up() -> None:
    assert find_face(render_skin_patch(11).pixels) is None
    assert find_face(np.full((256, 256, 3), 128, dtype=np.uint8)) is None


def test_skin_mask_excludes_eyes_lips_nostrils_and_keeps_cheeks() -> None:
    face = find_face(ASTRONAUT)
    assert face is not None
    mask = face_skin_mask(ASTRONAUT.shape[:2], face.points)

    def at(i: int) -> bool:
        x, y = face.points[i, :2]
        return bool(mask[round(y), round(x)])

    for feature in (468 - 1 - 0, 159, 386, 13, 14, 0, 17, 2, 105, 334):  # eyes, lips, nose, brows
        assert not at(feature), feature
    for cheek in (50, 280, 205, 425, 151):  # cheeks and mid-forehead
        assert at(cheek), cheek
    regions = face_regions(ASTRONAUT.shape[:2], face.points)
    assert tuple(regions) == REGION_NAMES
    x, y = face.points[50, :2]
    assert regions["right_cheek"][round(y), round(x)]
    x, y = face.points[280, :2]
    assert regions["left_cheek"][round(y), round(x)]
    x, y = face.points[152, :2]
    assert regions["chin"][round(y) - 3, round(x)]


def test_analyze_auto_uses_the_face() -> None:
    result = analyze_photo(read_photo(_jpeg(ASTRONAUT)))
    assert result.face_found and result.region == "face"
    assert 1200 < result.skin_area_px < 9000  # the face's skin, not the 262,144-px image
    assert result.skin_tone.category in {"light", "very light"}
    assert {r.name for r in result.regions} >= {"right_cheek", "left_cheek", "nose"}
    assert result.indices.mean_a_star > 0 and result.indices.erythema_index > 0
    # Studio lighting on a 3-D face: the detection thresholds are too high to trust; it says so.
    assert any(w.startswith("strong shading or uneven light") for w in result.warnings)


def test_analyze_auto_without_face_finds_the_skin_by_colour_with_warning() -> None:
    """A close-up of skin has no face: the skin is found by colour and texture (issue 18: the
    whole image is no longer taken as skin), minus a border band and the hairs."""
    patch = render_skin_patch(12)
    result = analyze_photo(read_photo(_jpeg(patch.pixels)))
    assert not result.face_found and result.region == "skin"
    assert any(
        w.startswith("no face found: the skin was found by its colour") for w in result.warnings
    )
    assert 0.8 * 512 * 512 < result.skin_area_px < 512 * 512
    mask = result.skin_mask()
    assert mask.shape == (512, 512) and mask.dtype == np.uint8
    assert not mask[:3].any() and not mask[:, -3:].any()  # the border band
    assert (mask[patch.hair_mask] == 0).mean() > 0.5  # most hair pixels are left out


def test_region_face_without_face_is_invalid_input() -> None:
    with pytest.raises(InvalidInput, match="no face found"):
        analyze_photo(read_photo(_jpeg(render_skin_patch(12).pixels)), region="face")
