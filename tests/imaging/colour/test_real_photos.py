"""``analyze_photo`` on real photos: ACNE04 faces (``../shared/data/acne04`` beside the repo;
never shipped) and skin patches from the independent optics renderer.

A sample keeps the suite fast; ``benchmarks/validate_colour_real.py`` measures all of it and
docs/validation-colour.md holds the numbers and the goals (issue 18). The bounds here are the
measured sample values with a margin: they guard against regressions; where a goal of the issue
is not met, the docs say so and by how much.
"""

from __future__ import annotations

import io
import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from scarwise.imaging import analyze_photo
from scarwise.imaging.colour import ita_deg, lab_to_linear, linear_to_lab
from scarwise.intake import read_photo, read_photo_file
from scarwise.testing.real_photos import (
    Acne04Photo,
    acne04_photos,
    brightness_gradient,
    colour_cast,
    crop_centre,
    jpeg_again,
    mark_labels,
    polygon_labels,
    rescale,
    score_lesions,
    score_mask,
    split_of,
)
from scarwise.testing.skin_optics import render_optics_patch, score_optics_patch

REPO = Path(__file__).resolve().parents[3]
DATA = REPO.parent / "shared" / "data" / "acne04"
POLYGONS = Path(__file__).with_name("data") / "acne04_skin_polygons.json"


def _png(pixels: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="PNG")
    return buf.getvalue()


@lru_cache(maxsize=1)
def _photos() -> tuple[Acne04Photo, ...]:
    assert DATA.is_dir(), f"the ACNE04 photos are expected at {DATA} (shared/data/acne04)"
    return tuple(acne04_photos(DATA))


def _held_out(n: int, *, marked: bool = False) -> list[Acne04Photo]:
    sel = [p for p in _photos() if split_of(p) == "held_out" and (p.has_marks or not marked)]
    return sel[::3][:n]


def test_the_split_is_fixed_by_image_number() -> None:
    photos = _photos()
    assert len(photos) == 283
    tune = [p for p in photos if split_of(p) == "tune"]
    assert all(p.number % 3 == 0 for p in tune) and 80 < len(tune) < 110
    assert sum(len(p.circles) for p in photos) == 6677


def test_skin_region_against_hand_drawn_polygons() -> None:
    """22 held-out photos, polygons drawn by eye (not by any program): precision and coverage
    in pixels over all of them."""
    by_name = {p.source.split(".")[0]: p for p in _photos()}
    polys = json.loads(POLYGONS.read_text())["photos"]
    inside = wrong = skin = 0
    for name, poly in polys.items():
        assert split_of(by_name[name]) == "held_out", name
        result = analyze_photo(read_photo_file(str(by_name[name].path)))
        mask = result.skin_mask() > 0
        yes, no = polygon_labels(mask.shape, poly["skin"], poly["not_skin"])
        s = score_mask(mask, yes, no)
        inside, wrong, skin = inside + s.skin_in_mask, wrong + s.not_skin_in_mask, skin + s.skin_px
    assert inside / (inside + wrong) >= 0.91
    assert inside / skin >= 0.6


def test_lesions_found_on_held_out_photos() -> None:
    tot = np.zeros(5)
    for p in _held_out(15, marked=True):
        photo = read_photo_file(str(p.path))
        result = analyze_photo(photo)
        labels = mark_labels((photo.size_px[1], photo.size_px[0]), result.spot_outlines())
        s = score_lesions(p.circles, labels, [m.kind for m in result.spots])
        tot += [s.lesions, s.found, s.found_red, s.marks, s.marks_on_lesions]
    lesions, found, red, marks, on = tot
    assert lesions > 150
    # This sample measured 0.40 / 0.15 / 0.9; all 161 held-out photos 0.46 / 0.29 / 0.87
    # (docs/validation-colour.md; the goals of 0.6 and 0.4 are not met).
    assert found / lesions >= 0.33
    assert on / marks >= 0.12
    assert red / found >= 0.75


@lru_cache(maxsize=1)
def _invariance() -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for p in _held_out(6):
        rgb = np.asarray(Image.open(p.path).convert("RGB"))
        base = analyze_photo(read_photo(p.path.read_bytes()))
        ita0 = base.skin_tone.ita_deg
        for angle in (0.0, 90.0, 180.0, 270.0):
            r = analyze_photo(read_photo(_png(brightness_gradient(rgb, angle_deg=angle))))
            out.setdefault("gradient", []).append(abs(r.skin_tone.ita_deg - ita0))
        lin = lab_to_linear(np.asarray(base.skin_tone.lab)) * np.array([1.1, 1.0, 0.9])
        lab = linear_to_lab(lin)
        r = analyze_photo(read_photo(_png(colour_cast(rgb, (1.1, 1.0, 0.9)))))
        out.setdefault("cast", []).append(abs(r.skin_tone.ita_deg - ita_deg(lab[0], lab[2])))
        for name, data in (
            ("jpeg", jpeg_again(rgb, 75)),
            ("rescale", _png(rescale(rgb, 0.7))),
            ("crop", _png(crop_centre(rgb, 0.9))),
        ):
            r = analyze_photo(read_photo(data))
            out.setdefault(name, []).append(abs(r.skin_tone.ita_deg - ita0))
            out.setdefault(name + " marks", []).append(
                abs(len(r.spots) - len(base.spots)) / max(1, len(base.spots))
            )
    return out


@pytest.mark.parametrize(
    ("change", "median_deg", "p90_deg"),
    [
        # Tolerances (docs/validation-colour.md), median and 90th percentile: the light
        # gradient is the goal (0.5 and 1.5); a cast must move ITA as it moves the
        # skin's colour and no more; re-compression, rescaling and a crop that keeps 81 % of
        # the photo (and so less of the jaw, neck and temples) change little.
        ("gradient", 0.5, 1.5),
        ("cast", 1.5, 3.0),
        ("jpeg", 0.2, 0.5),
        ("rescale", 0.6, 2.0),
        ("crop", 2.0, 6.5),
    ],
)
def test_skin_tone_is_steady_on_real_photos(change: str, median_deg: float, p90_deg: float) -> None:
    values = np.asarray(_invariance()[change])
    assert np.median(values) <= median_deg, values
    assert np.percentile(values, 90) <= p90_deg, values


def test_marks_are_steady_under_recompression_and_rescaling() -> None:
    inv = _invariance()
    assert np.median(inv["jpeg marks"]) <= 0.1
    assert np.median(inv["rescale marks"]) <= 0.35


@pytest.mark.parametrize("tone", ["light", "medium", "dark"])
def test_independent_renderer(tone: str) -> None:
    """Skin of two-layer Kubelka-Munk optics with red macules and brown patches set in
    CIELAB: nothing shared with the analysis's pigment model (seeds 500+, not looked at while
    tuning)."""
    scores = []
    for seed in range(500, 503):
        patch = render_optics_patch(seed, tone=tone)  # type: ignore[arg-type]
        result = analyze_photo(read_photo(_png(patch.pixels)), region="full")
        scores.append(score_optics_patch(patch, result))
    true = sum(s.n_true for s in scores)
    matched = sum(s.n_matched for s in scores)
    assert true >= 40
    assert matched / true >= 0.75
    assert matched / sum(s.n_detected for s in scores) >= 0.8
    assert sum(s.n_kind_right for s in scores) / matched >= 0.9
    assert all(abs(s.ita_error_deg) <= 1.5 and s.delta_e76 <= 1.0 for s in scores)
