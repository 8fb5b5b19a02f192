"""One scar per depression: candidate regions split where, and only where, skin parts two scars."""

from __future__ import annotations

import numpy as np
import pytest
from skimage.segmentation import watershed

from scarwise.imaging import Light, LightSet, analyze_luminance_3d
from scarwise.imaging.relief import splitting
from scarwise.imaging.relief.splitting import _merge_shallow_splits
from scarwise.testing.scar_scenes import match_scars, render_scar_scene

LUM = np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)


def _basins(depth: np.ndarray, tops: list[tuple[int, int]]) -> tuple[np.ndarray, int]:
    markers = np.zeros(depth.shape, dtype=np.int32)
    for i, (r, c) in enumerate(tops, start=1):
        markers[r, c] = i
    return watershed(-depth, markers, mask=depth > 0), len(tops)


def _bowl(shape: tuple[int, int], centre: tuple[float, float], radius: float, depth: float):  # type: ignore[no-untyped-def]
    yy, xx = np.mgrid[: shape[0], : shape[1]]
    r = np.hypot(yy - centre[0], xx - centre[1]) / radius
    return depth * np.clip(1.0 - r**2, 0.0, None)


def _floor(shape: tuple[int, int], level: float, dips: list[tuple[int, int, float]]):  # type: ignore[no-untyped-def]
    """A flat floor ``level`` mm deep inside a 2-cell rim, with Gaussian dips (row, col, extra)."""
    yy, xx = np.mgrid[: shape[0], : shape[1]]
    depth = np.zeros(shape)
    depth[2:-2, 2:-2] = level
    for r, c, extra in dips:
        depth[2:-2, 2:-2] += (extra * np.exp(-((yy - r) ** 2 + (xx - c) ** 2) / 50.0))[2:-2, 2:-2]
    return depth


def test_a_low_ridge_across_one_floor_does_not_split_it() -> None:
    # two tops of 0.50 and 0.49 mm over a saddle at 0.45 mm: 8 % of the shallower's depth
    depth = _floor((40, 60), 0.45, [(20, 18, 0.05), (20, 42, 0.04)])
    labels, n = _basins(depth, [(20, 18), (20, 42)])
    saddle = depth[20, 30]
    assert 0.45 <= saddle < 0.46  # the ridge the 4-light boxcars showed
    merged, m = _merge_shallow_splits(labels, depth, n)
    assert m == 1
    assert np.array_equal(merged > 0, labels > 0)


def test_scars_parted_by_skin_stay_apart() -> None:
    depth = np.maximum(_bowl((40, 80), (20, 18), 15, 0.5), _bowl((40, 80), (20, 60), 15, 0.3))
    labels, n = _basins(depth, [(20, 18), (20, 60)])
    merged, m = _merge_shallow_splits(labels, depth, n)
    assert m == 2
    assert np.array_equal(merged, labels)


def test_a_shallow_scar_beside_a_deep_one_keeps_its_own_basin() -> None:
    # tops 0.50 and 0.10 mm, saddle 0.05 mm: the shallow one is 50 % of its depth below it
    deep = _bowl((40, 60), (20, 18), 14, 0.5)
    shallow = _bowl((40, 60), (20, 40), 9, 0.1)
    depth = np.maximum(deep, shallow)
    depth[18:23, 28:38] = np.maximum(depth[18:23, 28:38], 0.05)  # a shallow neck joins them
    labels, n = _basins(depth, [(20, 18), (20, 40)])
    assert n == 2 and len(np.unique(labels[labels > 0])) == 2
    border = (labels[:, :-1] == 1) & (labels[:, 1:] == 2)
    assert np.minimum(depth[:, :-1], depth[:, 1:])[border].max() == pytest.approx(0.05)
    _merged, m = _merge_shallow_splits(labels, depth, n)
    assert m == 2


def test_a_chain_of_low_ridges_joins_into_one_basin() -> None:
    # three basins as a boxcar floor with 4 lights gave them (tops 0.471, 0.462, 0.475 mm)
    depth = _floor((40, 90), 0.43, [(20, 20, 0.041), (20, 45, 0.032), (20, 70, 0.045)])
    labels, n = _basins(depth, [(20, 20), (20, 45), (20, 70)])
    assert len(np.unique(labels[labels > 0])) == 3
    merged, m = _merge_shallow_splits(labels, depth, n)
    assert m == 1
    assert set(np.unique(merged)) == {0, 1}


def test_deep_boxcars_under_four_lights_are_one_scar_each(monkeypatch: pytest.MonkeyPatch) -> None:
    # held-out scene 5001, 4 lights: before the saddle rule its deepest boxcar came out as 3 scars
    scene = render_scar_scene(5001, n_lights=4)
    stack = np.stack([im @ LUM for im in scene.images]).astype(np.float32)
    lights = LightSet(lights=tuple(Light(direction=tuple(d)) for d in scene.directions))  # type: ignore[arg-type]

    def found() -> tuple[int, int, int]:
        result = analyze_luminance_3d(stack, lights, scene.pixel_mm)
        matches, false = match_scars(scene, [s.model_dump() for s in result.scars])
        return len(result.scars), sum(m.found_type is not None for m in matches), false

    assert found() == (len(scene.scars), len(scene.scars), 0)
    monkeypatch.setattr(splitting, "SPLIT_FRACTION", 0.0)  # h-maxima alone
    count, matched, false = found()
    assert count > len(scene.scars) and false > 0 and matched == len(scene.scars)
