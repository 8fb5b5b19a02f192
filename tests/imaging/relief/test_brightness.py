"""Which brightness each light gets: stated as given, estimated when the photos need it.

The estimate is made only from pixels lit in every photo inside the mask, so a dark background
cannot fool it; it is used for unstated brightnesses only when it explains most of the photos'
misfit (a real sphere under lights of equal power is left equal: see test_real_data), and it is
reported when it clearly disagrees with stated ones.
"""

from __future__ import annotations

import numpy as np
import pytest

from scarwise.imaging import Light, LightSet, analyze_luminance_3d
from scarwise.imaging.relief import choose_brightness, fit_shine
from scarwise.imaging.relief.region import region_sample
from scarwise.testing.scar_scenes import render_scar_scene

LUM = np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)


@pytest.fixture(scope="module")
def scene():  # type: ignore[no-untyped-def]
    s = render_scar_scene(
        9, size_px=(480, 480), specular=0.0, counts={"icepick": 2, "boxcar": 1, "rolling": 0}
    )
    true = s.intensities / np.exp(np.log(s.intensities).mean())
    assert np.abs(true - 1).max() > 0.08  # the lights really differ
    return s, np.stack([im @ LUM for im in s.images]).astype(np.float32), true


def _lights(directions: np.ndarray, stated: np.ndarray | None = None) -> LightSet:
    return LightSet(
        lights=tuple(
            Light(
                image=f"l{i}.png",
                direction=tuple(d),  # type: ignore[arg-type]
                intensity=None if stated is None else float(stated[i]),
            )
            for i, d in enumerate(directions)
        )
    )


def test_unstated_unequal_brightness_is_estimated(scene) -> None:  # type: ignore[no-untyped-def]
    s, stack, true = scene
    sample, _idx = region_sample(stack)
    chosen = choose_brightness(sample, s.directions, None)
    assert chosen.source == "estimated" and chosen.support > 10
    assert np.abs(chosen.intensities / true - 1).max() < 0.01


def test_stated_brightness_is_used_and_a_wrong_one_reported(scene) -> None:  # type: ignore[no-untyped-def]
    s, stack, true = scene
    right = analyze_luminance_3d(stack, _lights(s.directions, s.intensities), s.pixel_mm)
    assert np.allclose(right.light_intensities, np.round(true, 4), atol=1e-4)
    assert not any("stated" in w for w in right.warnings)
    wrong = analyze_luminance_3d(stack, _lights(s.directions, np.ones(6)), s.pixel_mm)
    assert wrong.light_intensities == [1.0] * 6  # used as stated ...
    assert any("differs from the stated intensity" in w for w in wrong.warnings)  # ... and reported
    asked = analyze_luminance_3d(
        stack, _lights(s.directions, np.ones(6)), s.pixel_mm, estimate_brightness=True
    )
    assert np.abs(np.array(asked.light_intensities) / true - 1).max() < 0.01
    never = choose_brightness(region_sample(stack)[0], s.directions, None, estimate=False)
    assert never.source == "equal" and never.estimate is None


def test_a_dark_background_cannot_fool_the_estimate(scene) -> None:  # type: ignore[no-untyped-def]
    """The skin patch in the middle of a photo mostly of dark, noisy background."""
    s, stack, true = scene
    rng = np.random.default_rng(0)
    k, h, w = stack.shape
    framed = np.abs(rng.normal(0.0, 0.004, (k, 3 * h, 3 * w))).astype(np.float32)
    framed[:, h : 2 * h, w : 2 * w] = stack
    sample, _idx = region_sample(framed)
    chosen = choose_brightness(sample, s.directions, None)
    assert np.abs(chosen.intensities / true - 1).max() < 0.01
    mask = np.zeros(framed.shape[1:], bool)
    mask[h : 2 * h, w : 2 * w] = True
    result = analyze_luminance_3d(framed, _lights(s.directions), s.pixel_mm, mask=mask)
    assert np.abs(np.array(result.light_intensities) / true - 1).max() < 0.01
    assert len(result.scars) == len(s.scars)


def test_sheen_is_found_only_where_there_is_one() -> None:
    for specular, found in ((0.0, False), (0.15, True)):
        s = render_scar_scene(5001, specular=specular)
        stack = np.stack([im @ LUM for im in s.images]).astype(np.float32)
        true = s.intensities / np.exp(np.log(s.intensities).mean())
        fit = fit_shine(s.directions * true[:, None], region_sample(stack)[0])
        assert (fit.exponent is not None) is found, fit
