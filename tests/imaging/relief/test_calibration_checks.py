"""``lights calibrate`` checks that the photos show the sphere described, and reports its fit.

Real photos (psm chrome and matte grey spheres, a cat) and rendered spheres: the real chrome ball
at its centre gives the published directions; a centre 30 px off, a cat photographed "as a
chrome ball", a chrome ball read with ``--matte`` and a matte ball read as chrome are refused
(exit 3) with what to fix.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import cv2
import numpy as np
import pytest

from scarwise.cli.main import run
from scarwise.errors import InvalidInput
from scarwise.imaging import calibrate_lights_from_sphere
from scarwise.testing.scar_scenes import encode_png16, light_directions

LUM = np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)


def _luminance(root: Path, obj: str) -> list[np.ndarray]:
    out = []
    for i in range(12):
        bgr = cv2.imread(str(root / "psm" / obj / f"{obj}.{i}.png"), cv2.IMREAD_COLOR)
        out.append((bgr[..., ::-1].astype(np.float32) / 255.0) @ LUM)  # linear 8-bit
    return out


def _circle(root: Path, obj: str) -> tuple[float, float, float]:
    mask = cv2.imread(str(root / "psm" / obj / f"{obj}.mask.png"), cv2.IMREAD_GRAYSCALE) > 128
    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    pts = max(contours, key=len)[:, 0, :].astype(np.float64)
    a = np.c_[2 * pts[:, 0], 2 * pts[:, 1], np.ones(len(pts))]
    sol = np.linalg.lstsq(a, (pts**2).sum(axis=1), rcond=None)[0]
    return float(sol[0]), float(sol[1]), float(np.sqrt(sol[2] + sol[0] ** 2 + sol[1] ** 2))


def _published(root: Path) -> np.ndarray:
    lights = np.array(json.loads((root / "psm" / "lights.json").read_text()))
    return lights / np.linalg.norm(lights, axis=1, keepdims=True)


def _angles(cal_dirs: np.ndarray, true: np.ndarray) -> np.ndarray:
    return np.degrees(np.arccos(np.clip((cal_dirs * true).sum(axis=1), -1, 1)))


def test_real_chrome_ball_gives_the_published_directions(photometric: Path) -> None:
    cal = calibrate_lights_from_sphere(
        _luminance(photometric, "chrome"), _circle(photometric, "chrome")
    )
    error = _angles(cal.light_set().directions(), _published(photometric))
    assert np.median(error) < 3.0  # measured 2.2 degrees
    assert cal.fit_residual_unit == "deg" and 0 < cal.fit_residual < 10  # type: ignore[operator]
    assert len(cal.fit_residuals) == 12 and cal.outline_px is not None
    assert not cal.warnings


def test_real_matte_sphere_with_matte(photometric: Path) -> None:
    cal = calibrate_lights_from_sphere(
        _luminance(photometric, "gray"), _circle(photometric, "gray"), method="matte"
    )
    assert np.median(_angles(cal.light_set().directions(), _published(photometric))) < 4.0
    assert cal.fit_residual_unit == "relative" and cal.fit_residual < 0.1  # type: ignore[operator]


def test_wrong_sphere_photos_are_refused(photometric: Path) -> None:
    chrome = _luminance(photometric, "chrome")
    x, y, r = _circle(photometric, "chrome")
    with pytest.raises(InvalidInput) as off:
        calibrate_lights_from_sphere(chrome, (x + 30, y, r))
    assert off.value.problems[0].field == "sphere"
    hint = re.search(r"--sphere (\d+),(\d+),(\d+)", off.value.problems[0].expected)
    assert hint is not None  # where the outline really is
    assert np.allclose([float(v) for v in hint.groups()], (x, y, r), atol=2.0)
    with pytest.raises(InvalidInput, match="cosine law"):
        calibrate_lights_from_sphere(chrome, (x, y, r), method="matte")
    with pytest.raises(InvalidInput, match="highlight"):
        calibrate_lights_from_sphere(_luminance(photometric, "gray"), _circle(photometric, "gray"))
    cat = _luminance(photometric, "cat")
    for circle in ((x, y, r), (277.0, 116.0, 74.0)):  # where the ball was; the cat's head
        with pytest.raises(InvalidInput):
            calibrate_lights_from_sphere(cat, circle)


def _rendered(directions: np.ndarray, *, shiny: bool, background: float) -> list[np.ndarray]:
    yy, xx = np.mgrid[0:120, 0:140].astype(np.float64)
    nx, ny = (xx - 70) / 45, (yy - 60) / 45
    inside = nx**2 + ny**2 < 1
    nz = np.sqrt(np.clip(1 - nx**2 - ny**2, 0, None))
    out = []
    for d in directions:
        if shiny:
            h = d + np.array([0, 0, 1.0])
            h /= np.linalg.norm(h)
            shade = 0.02 + 0.9 * np.clip(nx * h[0] + ny * h[1] + nz * h[2], 0, None) ** 500
        else:
            shade = 0.8 * np.clip(nx * d[0] + ny * d[1] + nz * d[2], 0, None)
        out.append(np.where(inside, shade, background).astype(np.float32))
    return out


def test_rendered_spheres_checked_both_ways() -> None:
    true = light_directions(6, 30.0)
    chrome = _rendered(true, shiny=True, background=0.3)
    good = calibrate_lights_from_sphere(chrome, (70.0, 60.0, 45.0))
    assert _angles(good.light_set().directions(), true).max() < 2.0
    assert good.outline_px is not None and abs(good.outline_px[0] - 70) < 2
    with pytest.raises(InvalidInput, match="sphere"):
        calibrate_lights_from_sphere(chrome, (80.0, 60.0, 45.0))  # 10 px off
    matte = _rendered(true, shiny=False, background=0.0)
    assert (
        calibrate_lights_from_sphere(matte, (70.0, 60.0, 45.0), method="matte").fit_residual < 0.05
    )  # type: ignore[operator]
    with pytest.raises(InvalidInput, match="highlight"):
        calibrate_lights_from_sphere(matte, (70.0, 60.0, 45.0))
    with pytest.raises(InvalidInput, match="cosine law"):
        calibrate_lights_from_sphere(chrome, (70.0, 60.0, 45.0), method="matte")
    # a sphere whose outline cannot be seen (same brightness inside and out) is calibrated with
    # a warning instead
    hidden = _rendered(true, shiny=True, background=0.02)
    cal = calibrate_lights_from_sphere(hidden, (70.0, 60.0, 45.0))
    assert any("outline is not visible" in w for w in cal.warnings)


def test_cli_refuses_an_offset_centre_with_exit_3(
    photometric: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    x, y, r = _circle(photometric, "chrome")
    names = []
    for i, image in enumerate(_luminance(photometric, "chrome")):
        path = tmp_path / f"ball{i}.png"
        path.write_bytes(encode_png16(image))  # 16-bit: read as linear
        names.append(str(path))
    out = tmp_path / "lights.json"
    ok = run(
        ["lights", "calibrate", *names, "--sphere", f"{x},{y},{r}", "--out", str(out), "--json"]
    )
    result = json.loads(capsys.readouterr().out)
    assert ok == 0 and result["fit_residual_unit"] == "deg" and out.is_file()
    code = run(
        [
            "lights",
            "calibrate",
            *names,
            "--sphere",
            f"{x + 30},{y},{r}",
            "--out",
            str(out),
            "--json",
        ]
    )
    err = json.loads(capsys.readouterr().out)
    assert code == 3 and err["error"]["errors"][0]["field"] == "sphere"
    assert (
        run(
            [
                "lights",
                "calibrate",
                *names,
                "--sphere",
                f"{x},{y},{r}",
                "--matte",
                "--out",
                str(out),
            ]
        )
        == 3
    )
