"""Shared fixtures for the 3-D scar tests: synthetic multi-light sets on held-out seeds."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest

from scarwise.imaging import Analyze3DResult, analyze_scars_3d, parse_lights
from scarwise.intake import read_photo
from scarwise.testing.scar_scenes import ScarScene, render_scar_scene, scene_files

# Seeds 0-99 were used while developing the method; these were never looked at before the tests.
HELD_OUT_PNG16 = (1001, 1002, 1003, 1004, 1005, 1006)
HELD_OUT_JPEG = (2001, 2002, 2003, 2004, 2005, 2006)


def run_scene(scene: ScarScene, variant: str) -> Analyze3DResult:
    files = scene_files(scene, variant)  # type: ignore[arg-type]
    names = [n for n, _ in files]
    photos = [read_photo(data, name=name) for name, data in files]
    lights = parse_lights(scene.lights_document(names), names)
    return analyze_scars_3d(photos, lights, scene.pixel_mm)


@pytest.fixture(scope="session")
def png16_runs() -> list[tuple[ScarScene, Analyze3DResult]]:
    out = []
    for seed in HELD_OUT_PNG16:
        scene = render_scar_scene(seed)
        out.append((scene, run_scene(scene, "png16")))
    return out


@pytest.fixture(scope="session")
def jpeg_runs() -> list[tuple[ScarScene, Analyze3DResult]]:
    out = []
    for seed in HELD_OUT_JPEG:
        scene = render_scar_scene(seed, n_lights=8)
        out.append((scene, run_scene(scene, "jpeg")))
    return out


#: Real multi-light photo sets (../shared/data/photometric from the repository's root).
PHOTOMETRIC = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "photometric"


@pytest.fixture(scope="session")
def photometric() -> Path:
    """The real photo sets' folder (tests that need them are skipped where it is absent)."""
    if not (PHOTOMETRIC / "psm" / "lights.json").is_file():
        pytest.skip(f"the real photometric data sets are not at {PHOTOMETRIC}")
    return PHOTOMETRIC


@pytest.fixture(scope="session")
def sphere_error_deg(photometric: Path) -> Callable[[np.ndarray], np.ndarray]:
    """Angle (degrees) between normals (``3 x H x W``) and the analytic psm grey sphere.

    The sphere is the circle fitted (least squares, Kasa) to the outline of ``gray.mask.png``;
    its normals follow analytically. Pixels within 3 px of the outline are left out (the limb,
    where a pixel straddles the edge).
    """
    mask = cv2.imread(str(photometric / "psm" / "gray" / "gray.mask.png"), cv2.IMREAD_GRAYSCALE)
    inside = mask > 128
    contours, _ = cv2.findContours(
        inside.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE
    )
    pts = max(contours, key=len)[:, 0, :].astype(np.float64)
    a = np.c_[2 * pts[:, 0], 2 * pts[:, 1], np.ones(len(pts))]
    sol = np.linalg.lstsq(a, (pts**2).sum(axis=1), rcond=None)[0]
    cx, cy = sol[0], sol[1]
    r = float(np.sqrt(sol[2] + cx * cx + cy * cy))
    yy, xx = np.mgrid[0 : inside.shape[0], 0 : inside.shape[1]].astype(np.float64)
    nx, ny = (xx - cx) / r, (yy - cy) / r
    truth = np.stack([nx, ny, np.sqrt(np.clip(1 - nx * nx - ny * ny, 0, None))])
    region = cv2.erode(inside.astype(np.uint8), np.ones((7, 7), np.uint8)) > 0

    def error(normals: np.ndarray) -> np.ndarray:
        n = normals[:, region].astype(np.float64)
        n /= np.linalg.norm(n, axis=0)
        cos = np.clip((n * truth[:, region]).sum(axis=0), -1.0, 1.0)
        return np.asarray(np.degrees(np.arccos(cos)))

    return error
