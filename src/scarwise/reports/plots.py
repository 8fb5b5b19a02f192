"""Progress plots: scores over time with session markers, scar volume, redness, adherence calendar.

Each ``*_figure`` function is a pure function of tracking records to a matplotlib figure, drawn
wide (a report, a desktop screen) or ``narrow`` (a phone: taller, fewer ticks, the legend below),
with text large enough to read at the width it is shown; :func:`plot_figure` draws one by name.
:func:`render` turns a figure into PNG or SVG bytes. Output is reproducible: the Agg backend, a
fixed ``svg.hashsalt`` (stable element ids) and no date or software metadata, so the same records
give byte-identical SVG files (a test checks it).

The SVG carries no ``style`` attribute and no ``<style>`` element: matplotlib's inline styles
become SVG presentation attributes (``fill="#fff"``), which draw the same and which a strict
Content-Security-Policy (``style-src 'self'``) does not block when the file is opened on its own.
"""

from __future__ import annotations

import functools
import html
import io
import re
import textwrap
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
    "plot_figure",
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
    "font.size": 11,
    "axes.titlesize": "large",
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
}
#: Scale ids as a legend names them (the scale's own name is too long for a legend).
_SCALE_LABELS = {
    "ecca": "ECCA",
    "gb-qualitative": "Goodman & Baron grade",
    "gb-quantitative": "Goodman & Baron points",
    "scar-s": "SCAR-S",
}
#: Scales that are no scar score (the skin type stays the same), left out of the scores plot.
_NOT_SCAR_SCORES = frozenset({"fitzpatrick"})


@dataclass(frozen=True, slots=True)
class _Size:
    """A figure's size, in inches, and its text, for the width it is shown at."""

    width: float
    height: float
    font: float
    title_chars: int
    max_date_ticks: int


#: Shown about 60 rem wide (a report, a desktop page): 11 pt text stays 11 px or larger.
_WIDE = _Size(width=9.0, height=3.6, font=11, title_chars=70, max_date_ticks=8)
#: Shown about 340 px wide (a phone): 4.8 in is 346 pt, so text keeps nearly its size.
_NARROW = _Size(width=4.8, height=4.4, font=11, title_chars=34, max_date_ticks=4)


def _size(narrow: bool) -> _Size:
    return _NARROW if narrow else _WIDE


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
        import matplotlib.dates
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
        size = _size(bool(kwargs.get("narrow", False)))
        with _matplotlib().rc_context({**_STYLE, "font.size": size.font}):
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _figure(size: _Size, height: float | None = None) -> Figure:
    figure: Figure = _matplotlib().figure.Figure(
        figsize=(size.width, height or size.height), dpi=100, layout="constrained"
    )
    return figure


def _title(ax: Any, size: _Size, text: str) -> None:
    """A title wrapped to the figure's width (never cut off at the edge)."""
    ax.set_title("\n".join(textwrap.wrap(text, size.title_chars)))


def _dates(ax: Any, size: _Size) -> None:
    """Dates on the x axis: few enough to read, written short (``Feb``, ``2026``)."""
    dates = _matplotlib().dates
    locator = dates.AutoDateLocator(minticks=2, maxticks=size.max_date_ticks)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(dates.ConciseDateFormatter(locator))


def _legend(fig: Any, handles: list[Any], labels: list[str], size: _Size) -> None:
    """The legend outside the axes: right of them when wide, below them when narrow, so it never
    hides a point or an axis."""
    if handles:
        where = "outside lower center" if size is _NARROW else "outside right upper"
        fig.legend(handles, labels, loc=where, ncols=1, frameon=False, fontsize="small")


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
            label="treatment session" if i == 0 else None,
        )
        ax.annotate(
            s.treatment.replace("-", " "),
            xy=(s.date, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(-2, -2),
            textcoords="offset points",
            rotation=90,
            fontsize="x-small",
            color=_SESSION_COLOUR,
            ha="right",
            va="top",
        )


@_styled
def scores_figure(
    series: Sequence[ScoreSeries], sessions: Sequence[SessionRecord] = (), *, narrow: bool = False
) -> Figure:
    """Each scar scale's score over time as a share of its maximum, with treatment sessions marked.

    Scores are drawn as a percentage of the scale's maximum so scales of different range share an
    axis; the legend names the scale and its maximum, and the raw scores label each point. The
    skin type questionnaire is no scar score and is left out.
    """
    size = _size(narrow)
    fig = _figure(size)
    ax: Any = fig.add_subplot()
    _title(ax, size, "Scar scores over time (lower is better)")
    series = [s for s in series if s.scale not in _NOT_SCAR_SCORES]
    if not series:
        _empty(ax, "no scar scores yet")
        return fig
    for i, s in enumerate(series):
        xs = [p.date for p in s.points]
        ys = [100.0 * p.score / p.max if p.max else 0.0 for p in s.points]
        name = _SCALE_LABELS.get(s.scale, s.scale)
        label = f"{name}{' (' + s.region + ')' if s.region else ''}, out of {s.points[-1].max}"
        ax.plot(xs, ys, marker="o", color=_LINE_COLOURS[i % len(_LINE_COLOURS)], label=label)
        for x, y, p in zip(xs, ys, s.points, strict=True):
            ax.annotate(
                str(p.score),
                (x, y),
                textcoords="offset points",
                xytext=(0, 6),
                ha="center",
                fontsize="small",
            )
    _session_markers(ax, sessions)
    ax.set_ylabel("% of the scale's maximum")
    ax.set_ylim(0, 105)
    _dates(ax, size)
    handles, labels = ax.get_legend_handles_labels()
    _legend(fig, handles, labels, size)
    return fig


@_styled
def scar_volume_figure(
    analyses: Sequence[AnalysisRecord],
    sessions: Sequence[SessionRecord] = (),
    *,
    narrow: bool = False,
) -> Figure:
    """Total depressed-scar volume (mm³) and scar count from ``analyze3d`` results over time."""
    return _analysis_trend(
        analyses,
        sessions,
        size=_size(narrow),
        kind="analyze3d",
        section="summary",
        title="Volume of depressed scars (3-D photo analyses)",
        empty="no 3-D analyses yet",
        primary=_Series("total_volume_mm3", "total volume, mm³", "volume, mm³", 0),
        secondary=_Series("count", "number of scars", "number of scars", 2),
        from_zero=True,
    )


@_styled
def redness_figure(
    analyses: Sequence[AnalysisRecord],
    sessions: Sequence[SessionRecord] = (),
    *,
    narrow: bool = False,
) -> Figure:
    """Mean a* (CIELAB redness) and erythema index from ``analyze`` results over time."""
    return _analysis_trend(
        analyses,
        sessions,
        size=_size(narrow),
        kind="analyze",
        section="indices",
        title="Redness (colour photo analyses)",
        empty="no colour analyses yet",
        primary=_Series("mean_a_star", "redness (mean a*)", "redness, a*", 1),
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
    size: _Size,
    kind: str,
    section: str,
    title: str,
    empty: str,
    primary: _Series,
    secondary: _Series,
    from_zero: bool,
) -> Figure:
    """One analysis number over time, a second on a twin axis when every point has it."""
    fig = _figure(size)
    ax: Any = fig.add_subplot()
    _title(ax, size, title)
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
    _dates(ax, size)
    handles, labels = ax.get_legend_handles_labels()
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
        more, more_labels = ax2.get_legend_handles_labels()
        handles, labels = handles + more, labels + more_labels
    _legend(fig, handles, labels, size)
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
def adherence_calendar_figure(summary: AdherenceSummary, *, narrow: bool = False) -> Figure:
    """A calendar heat map: one square per day (weeks across, Monday at the top), coloured by the
    share of due doses taken; days with nothing due are left blank."""
    size = _size(narrow)
    days = summary.days
    trimmed = narrow and len(days) > 16 * 7
    if trimmed:  # a phone shows the last 16 weeks
        days = days[-16 * 7 :]
    weeks = 1 + (len(days) + (date.fromisoformat(days[0].day).weekday() if days else 0)) // 7
    weeks = max(weeks, 16 if narrow else 26)  # a short routine still fills the width
    fig = _figure(size, 1.4 + 0.22 * 7 + (0.3 if narrow else 0))
    ax: Any = fig.add_subplot()
    rate = "nothing due yet" if summary.rate is None else f"{summary.rate:.0%} of doses due taken"
    _title(ax, size, f"Routine check-ins: {rate}")
    if not days:
        _empty(ax, "no routine steps yet")
        return fig
    shown = "last 16 weeks: " if trimmed else ""
    ax.set_xlabel(f"{shown}{days[0].day} to {days[-1].day}", fontsize="small")
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
    ax.set_yticks(
        [i + 0.5 for i in range(7)], ["Mon", "", "Wed", "", "Fri", "", "Sun"], fontsize="small"
    )
    ticks = [(w, origin + timedelta(weeks=w)) for w in range(weeks)]
    month_ticks = [(w, d) for w, d in ticks if d.day <= 7]
    ax.set_xticks(
        [w + 0.5 for w, _ in month_ticks],
        [d.strftime("%b %Y" if d.month == 1 else "%b") for _, d in month_ticks],
        fontsize="small",
    )
    for side in ("left", "bottom", "top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(length=0)
    bar = fig.colorbar(image, ax=ax, fraction=0.05 if narrow else 0.02, pad=0.02)
    bar.set_ticks([0, 0.5, 1], labels=["0%", "50%", "100%"])
    bar.ax.tick_params(labelsize="small")
    return fig


def plot_figure(records: PersonRecords, name: str, *, narrow: bool = False) -> Figure:
    """One progress plot of one person by name (see :data:`PLOT_NAMES`).

    Raises
    ------
    KeyError
        ``name`` is not one of :data:`PLOT_NAMES`.
    """
    if name == "scores":
        return scores_figure(score_series(records.assessments), records.sessions, narrow=narrow)
    if name == "scar_volume":
        return scar_volume_figure(records.analyses, records.sessions, narrow=narrow)
    if name == "redness":
        return redness_figure(records.analyses, records.sessions, narrow=narrow)
    if name == "adherence":
        window = calendar_window(records)
        summary = (
            adherence(records.regimen, records.doses, *window)
            if window
            else AdherenceSummary(expected=0, taken=0, rate=None)
        )
        return adherence_calendar_figure(summary, narrow=narrow)
    raise KeyError(name)


def build_plots(records: PersonRecords, *, narrow: bool = False) -> dict[str, Figure]:
    """Every progress plot of one person, by name (see :data:`PLOT_NAMES`)."""
    return {name: plot_figure(records, name, narrow=narrow) for name in PLOT_NAMES}


def render(fig: Figure, fmt: Literal["svg", "png"] = "svg") -> bytes:
    """The figure as SVG (deterministic: fixed hash salt, no date) or PNG (no software tag) bytes."""
    buffer = io.BytesIO()
    with _matplotlib().rc_context(_STYLE):
        if fmt == "svg":
            fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
            return _without_inline_styles(buffer.getvalue())
        fig.savefig(buffer, format="png", dpi=150, metadata={"Software": None})
    return buffer.getvalue()


#: CSS properties matplotlib writes in ``style`` that SVG also takes as presentation attributes.
_PRESENTATION = frozenset(
    {
        "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-opacity",
        "stroke-linejoin", "stroke-linecap", "stroke-dasharray", "stroke-dashoffset",
        "stroke-miterlimit", "opacity", "clip-path", "clip-rule", "font-family", "font-size",
        "font-style", "font-weight", "text-anchor", "display", "visibility",
    }
)  # fmt: skip
_STYLE_ATTR = re.compile(rb' style="([^"]*)"')
_STYLE_ELEMENT = re.compile(rb'\s*<style type="text/css">\*\{([^}<]*)\}</style>')


def _attributes(declarations: str) -> str | None:
    """``fill: #fff; stroke: none`` as ``fill="#fff" stroke="none"`` (None if one has no
    presentation attribute)."""
    out = []
    for part in declarations.split(";"):
        if not part.strip():
            continue
        name, sep, value = part.partition(":")
        name, value = name.strip(), html.unescape(value.strip())
        if not sep or name not in _PRESENTATION:
            return None
        out.append(f'{name}="{html.escape(value, quote=True)}"')
    return " ".join(out)


def _without_inline_styles(svg: bytes) -> bytes:
    """matplotlib's SVG with each ``style`` attribute written as presentation attributes and its
    one ``<style>`` rule (``*{stroke-linejoin: round; ...}``) moved onto the root element, where
    the properties are inherited. A declaration SVG has no attribute for is left as it was."""

    def attrs(match: re.Match[bytes]) -> bytes:
        converted = _attributes(match[1].decode("utf-8"))
        return match[0] if converted is None else b" " + converted.encode("utf-8")

    root: list[bytes] = []

    def rule(match: re.Match[bytes]) -> bytes:
        converted = _attributes(match[1].decode("utf-8"))
        if converted is None:
            return match[0]
        root.append(converted.encode("utf-8"))
        return b""

    svg = _STYLE_ELEMENT.sub(rule, svg, count=1)
    if root:
        svg = svg.replace(b"<svg ", b"<svg " + root[0] + b" ", 1)
    return _STYLE_ATTR.sub(attrs, svg)


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
