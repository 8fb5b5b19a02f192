"""Progress plots: scores over time with session markers, scar volume, redness, adherence calendar.

Each ``*_figure`` function is a pure function of tracking records to a matplotlib figure;
:func:`render` turns a figure into PNG or SVG bytes. Output is reproducible: the Agg backend, a
fixed ``svg.hashsalt`` (stable element ids) and no date or software metadata, so the same records
give byte-identical SVG files (a test checks it).
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import numpy as np
from pydantic import Field

from scarwise.extras import missing_extra
from scarwise.results import Result
from scarwise.tracking.adherence import adherence
from scarwise.tracking.models import (
    AdherenceSummary,
    AnalysisRecord,
    PersonRecords,
    ScoreSeries,
    SessionRecord,
)
from scarwise.tracking.timeline import score_series

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "PLOT_NAMES",
    "PlotFiles",
    "adherence_calendar_figure",
    "build_plots",
    "calendar_window",
    "redness_figure",
    "render",
    "scar_volume_figure",
    "scores_figure",
    "write_plots",
]

PLOT_NAMES = ("scores", "scar_volume", "redness", "adherence")
CALENDAR_WEEKS = 53
_STYLE: Any = {
    "svg.hashsalt": "scarwise",
    "svg.fonttype": "path",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
_SESSION_COLOUR = "#8a5a9e"
_LINE_COLOURS = ("#1f5f8b", "#c0392b", "#2e8b57", "#b8860b", "#6a5acd")


class PlotFiles(Result):
    """Files written by :func:`write_plots`."""

    schema_: str = Field(default="track-plots/1", alias="schema", serialization_alias="schema")
    files: list[str]


_F = TypeVar("_F", bound=Callable[..., Any])


def _matplotlib() -> Any:
    """matplotlib with its figure and colour modules, imported on first use (it is large and part
    of the ``imaging`` extra); :class:`MissingExtra` naming the extra when it is not installed."""
    try:
        import matplotlib
        import matplotlib.colors
        import matplotlib.figure
    except ModuleNotFoundError as err:
        missing = missing_extra(err)
        if missing is None:
            raise
        raise missing from err
    return matplotlib


def _styled(func: _F) -> _F:
    """Build the figure under the plot style (sizes and fonts apply when artists are made)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with _matplotlib().rc_context(_STYLE):
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _figure(width: float = 7.0, height: float = 3.0) -> Figure:
    figure: Figure = _matplotlib().figure.Figure(
        figsize=(width, height), dpi=100, layout="constrained"
    )
    return figure


def _empty(ax: Any, message: str) -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color="#666666")
    ax.set_xticks([])
    ax.set_yticks([])


def _session_markers(ax: Any, sessions: Sequence[SessionRecord]) -> None:
    for i, s in enumerate(sessions):
        ax.axvline(
            s.date,
            color=_SESSION_COLOUR,
            linestyle="--",
            linewidth=0.9,
            alpha=0.8,
            label="procedure session" if i == 0 else None,
        )
        ax.annotate(
            s.treatment,
            xy=(s.date, 1.0),
            xycoords=("data", "axes fraction"),
            rotation=90,
            fontsize=7,
            color=_SESSION_COLOUR,
            ha="right",
            va="top",
        )


def _joint_legend(ax: Any, ax2: Any) -> None:
    handles, labels = ax.get_legend_handles_labels()
    more, more_labels = ax2.get_legend_handles_labels()
    ax2.legend(handles + more, labels + more_labels, loc="upper right", fontsize=7, frameon=False)


@_styled
def scores_figure(series: Sequence[ScoreSeries], sessions: Sequence[SessionRecord] = ()) -> Figure:
    """Each scale's score over time as a share of its maximum, with procedure sessions marked.

    Scores are drawn as a percentage of the scale's maximum so scales of different range share an
    axis; the legend names the scale and its maximum, and the raw scores label each point.
    """
    fig = _figure()
    ax: Any = fig.add_subplot()
    ax.set_title("Scar scores over time")
    if not series:
        _empty(ax, "no assessments yet")
        return fig
    for i, s in enumerate(series):
        xs = [p.date for p in s.points]
        ys = [100.0 * p.score / p.max if p.max else 0.0 for p in s.points]
        label = f"{s.scale}{' (' + s.region + ')' if s.region else ''}, max {s.points[-1].max}"
        ax.plot(xs, ys, marker="o", color=_LINE_COLOURS[i % len(_LINE_COLOURS)], label=label)
        for x, y, p in zip(xs, ys, s.points, strict=True):
            ax.annotate(
                str(p.score),
                (x, y),
                textcoords="offset points",
                xytext=(0, 5),
                ha="center",
                fontsize=7,
            )
    _session_markers(ax, sessions)
    ax.set_ylabel("score, % of scale maximum")
    ax.set_ylim(0, 105)
    ax.legend(loc="best", fontsize=7, frameon=False)
    fig.autofmt_xdate()
    return fig


@_styled
def scar_volume_figure(
    analyses: Sequence[AnalysisRecord], sessions: Sequence[SessionRecord] = ()
) -> Figure:
    """Total depressed-scar volume (mm³) and scar count from ``analyze3d`` results over time."""
    return _analysis_trend(
        analyses,
        sessions,
        kind="analyze3d",
        section="summary",
        title="Atrophic scar volume (analyze3d)",
        empty="no 3-D analyses yet",
        primary=_Series("total_volume_mm3", "total volume, mm³", "total volume, mm³", 0),
        secondary=_Series("count", "scar count", "scar count", 2),
        from_zero=True,
    )


@_styled
def redness_figure(
    analyses: Sequence[AnalysisRecord], sessions: Sequence[SessionRecord] = ()
) -> Figure:
    """Mean a* (CIELAB redness) and erythema index from ``analyze`` results over time."""
    return _analysis_trend(
        analyses,
        sessions,
        kind="analyze",
        section="indices",
        title="Redness (analyze)",
        empty="no colour analyses yet",
        primary=_Series("mean_a_star", "mean a*", "mean a* (CIELAB)", 1),
        secondary=_Series("erythema_index", "erythema index", "erythema index", 3),
        from_zero=False,
    )


@dataclass(frozen=True, slots=True)
class _Series:
    key: str  # field in the analysis result's section
    label: str  # legend
    axis_label: str
    colour: int  # index into _LINE_COLOURS


def _analysis_trend(
    analyses: Sequence[AnalysisRecord],
    sessions: Sequence[SessionRecord],
    *,
    kind: str,
    section: str,
    title: str,
    empty: str,
    primary: _Series,
    secondary: _Series,
    from_zero: bool,
) -> Figure:
    """One analysis number over time, a second on a twin axis when every point has it."""
    fig = _figure()
    ax: Any = fig.add_subplot()
    ax.set_title(title)
    rows = sorted((a.date, (a.result.get(section) or {})) for a in analyses if a.kind == kind)
    rows = [(d, r) for d, r in rows if r.get(primary.key) is not None]
    if not rows:
        _empty(ax, empty)
        return fig
    xs = [d for d, _ in rows]
    ax.plot(
        xs,
        [float(r[primary.key]) for _, r in rows],
        marker="o",
        color=_LINE_COLOURS[primary.colour],
        label=primary.label,
    )
    ax.set_ylabel(primary.axis_label)
    if from_zero:
        ax.set_ylim(bottom=0)
    _session_markers(ax, sessions)
    second = [r.get(secondary.key) for _, r in rows]
    if all(v is not None for v in second):
        ax2 = ax.twinx()
        ax2.plot(
            xs,
            [float(v) for v in second if v is not None],
            marker="s",
            linestyle=":",
            color=_LINE_COLOURS[secondary.colour],
            label=secondary.label,
        )
        ax2.set_ylabel(secondary.axis_label)
        if from_zero:
            ax2.set_ylim(bottom=0)
        ax2.spines["right"].set_visible(True)
        _joint_legend(ax, ax2)
    fig.autofmt_xdate()
    return fig


def calendar_window(records: PersonRecords) -> tuple[date, date] | None:
    """The days the adherence calendar shows: the last 53 weeks with a regimen running."""
    if not records.regimen:
        return None
    start = min(r.start.date() for r in records.regimen)
    ends = [d.date.date() for d in records.doses] + [r.start.date() for r in records.regimen]
    ends += [r.stop.date() - timedelta(days=1) for r in records.regimen if r.stop is not None]
    end = max(ends)
    return max(start, end - timedelta(weeks=CALENDAR_WEEKS) + timedelta(days=1)), end


@_styled
def adherence_calendar_figure(summary: AdherenceSummary) -> Figure:
    """A calendar heat map: one square per day (weeks across, Monday at the top), coloured by the
    share of due doses taken; days with nothing due are left blank."""
    days = summary.days
    weeks = 1 + (len(days) + (date.fromisoformat(days[0].day).weekday() if days else 0)) // 7
    fig = _figure(7.0, 1.0 + 0.16 * 7 + 0.4)
    ax: Any = fig.add_subplot()
    rate = "nothing due" if summary.rate is None else f"{summary.rate:.0%} of due doses taken"
    span = f", {days[0].day} to {days[-1].day}" if days else ""
    ax.set_title(f"Regimen adherence{span} ({rate})")
    if not days:
        _empty(ax, "no regimen yet")
        return fig
    first = date.fromisoformat(days[0].day)
    origin = first - timedelta(days=first.weekday())
    grid = np.full((7, weeks), np.nan)
    for d in days:
        day = date.fromisoformat(d.day)
        if d.expected > 0:
            offset = (day - origin).days
            grid[offset % 7, offset // 7] = d.rate
    # amber (missed) -> dark green (all taken): the two ends differ in lightness as well as hue,
    # so the map reads in grey and for red-green colour blindness; white = nothing due.
    cmap = (
        _matplotlib()
        .colors.LinearSegmentedColormap.from_list(
            "adherence", ["#e8a33d", "#f3e3a1", "#9ccf8f", "#1e7b34"]
        )
        .with_extremes(bad="#ffffff")
    )
    image = ax.pcolormesh(
        np.ma.masked_invalid(grid), cmap=cmap, vmin=0, vmax=1, edgecolors="white", linewidth=1.0
    )
    ax.set_aspect("equal")
    ax.invert_yaxis()
    ax.set_yticks([i + 0.5 for i in range(7)], ["Mon", "", "Wed", "", "Fri", "", "Sun"], fontsize=7)
    ticks = [(w, origin + timedelta(weeks=w)) for w in range(weeks)]
    month_ticks = [(w, d) for w, d in ticks if d.day <= 7]
    ax.set_xticks(
        [w + 0.5 for w, _ in month_ticks],
        [d.strftime("%b %Y" if d.month == 1 else "%b") for _, d in month_ticks],
        fontsize=7,
    )
    for side in ("left", "bottom", "top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(length=0)
    bar = fig.colorbar(image, ax=ax, fraction=0.02, pad=0.01)
    bar.set_ticks([0, 0.5, 1], labels=["0%", "50%", "100%"])
    bar.ax.tick_params(labelsize=7)
    return fig


def build_plots(records: PersonRecords) -> dict[str, Figure]:
    """Every progress plot of one person, by name (see :data:`PLOT_NAMES`)."""
    window = calendar_window(records)
    summary = (
        adherence(records.regimen, records.doses, *window)
        if window
        else AdherenceSummary(expected=0, taken=0, rate=None)
    )
    return {
        "scores": scores_figure(score_series(records.assessments), records.sessions),
        "scar_volume": scar_volume_figure(records.analyses, records.sessions),
        "redness": redness_figure(records.analyses, records.sessions),
        "adherence": adherence_calendar_figure(summary),
    }


def render(fig: Figure, fmt: Literal["svg", "png"] = "svg") -> bytes:
    """The figure as SVG (deterministic: fixed hash salt, no date) or PNG (no software tag) bytes."""
    buffer = io.BytesIO()
    with _matplotlib().rc_context(_STYLE):
        if fmt == "svg":
            fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
        else:
            fig.savefig(buffer, format="png", dpi=150, metadata={"Software": None})
    return buffer.getvalue()


def write_plots(records: PersonRecords, out_dir: Path, *, fmt: str = "svg") -> PlotFiles:
    """Write every plot of one person to ``out_dir/<name>.<fmt>``."""
    kind: Literal["svg", "png"] = "png" if fmt == "png" else "svg"
    out_dir.mkdir(parents=True, exist_ok=True)
    files = []
    for name, fig in build_plots(records).items():
        path = out_dir / f"{name}.{kind}"
        path.write_bytes(render(fig, kind))
        files.append(str(path))
    return PlotFiles(files=files)
