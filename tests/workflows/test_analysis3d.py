"""The analyze3d workflow: imaging's measurement plus the scale estimates, one object for every shell."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scarwise.cli.main import run
from scarwise.imaging import Scar3D, analyze_scars_3d, depth_image_png, parse_lights
from scarwise.intake import read_photo
from scarwise.scales import score
from scarwise.testing.scar_scenes import ScarScene, render_scar_scene, scene_files
from scarwise.workflows import measure_scars_3d, scale_estimates


def _scar(i: int, kind: str, depth_mm: float) -> Scar3D:
    return Scar3D(
        id=i,
        centroid_px=(10.0 * i, 5.0),
        diameter_mm=1.0,
        area_mm2=0.785,
        depth_mm=depth_mm,
        volume_mm3=0.2,
        type=kind,  # type: ignore[arg-type]
    )


def test_scar_types_map_to_the_scales_categories() -> None:
    scars = [
        _scar(1, "icepick", 0.6),
        _scar(2, "icepick", 0.3),
        _scar(3, "boxcar", 0.5),  # deep: 0.5 mm and more
        _scar(4, "boxcar", 0.49),
        _scar(5, "boxcar", 0.2),
        _scar(6, "rolling", 0.15),
    ]
    est = scale_estimates(scars)
    assert est.gb_quantitative.counts == {
        "punched_out_deep_abnormal_base": 2,
        "punched_out_shallow": 2,
        "punched_out_deep_normal_base": 1,
        "moderate_atrophic": 1,
    }
    assert est.ecca.counts == {"icepick_v": 2, "boxcar_u": 3, "rolling_m": 1}
    gb = score("gb-quantitative", {"region": "other", "counts": est.gb_quantitative.counts})
    ecca = score("ecca", {"counts": est.ecca.counts})
    assert (est.gb_quantitative.score, est.gb_quantitative.max) == (gb.score, gb.max)
    assert (est.ecca.score, est.ecca.max) == (ecca.score, ecca.max)
    assert est.gb_quantitative.reference == gb.reference and est.ecca.reference == ecca.reference
    assert est.gb_quantitative.scale == "gb-quantitative" and est.ecca.scale == "ecca"
    assert "not clinical scores" in est.note


def test_no_scars_give_zero_counts() -> None:
    est = scale_estimates([])
    assert sum(est.gb_quantitative.counts.values()) == 0
    assert sum(est.ecca.counts.values()) == 0


@pytest.fixture(scope="module")
def scene() -> ScarScene:
    return render_scar_scene(
        11, size_px=(320, 320), n_lights=6, counts={"icepick": 2, "boxcar": 1, "rolling": 0}
    )


def test_workflow_is_imaging_plus_estimates(scene: ScarScene) -> None:
    files = scene_files(scene, "png16")
    names = [n for n, _ in files]
    photos = [read_photo(data, name=name) for name, data in files]
    lights = parse_lights(scene.lights_document(names), names)
    plain = analyze_scars_3d(photos, lights, scene.pixel_mm)
    full = measure_scars_3d(photos, lights, scene.pixel_mm)
    assert plain.estimates is None
    assert full.estimates == scale_estimates(full.scars)
    assert full.estimates.ecca.counts["icepick_v"] == full.summary.by_type["icepick"]
    assert full.to_json_dict() == {**plain.to_json_dict(), "estimates": full.estimates.model_dump()}
    assert list(full.to_json_dict()) == list(plain.to_json_dict())  # same keys, same order
    assert depth_image_png(full).startswith(b"\x89PNG")  # the height map travels with it


def test_cli_json_carries_the_estimates(
    scene: ScarScene, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = []
    for name, data in scene_files(scene, "png16"):
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))
    lights = tmp_path / "lights.json"
    lights.write_text(json.dumps(scene.lights_document([Path(p).name for p in paths])))
    code = run(
        ["analyze3d", *paths, "--lights", str(lights), "--pixel-mm", str(scene.pixel_mm), "--json"]
    )
    obj = json.loads(capsys.readouterr().out)
    assert code == 0
    assert obj["estimates"] == scale_estimates(
        [Scar3D.model_validate(s) for s in obj["scars"]]
    ).model_dump(mode="json")
    assert list(obj)[list(obj).index("summary") + 1] == "estimates"
