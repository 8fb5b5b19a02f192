"""analyze3d input checks, the CLI contract (JSON, files written, exit codes) and lights calibrate."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from scarwise.cli.main import run
from scarwise.errors import InvalidInput
from scarwise.imaging import Light, LightSet, analyze_scars_3d, parse_lights
from scarwise.intake import read_photo
from scarwise.testing.scar_scenes import (
    encode_png16,
    light_directions,
    render_scar_scene,
    scene_files,
)


@pytest.fixture(scope="module")
def small_set(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str], object]:
    scene = render_scar_scene(
        11, size_px=(360, 360), counts={"icepick": 1, "boxcar": 1, "rolling": 0}, n_pores=4
    )
    folder = tmp_path_factory.mktemp("set")
    names = []
    for name, data in scene_files(scene, "jpeg"):
        (folder / name).write_bytes(data)
        names.append(str(folder / name))
    (folder / "lights.json").write_text(
        json.dumps(scene.lights_document([Path(n).name for n in names]))
    )
    return folder, names, scene


def test_bad_inputs_list_every_problem() -> None:
    photos = [
        read_photo(encode_png16(np.full((40, 40), 0.5, np.float32)), name=f"p{i}") for i in range(2)
    ]
    photos.append(read_photo(encode_png16(np.full((40, 48), 0.5, np.float32)), name="p2"))
    lights = LightSet(lights=tuple(Light(direction=tuple(d)) for d in light_directions(4)))  # type: ignore[arg-type]
    with pytest.raises(InvalidInput) as err:
        analyze_scars_3d(photos, lights, -1.0)
    fields = [p.field for p in err.value.problems]
    assert "images[2]" in fields and "lights" in fields and "pixel_mm" in fields
    with pytest.raises(InvalidInput) as err2:
        analyze_scars_3d(photos[:2], lights, float("nan"))
    fields2 = [p.field for p in err2.value.problems]
    assert "images" in fields2 and "pixel_mm" in fields2


def test_cli_json_and_files(small_set, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    folder, names, scene = small_set
    depth = tmp_path / "height.npy"
    overlay = tmp_path / "overlay.png"
    picture = tmp_path / "depth.png"
    code = run(
        [
            "analyze3d",
            *names,
            "--lights",
            str(folder / "lights.json"),
            "--pixel-mm",
            str(scene.pixel_mm),
            "--json",
            "--depth-out",
            str(depth),
            "--overlay",
            str(overlay),
            "--depth-image",
            str(picture),
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["ok"] is True and out["schema"] == "analyze3d/1"
    assert out["image_size_px"] == [360, 360] and out["pixel_mm"] == scene.pixel_mm
    assert out["summary"]["count"] == len(out["scars"]) == len(scene.scars) >= 1
    assert sorted(s["type"] for s in out["scars"]) == sorted(s.kind for s in scene.scars)
    assert set(out["scars"][0]) == {
        "id",
        "centroid_px",
        "diameter_mm",
        "area_mm2",
        "depth_mm",
        "volume_mm3",
        "type",
    }
    height = np.load(depth)
    assert height.dtype == np.float32 and height.shape == (360, 360)
    assert out["depth_map"]["format"] == "npy"
    # the height map really has the scars as depressions (z towards the camera: negative)
    cx, cy = (round(v) for v in out["scars"][0]["centroid_px"])
    assert height[cy, cx] < np.median(height[max(cy - 60, 0) : cy + 60, max(cx - 60, 0) : cx + 60])
    from scarwise.intake import read_photo_file

    assert read_photo_file(overlay).size_px == (360, 360)
    assert read_photo_file(picture).format == "png"


def test_cli_png16_depth_out_reports_scale(
    small_set, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    folder, names, _scene = small_set
    depth = tmp_path / "height.png"
    assert (
        run(
            [
                "analyze3d",
                *names,
                "--lights",
                str(folder / "lights.json"),
                "--pixel-mm",
                "0.03",
                "--json",
                "--depth-out",
                str(depth),
            ]
        )
        == 0
    )
    info = json.loads(capsys.readouterr().out)["depth_map"]
    import cv2

    raw = cv2.imread(str(depth), cv2.IMREAD_UNCHANGED)
    assert raw.dtype == np.uint16
    mm = raw.astype(np.float64) * info["scale_mm"] + info["offset_mm"]
    assert 0.3 < np.ptp(mm) < 20


def test_cli_errors_map_to_exit_3(
    small_set, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    folder, names, _scene = small_set
    bad = tmp_path / "lights.json"
    bad.write_text(json.dumps(light_directions(3).tolist()))
    code = run(["analyze3d", *names, "--lights", str(bad), "--pixel-mm", "0", "--json"])
    err = json.loads(capsys.readouterr().out)
    assert code == 3 and err["ok"] is False and err["error"]["code"] == "invalid_input"
    assert {e["field"] for e in err["error"]["errors"]} >= {"lights"}
    code = run(
        [
            "analyze3d",
            *names[:2],
            "--lights",
            str(folder / "lights.json"),
            "--pixel-mm",
            "0",
            "--json",
        ]
    )
    err = json.loads(capsys.readouterr().out)
    assert code == 3 and {e["field"] for e in err["error"]["errors"]} >= {
        "images",
        "pixel_mm",
        "lights[2].image",
    }


def test_lights_calibrate_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    true = light_directions(5, 30.0)
    yy, xx = np.mgrid[0:120, 0:140].astype(np.float64)
    nx, ny = (xx - 70) / 50, (yy - 60) / 50
    nz = np.sqrt(np.clip(1 - nx**2 - ny**2, 0, None))
    names = []
    for i, d in enumerate(true):
        h = d + np.array([0, 0, 1.0])
        h /= np.linalg.norm(h)
        img = 0.05 + 0.9 * np.clip(nx * h[0] + ny * h[1] + nz * h[2], 0, None) ** 500 * (nz > 0)
        path = tmp_path / f"sphere{i}.png"
        path.write_bytes(encode_png16(img.astype(np.float32)))
        names.append(str(path))
    out = tmp_path / "lights.json"
    code = run(["lights", "calibrate", *names, "--sphere", "70,60,50", "--out", str(out), "--json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0 and result["schema"] == "lights-calibration/1"
    lights = parse_lights(json.loads(out.read_text()), [Path(n).name for n in names])
    angle = np.degrees(np.arccos(np.clip((lights.directions() * true).sum(1), -1, 1)))
    assert angle.max() < 2.0
    assert (
        run(["lights", "calibrate", *names, "--sphere", "70,60", "--out", str(out), "--json"]) == 2
    )


def test_mask_leaves_out_a_scar_and_three_lights_warn() -> None:
    from scarwise.imaging import analyze_luminance_3d

    scene = render_scar_scene(
        12,
        size_px=(400, 400),
        n_lights=3,
        intensity_spread=0.0,
        specular=0.0,
        counts={"icepick": 1, "boxcar": 2, "rolling": 0},
        n_pores=0,
    )
    lum = np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)
    stack = np.stack([im @ lum for im in scene.images]).astype(np.float32)
    lights = LightSet(lights=tuple(Light(direction=tuple(d)) for d in scene.directions))  # type: ignore[arg-type]
    full = analyze_luminance_3d(stack.copy(), lights, scene.pixel_mm)
    assert full.summary.count == len(scene.scars)
    assert any("3 lights" in w for w in full.warnings)
    first = scene.scars[0]
    mask = np.ones((400, 400), dtype=bool)
    cx, cy = (round(v) for v in first.centroid_px)
    radius = round(first.diameter_mm / scene.pixel_mm)
    mask[max(cy - radius, 0) : cy + radius, max(cx - radius, 0) : cx + radius] = False
    masked = analyze_luminance_3d(stack, lights, scene.pixel_mm, mask=mask)
    assert masked.summary.count == len(scene.scars) - 1
    assert all(
        np.hypot(s.centroid_px[0] - cx, s.centroid_px[1] - cy) > radius for s in masked.scars
    )


def test_cli_estimate_brightness_overrides_stated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scene = render_scar_scene(
        13, size_px=(360, 360), specular=0.0, counts={"icepick": 1, "boxcar": 1, "rolling": 0}
    )
    names = []
    for name, data in scene_files(scene, "png16"):
        (tmp_path / name).write_bytes(data)
        names.append(name)
    doc = {
        "lights": [
            {"image": n, "direction": [float(v) for v in d], "intensity": 1.0}
            for n, d in zip(names, scene.directions, strict=True)
        ]
    }
    (tmp_path / "lights.json").write_text(json.dumps(doc))
    args = [
        "analyze3d",
        *[str(tmp_path / n) for n in names],
        "--lights",
        str(tmp_path / "lights.json"),
    ]
    args += ["--pixel-mm", str(scene.pixel_mm), "--json"]
    assert run(args) == 0
    stated = json.loads(capsys.readouterr().out)
    assert stated["light_intensities"] == [1.0] * 6
    assert any("differs from the stated intensity" in w for w in stated["warnings"])
    assert run([*args, "--estimate-brightness"]) == 0
    estimated = json.loads(capsys.readouterr().out)
    true = scene.intensities / np.exp(np.log(scene.intensities).mean())
    assert np.abs(np.array(estimated["light_intensities"]) / true - 1).max() < 0.01
