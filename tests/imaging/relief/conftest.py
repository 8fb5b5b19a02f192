"""Shared fixtures for the 3-D scar tests: synthetic multi-light sets on held-out seeds."""

from __future__ import annotations

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
