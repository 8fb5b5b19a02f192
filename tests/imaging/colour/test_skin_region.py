"""The skin region for any framing, the no-skin refusal, ``--skin-mask-out`` and the quality
warnings (issue 18), on pictures made by code and bundled with scikit-image."""

from __future__ import annotations

import io
import json

import cv2
import numpy as np
import pytest
import skimage.data
from PIL import Image

from scarwise.cli.main import run
from scarwise.errors import InvalidInput
from scarwise.imaging import analyze_photo, skin_mask_png
from scarwise.imaging.colour.quality import tone_warning
from scarwise.intake import read_photo
from scarwise.testing.no_skin import no_skin_pictures
from scarwise.testing.skin_patches import render_skin_patch


def _png(pixels: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="PNG")
    return buf.getvalue()


@pytest.mark.parametrize("name", sorted(no_skin_pictures()))
def test_a_picture_without_skin_is_refused(name: str) -> None:
    with pytest.raises(InvalidInput, match="no skin found in the photo"):
        analyze_photo(read_photo(_png(no_skin_pictures()[name])))


def test_no_skin_exits_3_and_reports_no_numbers(tmp_path, capsys) -> None:
    path = tmp_path / "cat.png"
    path.write_bytes(_png(skimage.data.chelsea()))
    assert run(["analyze", str(path), "--json"]) == 3
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is False and out["error"]["code"] == "invalid_input"
    assert "no skin found" in out["error"]["message"]
    assert "skin_tone" not in out and "spots" not in out


def test_skin_mask_out_writes_the_analysed_skin(tmp_path, capsys) -> None:
    photo = tmp_path / "astronaut.jpg"
    Image.fromarray(skimage.data.astronaut()).save(photo, quality=92)
    out = tmp_path / "skin.png"
    assert run(["analyze", str(photo), "--json", "--skin-mask-out", str(out)]) == 0
    data = json.loads(capsys.readouterr().out)
    with Image.open(out) as im:
        assert im.format == "PNG" and im.mode == "L" and im.size == (512, 512)
        mask = np.asarray(im)
    assert set(np.unique(mask)) <= {0, 255}
    assert data["region"] == "face"
    # The mask is what was analysed: its area is the reported skin area (within rounding).
    assert abs(int((mask == 255).sum()) - data["skin_area_px"]) <= 0.02 * data["skin_area_px"]
    # Hair, background, eyes and lips are not in it; cheeks are.
    assert not mask[:60].any() and not mask[:, :60].any()
    from scarwise.imaging.face import find_face

    face = find_face(skimage.data.astronaut())
    assert face is not None
    for feature in (159, 386, 13, 14):  # eyelids, lips
        x, y = face.points[feature, :2]
        assert mask[round(y), round(x)] == 0, feature
    x, y = face.points[50, :2]  # a cheek
    assert mask[round(y), round(x)] == 255


def test_the_mask_follows_the_photo_orientation_and_size() -> None:
    turned = np.ascontiguousarray(np.rot90(skimage.data.astronaut(), 1))[:, :400]
    result = analyze_photo(read_photo(_png(turned)))
    assert result.face_found and result.region == "face"
    mask = result.skin_mask()
    assert mask.shape == turned.shape[:2]
    with Image.open(io.BytesIO(skin_mask_png(result))) as im:
        assert im.size == (turned.shape[1], turned.shape[0])


def test_bars_text_and_borders_drawn_over_skin_are_not_skin() -> None:
    patch = render_skin_patch(31, ita=30.0, size=(640, 480)).pixels.copy()
    patch[40:110, 100:420] = 0  # a black privacy bar
    cv2.putText(patch, "tel 123456", (60, 420), cv2.FONT_HERSHEY_SIMPLEX, 1.6, (250, 250, 250), 3)
    mosaic = cv2.resize(
        cv2.resize(patch[200:320, 380:620], (12, 6)), (240, 120), interpolation=cv2.INTER_NEAREST
    )
    patch[200:320, 380:620] = mosaic  # a pixelated (mosaic) area
    result = analyze_photo(read_photo(_png(patch)))
    assert result.region == "skin"
    mask = result.skin_mask() > 0
    assert not mask[40:110, 100:420].any()
    assert mask[390:430, 60:330].mean() < 0.5  # the text band
    assert mask[210:310, 390:610].mean() < 0.2  # the mosaic
    assert not mask[:4].any() and not mask[:, :4].any()  # the border band
    assert mask[150:190, 100:350].mean() > 0.8  # plain skin stays


def test_skin_tone_outside_what_skin_can_be_warns() -> None:
    assert tone_warning(30.0) is None and tone_warning(-65.0) is None
    for ita in (-90.0, 95.0, 153.0):
        text = tone_warning(ita)
        assert text is not None and "outside what skin can be" in text and "grey card" in text


def test_quality_warnings_say_what_to_do() -> None:
    patch = render_skin_patch(32, ita=25.0).pixels
    clean = analyze_photo(read_photo(_png(patch)), region="full")
    assert not any("blurred" in w or "exposed" in w for w in clean.warnings)
    dark = analyze_photo(read_photo(_png((patch * 0.12).astype(np.uint8))), region="full")
    assert any("underexposed" in w and "more light" in w for w in dark.warnings)
    portrait = skimage.data.astronaut()
    sharp = analyze_photo(read_photo(_png(portrait)))
    assert not any("blurred" in w for w in sharp.warnings)
    assert any("skin covers only 2% of the photo" in w for w in sharp.warnings)
    blurred = analyze_photo(read_photo(_png(cv2.GaussianBlur(portrait, (0, 0), 1.5))))
    assert any("blurred" in w and "focus" in w for w in blurred.warnings)
    bright = np.clip(patch.astype(np.int32) + 120, 0, 255).astype(np.uint8)
    over = analyze_photo(read_photo(_png(bright)), region="full")
    assert any("overexposed" in w for w in over.warnings)
