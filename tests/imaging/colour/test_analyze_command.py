"""``scarwise analyze PHOTO --json``: the analyze/1 contract, exit codes, overlay, options."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from PIL import Image

import scarwise.imaging as imaging
from scarwise.cli.main import run
from scarwise.intake import read_photo
from scarwise.testing.hostile_images import hostile_corpus
from scarwise.testing.skin_patches import render_skin_patch


@pytest.fixture(scope="module")
def patch_file(tmp_path_factory):
    patch = render_skin_patch(4242, ita=20.0)
    path = tmp_path_factory.mktemp("analyze") / "cheek.jpg"
    Image.fromarray(patch.pixels).save(path, format="JPEG", quality=95)
    return path, patch


def _json(capsys) -> dict:
    out = capsys.readouterr().out
    assert out.count("\n") == 1  # exactly one JSON object on stdout
    return json.loads(out)


def test_json_follows_the_contract(patch_file, capsys) -> None:
    path, patch = patch_file
    assert run(["analyze", str(path), "--json", "--region", "full", "--pixel-mm", "0.05"]) == 0
    data = _json(capsys)
    assert data["ok"] is True and data["schema"] == "analyze/1" and data["scarwise_version"]
    assert data["image_size_px"] == [512, 512]
    assert data["region"] == "full" and data["face_found"] is False
    tone = data["skin_tone"]
    assert set(tone) == {"lab", "ita_deg", "category", "calibrated"}
    assert len(tone["lab"]) == 3 and tone["calibrated"] is False
    assert abs(tone["ita_deg"] - patch.ita_deg) < 1.5
    assert tone["category"] == "tan"
    assert {"mean_a_star", "erythema_index", "melanin_index"} <= set(data["indices"])
    assert data["spots"], "the patch has marks"
    for n, spot in enumerate(data["spots"], start=1):
        assert spot["id"] == n
        assert spot["kind"] in {"erythema", "hyperpigmentation"}
        assert len(spot["centroid_px"]) == 2 and spot["area_px"] >= 20
        assert spot["area_mm2"] == pytest.approx(spot["area_px"] * 0.0025, rel=1e-3)
        assert spot["delta_e"] > 0
    assert (
        "no colour reference in the photo: absolute colour values are approximate"
        in data["warnings"]
    )
    assert not any(w.startswith("strong shading") for w in data["warnings"])


def test_without_pixel_mm_areas_are_null(patch_file, capsys) -> None:
    path, _ = patch_file
    assert run(["--json", "analyze", str(path), "--region", "full"]) == 0
    data = _json(capsys)
    assert all(s["area_mm2"] is None for s in data["spots"])


def test_overlay_png_is_written_and_differs_from_the_photo(patch_file, tmp_path, capsys) -> None:
    path, _ = patch_file
    out = tmp_path / "overlay.png"
    assert run(["analyze", str(path), "--json", "--region", "full", "--overlay", str(out)]) == 0
    capsys.readouterr()
    with Image.open(out) as im:
        assert im.format == "PNG" and im.size == (512, 512)
        drawn = np.asarray(im.convert("RGB")).astype(int)
    with Image.open(path) as src:
        original = np.asarray(src.convert("RGB")).astype(int)
    changed = np.abs(drawn - original).max(axis=-1) > 60
    assert 0.005 < changed.mean() < 0.3  # outlines and numbers, not a repaint


@pytest.mark.parametrize(
    "name", ["empty.jpg", "png-bomb-81mp.png", "small-truncated-half.jpg", "gif.jpg"]
)
def test_bad_files_exit_3_with_a_clear_message(tmp_path, capsys, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(hostile_corpus()[name])
    assert run(["analyze", str(path), "--json"]) == 3
    err = _json(capsys)["error"]
    assert err["code"] == "invalid_input" and err["message"].startswith(f"{name}: ")


def test_missing_file_exits_4(tmp_path, capsys) -> None:
    assert run(["analyze", str(tmp_path / "none.jpg"), "--json"]) == 4
    assert _json(capsys)["error"]["code"] == "not_found"


def test_bad_options_exit_3(patch_file, capsys) -> None:
    path, _ = patch_file
    assert run(["analyze", str(path), "--json", "--region", "torso"]) == 3
    assert _json(capsys)["error"]["errors"][0]["field"] == "region"
    assert run(["analyze", str(path), "--json", "--pixel-mm", "-1"]) == 3
    assert _json(capsys)["error"]["errors"][0]["field"] == "pixel_mm"
    assert run(["analyze", str(path), "--json", "--grey-card", "1,2,3"]) == 3
    assert _json(capsys)["error"]["errors"][0]["field"] == "grey_card"
    assert run(["analyze", str(path), "--json", "--region", "face"]) == 3
    assert "no face found" in _json(capsys)["error"]["message"]


def test_user_mask_limits_the_analysed_skin(patch_file, tmp_path, capsys) -> None:
    path, _ = patch_file
    mask = np.zeros((512, 512), dtype=np.uint8)
    mask[:, :256] = 255
    mask_path = tmp_path / "mask.png"
    Image.fromarray(mask).save(mask_path)
    assert run(["analyze", str(path), "--json", "--mask", str(mask_path)]) == 0
    data = _json(capsys)
    assert data["region"] == "mask" and data["skin_area_px"] == 256 * 512
    assert all(s["centroid_px"][0] < 260 for s in data["spots"])


def test_grey_card_option_calibrates(tmp_path, capsys) -> None:
    patch = render_skin_patch(7002, grey_card=True)
    path = tmp_path / "card.png"
    Image.fromarray(patch.pixels).save(path)
    box = ",".join(str(v) for v in patch.grey_card_box)
    assert run(["analyze", str(path), "--json", "--region", "full", "--grey-card", box]) == 0
    data = _json(capsys)
    assert data["skin_tone"]["calibrated"] is True
    lab = np.asarray(data["skin_tone"]["lab"])
    assert np.linalg.norm(lab - np.asarray(patch.skin_lab)) < 1.0


def test_library_api_and_overlay_bytes() -> None:
    assert imaging.__all__ == sorted(imaging.__all__)
    patch = render_skin_patch(4243)
    buf = io.BytesIO()
    Image.fromarray(patch.pixels).save(buf, format="PNG")
    photo = read_photo(buf.getvalue())
    result = imaging.analyze_photo(photo, region="full", pixel_mm=0.1)
    assert isinstance(result, imaging.AnalyzeResult)
    assert result.to_json_dict()["schema"] == "analyze/1"
    png = imaging.render_overlay(photo, result)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and b"eXIf" not in png
    rebuilt = imaging.AnalyzeResult.model_validate(result.to_json_dict())
    assert rebuilt.spots == result.spots
    assert imaging.render_overlay(photo, rebuilt).startswith(b"\x89PNG")  # circles, no outlines
