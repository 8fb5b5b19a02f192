"""Plots (deterministic SVG, PNG) and the HTML progress report with aligned before/after photos."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import cv2
import numpy as np
import pytest
from PIL import Image

from scarwise.imaging.align import align_photos
from scarwise.reports.plots import build_plots, render, write_plots
from scarwise.store import open_store
from scarwise.testing.store_fixtures import TickingClock
from scarwise.tracking import (
    AnalysisRecord,
    AssessmentRecord,
    PersonRecord,
    PersonRecords,
    SessionRecord,
    photo_pairs,
)
from scarwise.workflows import record_assessment, write_progress_report

T = datetime(2026, 1, 5, tzinfo=UTC)


def _records() -> PersonRecords:
    person = PersonRecord(id="p", name="Ann", created_at=T)
    return PersonRecords(
        person=person,
        assessments=[
            AssessmentRecord(
                id=f"a{k}",
                person_id="p",
                scale="ecca",
                score=90 - 10 * k,
                max=540,
                date=T + timedelta(days=40 * k),
                result={},
            )
            for k in range(4)
        ],
        analyses=[
            AnalysisRecord(
                id=f"x{k}",
                person_id="p",
                kind="analyze3d",
                date=T + timedelta(days=40 * k),
                software_version="0.1.0",
                result={"summary": {"count": 20 - k, "total_volume_mm3": 5.0 - k}},
            )
            for k in range(4)
        ],
        sessions=[
            SessionRecord(id="s", person_id="p", treatment="subcision", date=T + timedelta(days=20))
        ],
    )


def test_svg_is_byte_identical_and_carries_no_date():
    first = {name: render(fig, "svg") for name, fig in build_plots(_records()).items()}
    second = {name: render(fig, "svg") for name, fig in build_plots(_records()).items()}
    assert first == second
    for svg in first.values():
        text = svg.decode()
        assert text.startswith("<?xml") and "<svg" in text
        assert (
            "<dc:date>" not in text and "Matplotlib" not in text.split("<svg", 1)[0] + text[:2000]
        )


def test_png_plots_and_empty_records(tmp_path):
    empty = PersonRecords(person=PersonRecord(id="p", name="Ann", created_at=T))
    files = write_plots(empty, tmp_path / "empty", fmt="png").files
    assert [f.rsplit("/", 1)[1] for f in files] == [
        "scores.png",
        "scar_volume.png",
        "redness.png",
        "adherence.png",
    ]
    for f in files:
        with Image.open(f) as im:
            assert im.format == "PNG" and im.size[0] >= 600
            assert "Software" not in im.info


def _scene(seed=3):
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:300, 0:400]
    base = 200 + 10 * np.sin(xx / 13.0) + 8 * np.cos(yy / 9.0) + rng.normal(0, 2, (300, 400))
    for cx, cy, r in [(120, 100, 10), (250, 180, 14), (300, 80, 8), (180, 220, 9)]:
        base[((xx - cx) ** 2 + (yy - cy) ** 2) < r * r] -= 60
    return np.clip(np.stack([base, base * 0.8, base * 0.7], -1), 0, 255).astype(np.uint8)


def test_alignment_recovers_a_shift_and_a_rotation():
    scene = _scene()
    before = scene[30:270, 40:360]
    shifted = scene[34:274, 34:354].copy()  # the camera moved: content shifted by (+6, -4) px
    aligned, method = align_photos(before, shifted)
    inner = (slice(20, 220), slice(20, 300))
    assert method.startswith("image registration")
    assert np.abs(before[inner].astype(int) - shifted[inner].astype(int)).mean() > 4.0
    assert np.abs(before[inner].astype(int) - aligned[inner].astype(int)).mean() < 0.5
    rotation = cv2.getRotationMatrix2D((160, 120), 4.0, 1.0)
    rotated = cv2.warpAffine(before, rotation, (320, 240), borderMode=cv2.BORDER_REFLECT)
    aligned, _ = align_photos(before, rotated)
    raw_error = np.abs(before[inner].astype(int) - rotated[inner].astype(int)).mean()
    assert np.abs(before[inner].astype(int) - aligned[inner].astype(int)).mean() < raw_error / 3


def test_report_is_self_contained_escaped_and_pairs_photos(tmp_path):
    store = open_store(
        f"sqlite:///{tmp_path / 's.db'}", photo_dir=tmp_path / "photos", clock=TickingClock()
    )
    ann = store.add_person('<script>alert("x")</script> Ann').person
    scene = _scene()
    Image.fromarray(scene[30:270, 40:360]).save(tmp_path / "before.png")
    Image.fromarray(scene[34:274, 34:354]).save(tmp_path / "after.png")
    store.add_photos(ann.id, [tmp_path / "before.png"], date="2026-01-05", region="face")
    store.add_photos(ann.id, [tmp_path / "after.png"], date="2026-05-05", region="face")
    store.add_photos(
        ann.id, [tmp_path / "after.png"], date="2026-05-05", region="back"
    )  # alone: no pair
    record_assessment(store, ann.id, "ecca", {"counts": {"boxcar_u": 25}}, date="2026-01-05")
    record_assessment(store, ann.id, "ecca", {"counts": {"boxcar_u": 8}}, date="2026-05-05")
    store.add_session(ann.id, "subcision", date="2026-02-01", provider="Dr <b>B</b>")
    assert [(r, b.date.month, a.date.month) for r, b, a in photo_pairs(store.records(ann.id))] == [
        ("face", 1, 5)
    ]
    result = write_progress_report(store, ann.id, tmp_path / "report.html").report
    assert result.photo_pairs == 1 and result.alignment.startswith("image registration")
    html = (tmp_path / "report.html").read_text()
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "Dr &lt;b&gt;B&lt;/b&gt;" in html
    assert len(re.findall(r'src="data:image/svg\+xml;base64,', html)) == 4
    assert not re.search(r"""(src|href)=["']https?:""", html)
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
    assert len(images) == 2
    import base64

    with Image.open(io.BytesIO(base64.b64decode(images[1]))) as im:
        assert im.size == (320, 240)
    # ecca: 25 boxcar -> 20 x 3 = 60; 8 boxcar -> 20 x 2 = 40 (contracts/scales.md)
    assert re.search(r"ecca, of 540</td>\s*<td>60</td><td>40</td>", html)
    store.close()


@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_track_plot_command(tmp_path, capsys, fmt):
    import json

    from scarwise.cli.main import run

    url = f"sqlite:///{tmp_path / 's.db'}"
    with open_store(url) as store:
        ann = store.add_person("Ann").person
    code = run(
        [
            "track",
            "plot",
            ann.id,
            "--out",
            str(tmp_path / "plots"),
            "--format",
            fmt,
            "--db",
            url,
            "--json",
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and len(out["files"]) == 4 and all(f.endswith(fmt) for f in out["files"])


def test_faces_are_aligned_by_landmarks_then_refined():
    from skimage import data  # the astronaut portrait ships inside scikit-image

    before = data.astronaut()[50:450, 50:450].copy()
    moved = cv2.warpAffine(
        before,
        cv2.getRotationMatrix2D((200, 200), 6.0, 1.05),
        (400, 400),
        borderMode=cv2.BORDER_REFLECT,
    )
    aligned, method = align_photos(before, moved)
    assert method.startswith("face landmarks")
    inner = (slice(60, 340), slice(60, 340))
    raw_error = np.abs(before[inner].astype(int) - moved[inner].astype(int)).mean()
    assert raw_error > 25
    assert np.abs(before[inner].astype(int) - aligned[inner].astype(int)).mean() < raw_error / 5


def test_pdf_report_embeds_everything_and_fetches_nothing(tmp_path):
    from scarwise.errors import InternalError
    from scarwise.reports.progress_report import html_to_pdf

    store = open_store(
        f"sqlite:///{tmp_path / 's.db'}", photo_dir=tmp_path / "photos", clock=TickingClock()
    )
    ann = store.add_person("Ann").person
    record_assessment(store, ann.id, "scar-s", {"face": 3}, date="2026-01-05")
    record_assessment(store, ann.id, "scar-s", {"face": 2}, date="2026-03-05")
    result = write_progress_report(store, ann.id, tmp_path / "report.pdf").report
    data = (tmp_path / "report.pdf").read_bytes()
    assert (
        result.file.endswith(".pdf")
        and data.startswith(b"%PDF-")
        and data.rstrip().endswith(b"%%EOF")
    )
    assert len(data) > 20_000  # the four plots are in it
    import weasyprint

    write_progress_report(store, ann.id, tmp_path / "report.html")
    pages = weasyprint.HTML(filename=str(tmp_path / "report.html")).render().pages
    assert len(pages) >= 2
    for url in ("http://example.com/x.png", "file:///etc/passwd"):
        with pytest.raises(InternalError):
            html_to_pdf(f'<html><body><img src="{url}"></body></html>')
    store.close()


def test_a_missing_extra_names_what_to_install(monkeypatch):
    import sys

    from scarwise.errors import MissingExtra
    from scarwise.reports.progress_report import html_to_pdf

    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as if the 'web' extra were missing
    with pytest.raises(MissingExtra) as err:
        html_to_pdf("<p>report</p>")
    assert err.value.hint == "pip install 'scarwise[web]'"
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # and the 'imaging' extra
    with pytest.raises(MissingExtra) as err:
        build_plots(_records())
    assert err.value.hint == "pip install 'scarwise[imaging]'"
