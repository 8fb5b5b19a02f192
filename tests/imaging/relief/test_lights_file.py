"""The lights file (both contract forms), its checks, and sphere calibration."""

from __future__ import annotations

import numpy as np
import pytest

from scarwise.errors import InvalidInput
from scarwise.imaging import calibrate_lights_from_sphere, parse_lights
from scarwise.testing.scar_scenes import light_directions

NAMES = ["dir/a.png", "dir/b.png", "dir/c.png", "dir/d.png"]
DIRS = light_directions(4, 30.0).round(4).tolist()


def test_list_form_in_image_order() -> None:
    lights = parse_lights(DIRS, NAMES)
    assert [light.image for light in lights.lights] == ["a.png", "b.png", "c.png", "d.png"]
    assert np.allclose(
        lights.directions(), np.array(DIRS) / np.linalg.norm(DIRS, axis=1, keepdims=True)
    )
    assert lights.intensities() is None


def test_object_form_matched_by_file_name_not_order() -> None:
    doc = {
        "lights": [
            {"image": n, "direction": [2 * v for v in d], "intensity": 1.1}
            for n, d in reversed(list(zip(["a.png", "b.png", "c.png", "d.png"], DIRS, strict=True)))
        ]
    }
    lights = parse_lights(doc, NAMES)
    assert [light.image for light in lights.lights] == ["a.png", "b.png", "c.png", "d.png"]
    assert np.allclose(lights.directions()[0], np.array(DIRS[0]) / np.linalg.norm(DIRS[0]))
    assert lights.intensities() == pytest.approx([1.1] * 4)


def test_every_problem_is_listed() -> None:
    doc = {
        "lights": [
            {"image": "a.png", "direction": [0, 0, 0]},
            {"image": "zzz.png", "direction": [0.5, 0, 1]},
            {"image": "c.png", "direction": [0.5, 0, 1], "intensity": -1},
            {"image": "d.png", "direction": [0.5, 0.5, 1], "colour": "red"},
        ]
    }
    with pytest.raises(InvalidInput) as err:
        parse_lights(doc, NAMES)
    fields = {p.field for p in err.value.problems}
    assert {
        "lights[0].direction",
        "lights[1].image",
        "lights[2].intensity",
        "lights[3].colour",
    } <= fields


def test_count_mismatch_and_coplanar_lights_are_rejected() -> None:
    with pytest.raises(InvalidInput) as err:
        parse_lights(DIRS[:3], NAMES)
    assert err.value.problems[0].field == "lights"
    flat = [[1, 0, 1], [2, 0, 2], [-1, 0, 1], [0.5, 0, 0.5]]  # all in the x-z plane
    with pytest.raises(InvalidInput, match="one plane"):
        parse_lights(flat, NAMES)
    with pytest.raises(InvalidInput):
        parse_lights({"lamps": []}, NAMES)


def _sphere_images(directions: np.ndarray, shiny: bool) -> list[np.ndarray]:
    cx, cy, r = 60.0, 50.0, 40.0
    yy, xx = np.mgrid[0:100, 0:120].astype(np.float64)
    nx, ny = (xx - cx) / r, (yy - cy) / r
    inside = nx**2 + ny**2 < 1
    nz = np.sqrt(np.clip(1 - nx**2 - ny**2, 0, None))
    out = []
    for i, d in enumerate(directions):
        d = d / np.linalg.norm(d)
        shade = np.clip(nx * d[0] + ny * d[1] + nz * d[2], 0, None) * (1.0 + 0.1 * i)
        if shiny:
            h = d + np.array([0, 0, 1.0])
            h /= np.linalg.norm(h)
            shade = 0.1 * shade + np.clip(nx * h[0] + ny * h[1] + nz * h[2], 0, None) ** 400
        out.append(np.where(inside, shade, 0.0).astype(np.float32))
    return out


@pytest.mark.parametrize("method", ["chrome", "matte"])
def test_sphere_calibration_recovers_directions(method: str) -> None:
    true = light_directions(6, 30.0)
    imgs = _sphere_images(true, shiny=method == "chrome")
    cal = calibrate_lights_from_sphere(
        imgs, (60.0, 50.0, 40.0), names=[f"s{i}.png" for i in range(6)], method=method
    )  # type: ignore[arg-type]
    got = cal.light_set().directions()
    angle = np.degrees(np.arccos(np.clip((got * true).sum(1), -1, 1)))
    assert angle.max() < 2.0
    assert cal.to_json_dict()["schema"] == "lights-calibration/1"
    # the written file reads back as a lights file matched by name
    again = parse_lights(cal.light_set().to_document(), [f"x/s{i}.png" for i in range(6)])
    assert np.allclose(again.directions(), got)
