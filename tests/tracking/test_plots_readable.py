"""Plots for a screen: SVG a strict CSP draws, wide and narrow layouts, titles that fit, words."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from scarwise.reports.plots import PLOT_NAMES, build_plots, plot_figure, render
from scarwise.tracking import (
    AnalysisRecord,
    AssessmentRecord,
    DoseRecord,
    PersonRecord,
    PersonRecords,
    RegimenItemRecord,
    SessionRecord,
)
from scarwise.tracking.models import AdherenceSummary

T = datetime(2026, 1, 5, tzinfo=UTC)


def _records() -> PersonRecords:
    def assessment(k: int, scale: str, score: int, top: int) -> AssessmentRecord:
        return AssessmentRecord(
            id=f"{scale}{k}",
            person_id="p",
            scale=scale,
            score=score,
            max=top,
            date=T + timedelta(days=40 * k),
            result={},
        )

    return PersonRecords(
        person=PersonRecord(id="p", name="Ann", created_at=T),
        assessments=[assessment(k, "ecca", 120 - 20 * k, 540) for k in range(3)]
        + [assessment(0, "fitzpatrick", 16, 32)],
        analyses=[
            AnalysisRecord(
                id=f"x{k}",
                person_id="p",
                kind=kind,
                date=T + timedelta(days=30 * k),
                software_version="0.1.0",
                result={
                    "summary": {"count": 5 - k, "total_volume_mm3": 5.0 - k},
                    "indices": {"mean_a_star": 14.0 - k, "erythema_index": 0.3},
                },
            )
            for k in range(3)
            for kind in ("analyze", "analyze3d")
        ],
        sessions=[
            SessionRecord(
                id="s", person_id="p", treatment="punch-excision", date=T + timedelta(days=20)
            )
        ],
        regimen=[
            RegimenItemRecord(
                id="r", person_id="p", treatment="sunscreen", frequency="daily", start=T
            )
        ],
        doses=[
            DoseRecord(id=f"d{k}", person_id="p", regimen_id="r", date=T + timedelta(days=k))
            for k in range(0, 60, 2)
        ],
    )


def _texts(svg: bytes) -> list[str]:
    """The lines of words matplotlib wrote (as comments beside the glyph paths)."""
    return [
        line
        for text in re.findall(r"<!-- (.*?) -->", svg.decode(), re.S)
        for line in text.split("\n")
    ]


@pytest.mark.parametrize("narrow", [False, True])
@pytest.mark.parametrize("name", PLOT_NAMES)
def test_svg_has_no_inline_style_a_strict_csp_would_block(name: str, narrow: bool) -> None:
    svg = render(plot_figure(_records(), name, narrow=narrow), "svg")
    assert b"style=" not in svg and b"<style" not in svg
    head = re.search(r"<svg [^>]*>", svg.decode())
    assert head
    assert 'stroke-linejoin="round"' in head[0]  # the one style rule, moved onto the root
    assert 'fill="#ffffff"' in svg.decode()  # the white background still drawn
    assert render(plot_figure(_records(), name, narrow=narrow), "svg") == svg


def _width_pt(svg: bytes) -> float:
    match = re.search(rb'<svg [^>]*width="([0-9.]+)pt"', svg)
    assert match
    return float(match[1])


@pytest.mark.parametrize("name", PLOT_NAMES)
def test_narrow_plots_are_drawn_for_a_phone(name: str) -> None:
    wide = render(plot_figure(_records(), name), "svg")
    narrow = render(plot_figure(_records(), name, narrow=True), "svg")
    # shown about 340 px wide, a narrow plot keeps its 11 pt text near 11 px
    assert _width_pt(narrow) <= 360 < 600 <= _width_pt(wide)


def test_titles_are_wrapped_to_fit_and_say_what_is_drawn() -> None:
    narrow = {n: _texts(render(f, "svg")) for n, f in build_plots(_records(), narrow=True).items()}
    for name, texts in narrow.items():
        assert texts, name
        longest = max(len(t) for t in texts)
        assert longest <= 40, (name, texts)
    assert "Routine check-ins: 51% of doses" in narrow["adherence"]  # 30 of 59 days
    assert "due taken" in narrow["adherence"]
    wide = _texts(render(plot_figure(_records(), "adherence"), "svg"))
    assert "Routine check-ins: 51% of doses due taken" in wide


def test_scores_plot_names_the_scales_and_leaves_out_the_skin_type() -> None:
    texts = _texts(render(plot_figure(_records(), "scores"), "svg"))
    assert "ECCA, out of 540" in texts
    assert not any("fitzpatrick" in t.lower() for t in texts)
    assert "punch excision" in texts  # a session's treatment, in words


def test_an_empty_scores_plot_says_so() -> None:
    only_skin_type = _records().model_copy(
        update={"assessments": [a for a in _records().assessments if a.scale == "fitzpatrick"]}
    )
    assert "no scar scores yet" in _texts(render(plot_figure(only_skin_type, "scores"), "svg"))


def test_unknown_plot_name() -> None:
    with pytest.raises(KeyError):
        plot_figure(_records(), "nonsense")


def test_adherence_summary_still_plots_when_nothing_is_due() -> None:
    from scarwise.reports.plots import adherence_calendar_figure

    svg = render(adherence_calendar_figure(AdherenceSummary(expected=0, taken=0, rate=None)))
    assert "no routine steps yet" in _texts(svg)
