"""analyze3d on real multi-light photographs (``../shared/data/photometric``, README there).

* The psm matte grey sphere: its normals against the analytic sphere fitted to its mask, with
  all 12 published lights and with 8 spread ones, brightness not stated (the photos are 8-bit
  linear: ``--linear``); no scar on it.
* Smooth parts of real objects (the pig's flank, the frog's belly, the owl's and the cat's
  bellies) hold no scar; the objects' real grooves and pits elsewhere may be found.
* Two real faces with a face mask that leaves out eyes, brows, nostrils and lips: no scar at
  those features (nor on the skin of these two people, who have no acne scars).

``docs/validation-3d.md`` reports the numbers.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest

from scarwise.imaging import analyze_luminance_3d, analyze_scars_3d, parse_lights
from scarwise.imaging.relief import normals_from_photos
from scarwise.intake import Photo, read_photo_file
from scarwise.testing.scar_scenes import light_directions, render_scar_scene

SPREAD = [0, 1, 4, 5, 6, 10, 3, 8]  # 8 of the 12 psm lights, spread around the camera


def _psm(root: Path, obj: str, idx: list[int]) -> tuple[list[Photo], object, np.ndarray]:
    photos = [read_photo_file(root / "psm" / obj / f"{obj}.{i}.png") for i in idx]
    lights = np.array(json.loads((root / "psm" / "lights.json").read_text()))[idx]
    light_set = parse_lights(lights.tolist(), [f"{obj}.{i}.png" for i in idx])
    mask = cv2.imread(str(root / "psm" / obj / f"{obj}.mask.png"), cv2.IMREAD_GRAYSCALE) > 128
    return photos, light_set, mask


def test_grey_sphere_twelve_lights_brightness_unstated(
    photometric: Path, sphere_error_deg: Callable[[np.ndarray], np.ndarray]
) -> None:
    photos, lights, mask = _psm(photometric, "gray", list(range(12)))
    field, warnings = normals_from_photos(photos, lights, mask=mask, encoding="linear")
    error = sphere_error_deg(field.normals)
    print(f"grey sphere, 12 lights: median {np.median(error):.2f}, mean {error.mean():.2f} deg")
    assert np.median(error) <= 6.0
    assert not warnings
    # the background cannot fool the brightness: without the mask, and on a crop of the sphere
    field_all, _w = normals_from_photos(photos, lights, encoding="linear")
    assert np.median(sphere_error_deg(field_all.normals)) <= 6.0
    crop = np.zeros_like(mask)
    crop[100:190, 200:290] = True  # wholly on the sphere
    field_crop, _w = normals_from_photos(photos, lights, mask=crop, encoding="linear")
    assert np.allclose(field_crop.intensities, 1.0)  # equal power, as published


def test_grey_sphere_eight_spread_lights(
    photometric: Path, sphere_error_deg: Callable[[np.ndarray], np.ndarray]
) -> None:
    photos, lights, mask = _psm(photometric, "gray", SPREAD)
    field, _warnings = normals_from_photos(photos, lights, mask=mask, encoding="linear")
    error = sphere_error_deg(field.normals)
    print(f"grey sphere, 8 lights: median {np.median(error):.2f}, mean {error.mean():.2f} deg")
    assert error.mean() <= 8.0


@pytest.mark.parametrize("pixel_mm", [0.1, 0.3, 0.6])
def test_grey_sphere_has_no_scar(photometric: Path, pixel_mm: float) -> None:
    photos, lights, mask = _psm(photometric, "gray", list(range(12)))
    result = analyze_scars_3d(photos, lights, pixel_mm, mask=mask, encoding="linear")  # type: ignore[arg-type]
    assert result.scars == []  # none, so none deeper than 0.05 mm


def test_stated_brightness_is_used_as_given(photometric: Path) -> None:
    photos, _lights, mask = _psm(photometric, "gray", list(range(12)))
    directions = json.loads((photometric / "psm" / "lights.json").read_text())
    stated = [1.0 + 0.02 * (i % 3) for i in range(12)]
    doc = {
        "lights": [
            {"image": f"gray.{i}.png", "direction": d, "intensity": stated[i]}
            for i, d in enumerate(directions)
        ]
    }
    lights = parse_lights(doc, [f"gray.{i}.png" for i in range(12)])
    field, _w = normals_from_photos(photos, lights, mask=mask, encoding="linear")  # type: ignore[arg-type]
    want = np.array(stated) / np.exp(np.log(stated).mean())
    assert np.allclose(field.intensities, want)
    # asked to estimate, the photos' own (equal) brightness comes back instead
    asked, warnings = normals_from_photos(
        photos,
        lights,  # type: ignore[arg-type]
        mask=mask,
        encoding="linear",
        estimate_brightness=True,
    )
    assert not np.allclose(asked.intensities, want)
    assert any("hardly support the brightness estimate" in w for w in warnings)


def test_many_lights_with_stated_brightness() -> None:
    """96 lights (a light-stage set) with stated, unequal brightnesses: used as stated, and
    fast enough."""
    directions = np.concatenate(
        [light_directions(24, slant, 7.0 * i) for i, slant in enumerate((15, 30, 45, 60))]
    )
    scene = render_scar_scene(
        11,
        size_px=(360, 360),
        n_lights=6,
        intensity_spread=0.0,
        specular=0.0,
        counts={"icepick": 1, "boxcar": 1, "rolling": 0},
        n_pores=0,
    )
    rng = np.random.default_rng(0)
    power = 1.0 + rng.uniform(-0.4, 0.4, len(directions))
    gy, gx = np.gradient(scene.height_mm.astype(np.float64), scene.pixel_mm)
    normals = np.stack([-gx, -gy, np.ones_like(gx)])
    normals /= np.linalg.norm(normals, axis=0)
    stack = np.stack(
        [
            0.5 * p * np.clip(np.tensordot(d, normals, axes=1), 0, None)
            for d, p in zip(directions, power, strict=True)
        ]
    ).astype(np.float32)
    from scarwise.imaging import Light, LightSet

    lights = LightSet(
        lights=tuple(
            Light(image=f"l{i}.png", direction=tuple(d), intensity=float(p))  # type: ignore[arg-type]
            for i, (d, p) in enumerate(zip(directions, power, strict=True))
        )
    )
    start = time.perf_counter()
    result = analyze_luminance_3d(stack, lights, scene.pixel_mm)
    seconds = time.perf_counter() - start
    want = power / np.exp(np.log(power).mean())
    assert np.allclose(result.light_intensities, np.round(want, 4), atol=1e-4)
    assert len(result.scars) == len(scene.scars) >= 1
    print(f"96 lights, 360 x 360: {seconds:.1f} s")
    assert seconds < 30.0  # measured about 2 s on a busy 2-core machine


# smooth parts of real objects: (folder, object, x0, y0, x1, y1) in pixels
SMOOTH = [
    ("harvard", "pig", 100, 190, 500, 430),
    ("harvard", "frog", 200, 280, 340, 510),
    ("psm", "owl", 190, 195, 275, 285),
    ("psm", "cat", 230, 175, 330, 270),
]


def _object(root: Path, folder: str, obj: str) -> tuple[list[Photo], object, np.ndarray]:
    if folder == "psm":
        return _psm(root, obj, list(range(12)))
    files = sorted((root / folder / obj).glob("Image_*.png"))
    photos = [read_photo_file(f) for f in files]
    lights = parse_lights(
        json.loads((root / folder / obj / "lights.json").read_text()), [f.name for f in files]
    )
    grey = np.stack([p.pixels for p in photos]).max(axis=0).astype(np.float32)
    mask = grey > 0.1 * np.percentile(grey, 99)  # no mask in the set: the lit object
    mask = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_OPEN, np.ones((5, 5), np.uint8)) > 0
    return photos, lights, mask


@pytest.mark.parametrize(("folder", "obj", "x0", "y0", "x1", "y1"), SMOOTH)
def test_smooth_parts_of_real_objects_hold_no_scar(
    photometric: Path, folder: str, obj: str, x0: int, y0: int, x1: int, y1: int
) -> None:
    photos, lights, mask = _object(photometric, folder, obj)
    result = analyze_scars_3d(photos, lights, 0.3, mask=mask, encoding="linear")  # type: ignore[arg-type]
    inside = [
        s for s in result.scars if x0 <= s.centroid_px[0] <= x1 and y0 <= s.centroid_px[1] <= y1
    ]
    assert inside == [], [(s.type, s.depth_mm, s.centroid_px) for s in result.scars]


def _ellipse(mask: np.ndarray, centre: tuple[int, int], axes: tuple[int, int], value: int) -> None:
    cv2.ellipse(mask, centre, axes, 0, 0, 360, value, -1)


#: face features (centre, semi-axes in px) read off the photos: eyes, brows, nostrils, lips
FACE7_FEATURES = [
    ((118, 205), (35, 15)),
    ((245, 205), (35, 15)),
    ((118, 160), (45, 12)),
    ((250, 160), (45, 12)),
    ((180, 270), (35, 15)),
    ((180, 320), (52, 22)),
]
YALE_FEATURES = [
    ((37, 45), (17, 9)),
    ((131, 45), (20, 9)),
    ((30, 14), (32, 9)),
    ((135, 14), (35, 9)),
    ((80, 105), (34, 14)),
    ((83, 158), (46, 15)),
]


def _face_mask(shape: tuple[int, int], outline: tuple | None, features: list) -> np.ndarray:  # type: ignore[type-arg]
    mask = np.zeros(shape, np.uint8) if outline else np.ones(shape, np.uint8)
    if outline:
        _ellipse(mask, *outline, 1)
    for centre, axes in features:
        _ellipse(mask, centre, axes, 0)
    return mask > 0


def _near_features(scar_xy: tuple[float, float], features: list, margin: float) -> bool:  # type: ignore[type-arg]
    x, y = scar_xy
    return any(
        ((x - c[0]) / (a[0] + margin)) ** 2 + ((y - c[1]) / (a[1] + margin)) ** 2 <= 1
        for c, a in features
    )


@pytest.mark.parametrize("pixel_mm", [0.3, 0.5])
def test_face7_no_scar_at_eyes_nostrils_lips(photometric: Path, pixel_mm: float) -> None:
    doc = json.loads((photometric / "face7" / "lights.json").read_text())
    files = [photometric / "face7" / light["image"] for light in doc["lights"]]
    photos = [read_photo_file(f) for f in files]
    assert all(p.bit_depth == 16 for p in photos)  # 16-bit RGB TIFF kept at 16 bits
    lights = parse_lights(doc, [f.name for f in files])
    mask = _face_mask((431, 369), ((185, 235), (125, 180)), FACE7_FEATURES)
    result = analyze_scars_3d(photos, lights, pixel_mm, mask=mask)
    near = [s for s in result.scars if _near_features(s.centroid_px, FACE7_FEATURES, 10)]
    assert near == []
    assert len(result.scars) <= 1  # no acne scars on this skin
    assert not any("order" in w or "pointing" in w or "hollow" in w for w in result.warnings)


def test_yale_face_no_scar_at_eyes_nostrils_lips(photometric: Path) -> None:
    doc = json.loads((photometric / "yaleB02" / "lights.json").read_text())
    # the lights between 10 and 45 degrees from the camera's axis (the others leave the face
    # half in shadow); the lights file names all 64 images
    chosen = [
        light
        for light in doc["lights"]
        if 10
        <= np.degrees(np.arccos(light["direction"][2] / np.linalg.norm(light["direction"])))
        <= 45
    ]
    names = [light["image"] for light in chosen]
    photos = [read_photo_file(photometric / "yaleB02" / "images" / n) for n in names]
    lights = parse_lights({"lights": chosen}, names)
    mask = _face_mask((192, 168), None, YALE_FEATURES)
    result = analyze_scars_3d(photos, lights, 0.85, mask=mask)
    near = [s for s in result.scars if _near_features(s.centroid_px, YALE_FEATURES, 5)]
    assert near == []
    assert len(result.scars) <= 1
    assert not any("order" in w or "pointing" in w or "hollow" in w for w in result.warnings)
