"""The photos are checked against their lights: real photo sets (psm) and rendered ones.

Every way the issue found lights and photos to disagree is noticed: lights with y pointing up,
x and y reversed, lights in another order than the photos (shuffled, two swapped, the photos
listed sorted as text), photos that moved, the same photo many times, clipped or dark photos,
and 8-bit linear photos decoded as sRGB. The published lights with their own photos raise none
of these.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest

from scarwise.errors import InvalidInput
from scarwise.imaging import Light, LightSet, analyze_luminance_3d, parse_lights
from scarwise.imaging.relief import normals_from_photos
from scarwise.intake import Photo, read_photo, read_photo_file
from scarwise.testing.scar_scenes import encode_png16, light_directions, render_scar_scene

LUM = np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)
CHECK_WORDS = (
    "order",
    "pointing",
    "hollow",
    "turned",
    "mirrored",
    "moved",
    "same photo",
    "swapped",
)


def _psm(root: Path, obj: str) -> tuple[list[Photo], np.ndarray, np.ndarray]:
    photos = [read_photo_file(root / "psm" / obj / f"{obj}.{i}.png") for i in range(12)]
    lights = np.array(json.loads((root / "psm" / "lights.json").read_text()))
    mask = cv2.imread(str(root / "psm" / obj / f"{obj}.mask.png"), cv2.IMREAD_GRAYSCALE) > 128
    return photos, lights, mask


def _warnings(
    photos: list[Photo],
    lights: np.ndarray,
    mask: np.ndarray | None,
    names: list[str] | None = None,
    encoding: str = "linear",
) -> list[str]:
    names = names or [f"p{i}.png" for i in range(len(photos))]
    light_set = parse_lights(lights.tolist(), names)
    _field, warnings = normals_from_photos(photos, light_set, mask=mask, encoding=encoding)  # type: ignore[arg-type]
    return warnings


def _changed(photo: Photo, change: Callable[[np.ndarray], np.ndarray]) -> Photo:
    pixels = np.clip(change(np.array(photo.pixels, dtype=np.int64)), 0, 255).astype(np.uint8)
    return Photo(pixels, 8, "png", False, photo.sha256_original)


@pytest.mark.parametrize("obj", ["gray", "cat"])
@pytest.mark.parametrize("with_mask", [True, False])
def test_published_lights_fit_their_photos(photometric: Path, obj: str, with_mask: bool) -> None:
    photos, lights, mask = _psm(photometric, obj)
    warnings = _warnings(photos, lights, mask if with_mask else None)
    assert not [w for w in warnings if any(word in w for word in CHECK_WORDS)], warnings


@pytest.mark.parametrize("obj", ["gray", "cat"])
def test_lights_in_another_axis_convention_are_noticed(photometric: Path, obj: str) -> None:
    photos, lights, mask = _psm(photometric, obj)
    y_up = _warnings(photos, lights * [1, -1, 1], mask)
    assert any("y pointing up" in w and "negate the y" in w for w in y_up), y_up
    x_left = _warnings(photos, lights * [-1, 1, 1], mask)
    assert any("x pointing left" in w for w in x_left), x_left
    both = _warnings(photos, lights * [-1, -1, 1], mask)
    assert any("hollow" in w and "negate both" in w for w in both), both
    both_no_mask = _warnings(photos, lights * [-1, -1, 1], None)
    assert any("hollow" in w for w in both_no_mask), both_no_mask


@pytest.mark.parametrize("obj", ["gray", "cat"])
def test_lights_in_another_order_are_noticed(photometric: Path, obj: str) -> None:
    photos, lights, mask = _psm(photometric, obj)
    shuffled = _warnings(photos, lights[np.random.default_rng(3).permutation(12)], mask)
    assert any("order given" in w for w in shuffled), shuffled
    swap = np.arange(12)
    swap[[2, 7]] = swap[[7, 2]]
    swapped = _warnings(photos, lights[swap], mask)
    assert any("images[2] and images[7]" in w for w in swapped), swapped
    # the photos listed as a file browser sorts their names (x.10 before x.2), lights in order
    as_text = sorted(range(12), key=str)
    listed = _warnings(
        [photos[i] for i in as_text], lights, mask, names=[f"{obj}.{i}.png" for i in as_text]
    )
    assert any("natural order of their names" in w for w in listed), listed


def test_photos_that_moved_are_moved_back(photometric: Path, sphere_error_deg) -> None:  # type: ignore[no-untyped-def]
    photos, lights, mask = _psm(photometric, "gray")
    moved = list(photos)
    moved[3] = _changed(photos[3], lambda a: np.roll(a, 8, axis=1))
    moved[7] = _changed(photos[7], lambda a: np.roll(a, -8, axis=0))
    light_set = parse_lights(lights.tolist(), [f"p{i}.png" for i in range(12)])
    field, warnings = normals_from_photos(moved, light_set, mask=mask, encoding="linear")
    note = [w for w in warnings if "moved back" in w]
    assert note, warnings
    assert "images[3] by (7.9" in note[0] or "images[3] by (8.0" in note[0], note
    assert "images[7] by (" in note[0] and ", -8.0) px" in note[0], note
    assert np.median(sphere_error_deg(field.normals)) < 5.0  # 4.3 as never moved


def test_a_photo_moved_too_far_is_refused(photometric: Path) -> None:
    photos, lights, mask = _psm(photometric, "gray")
    moved = list(photos)
    moved[5] = _changed(photos[5], lambda a: np.roll(a, 60, axis=1))
    with pytest.raises(InvalidInput) as err:
        _warnings(moved, lights, mask)
    assert err.value.problems[0].field == "images[5]"


def test_repeated_clipped_and_dark_photos(photometric: Path) -> None:
    photos, lights, mask = _psm(photometric, "gray")
    with pytest.raises(InvalidInput, match="all the photos are the same"):
        _warnings([photos[0]] * 12, lights, mask)
    twice = list(photos)
    twice[6] = photos[1]
    assert any(
        "images[1], images[6] are the same photo" in w for w in _warnings(twice, lights, mask)
    )
    clipped = list(photos)
    clipped[4] = _changed(photos[4], lambda a: a * 8)
    assert any("images[4]" in w and "saturated" in w for w in _warnings(clipped, lights, mask))
    dark = list(photos)
    dark[5] = _changed(photos[5], lambda a: a // 20)
    assert any("images[5]" in w and "shadow" in w for w in _warnings(dark, lights, mask))
    with pytest.raises(InvalidInput, match="usable"):
        _warnings([_changed(p, lambda a: a * 20) for p in photos], lights, mask)


@pytest.mark.parametrize("obj", ["gray", "cat"])
def test_linear_photos_decoded_as_srgb_are_reported(photometric: Path, obj: str) -> None:
    photos, lights, mask = _psm(photometric, obj)
    auto = _warnings(photos, lights, mask, encoding="auto")  # 8-bit: taken as sRGB
    assert any("better as linear values" in w and "--linear" in w for w in auto), auto
    assert not any("sRGB-encoded than" in w for w in _warnings(photos, lights, mask))


# --- rendered sets ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scene_stack() -> tuple[np.ndarray, np.ndarray]:
    scene = render_scar_scene(3005)
    return np.stack([im @ LUM for im in scene.images]).astype(np.float32), scene.directions


def _scene_warnings(stack: np.ndarray, directions: np.ndarray) -> list[str]:
    lights = LightSet(
        lights=tuple(
            Light(image=f"light{i}.png", direction=tuple(d))  # type: ignore[arg-type]
            for i, d in enumerate(directions)
        )
    )
    return analyze_luminance_3d(stack, lights, 0.03).warnings


def test_rendered_skin_with_its_lights_raises_no_check(scene_stack) -> None:  # type: ignore[no-untyped-def]
    stack, directions = scene_stack
    warnings = _scene_warnings(stack, directions)
    assert not [w for w in warnings if any(word in w for word in CHECK_WORDS)], warnings


def test_rendered_skin_with_wrong_lights(scene_stack) -> None:  # type: ignore[no-untyped-def]
    stack, directions = scene_stack
    assert any("y pointing up" in w for w in _scene_warnings(stack, directions * [1, -1, 1]))
    assert any("hollow" in w for w in _scene_warnings(stack, directions * [-1, -1, 1]))
    order = directions[np.random.default_rng(1).permutation(len(directions))]
    assert any("order" in w or "swapped" in w for w in _scene_warnings(stack, order))
    moved = stack.copy()
    shift = np.array([[1.0, 0.0, 3.0], [0.0, 1.0, 0.0]], dtype=np.float32)
    moved[2] = cv2.warpAffine(
        moved[2], shift, moved.shape[1:][::-1], borderMode=cv2.BORDER_REPLICATE
    )
    note = [w for w in _scene_warnings(moved, directions) if "moved back" in w]
    assert note and "images[2] by (3." in note[0], note
    with pytest.raises(InvalidInput, match="all the photos are the same"):
        _scene_warnings(np.stack([stack[0]] * len(directions)), directions)


def _sphere_set(encode: Callable[[np.ndarray], bytes]) -> tuple[list[Photo], list[str], object]:
    """A matte sphere under 8 lights (wide normals: the decoding shows), encoded by ``encode``."""
    directions = light_directions(8, 35.0)
    yy, xx = np.mgrid[0:160, 0:160].astype(np.float64)
    nx, ny = (xx - 80) / 70, (yy - 80) / 70
    inside = nx**2 + ny**2 < 1
    nz = np.sqrt(np.clip(1 - nx**2 - ny**2, 0, None))
    photos, names = [], []
    for i, d in enumerate(directions):
        img = np.where(inside, 0.8 * np.clip(nx * d[0] + ny * d[1] + nz * d[2], 0, None), 0.0)
        names.append(f"s{i}.png")
        photos.append(read_photo(encode(img.astype(np.float32)), name=names[-1]))
    return photos, names, parse_lights(directions.tolist(), names)


def test_rendered_decoding_mismatch_is_reported_both_ways() -> None:
    def srgb8(img: np.ndarray) -> bytes:
        x = np.clip(img, 0, 1)
        enc = np.where(x <= 0.0031308, 12.92 * x, 1.055 * x ** (1 / 2.4) - 0.055)
        return bytes(cv2.imencode(".png", np.round(enc * 255).astype(np.uint8))[1].tobytes())

    photos, _names, lights = _sphere_set(srgb8)
    right = normals_from_photos(photos, lights, encoding="auto")[1]  # type: ignore[arg-type]
    assert not any("fit the light model better" in w for w in right), right
    wrong = normals_from_photos(photos, lights, encoding="linear")[1]  # type: ignore[arg-type]
    assert any("better as sRGB-encoded" in w and "--srgb" in w for w in wrong), wrong
    photos16, _names, lights16 = _sphere_set(encode_png16)
    forced = normals_from_photos(photos16, lights16, encoding="srgb")[1]  # type: ignore[arg-type]
    assert any("better as linear values" in w for w in forced), forced
