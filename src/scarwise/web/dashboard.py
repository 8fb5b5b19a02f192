"""The progress dashboard's view: one person's records, their progress, a photo pair, the plots
and the history, each history item with the address of what it is.

Pure assembly of what the store returns (no maths of its own: progress and adherence come from
``scarwise.tracking`` through :meth:`Store.progress`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from scarwise.errors import NotFound, Problem
from scarwise.reports import plots
from scarwise.web.words import plural, scale_name, score_text, treatment_name

__all__ = [
    "HISTORY_LENGTH",
    "DashboardView",
    "HistoryItem",
    "PlotLink",
    "build_dashboard",
    "history_items",
    "plot_svg",
]

#: How many history items the dashboard lists (newest first).
HISTORY_LENGTH: Final = 30


@dataclass(frozen=True)
class PlotLink:
    """One plot on the dashboard: its title and the addresses of its two layouts."""

    name: str
    title: str
    url: str

    @property
    def narrow_url(self) -> str:
        return f"{self.url}?layout=narrow"


@dataclass(frozen=True)
class HistoryItem:
    """One line of the history: when, what, and where to see it (None: nowhere else)."""

    date: datetime
    text: str
    url: str | None


@dataclass(frozen=True)
class DashboardView:
    """Everything the dashboard template shows for one person."""

    person: Any
    records: Any
    progress: Any
    history: list[HistoryItem]
    before: Any | None
    after: Any | None
    latest_scores: list[Any]
    doses_by_item: dict[str, int] = field(default_factory=dict)
    plots: list[PlotLink] = field(default_factory=list)
    #: saved plans, newest first (the active one first of all)
    plans: list[Any] = field(default_factory=list)


def build_dashboard(
    store: Any, person_id: str, *, before: str | None = None, after: str | None = None
) -> DashboardView:
    """Assemble the dashboard of ``person_id`` (``before``/``after``: photo ids to compare).

    Raises
    ------
    NotFound
        Unknown person, or a photo id that is not this person's.
    """
    records = store.records(person_id)
    photos = list(records.photos)
    by_id = {p.id: p for p in photos}
    for name, wanted in (("before", before), ("after", after)):
        if wanted and wanted not in by_id:
            raise NotFound(problems=[Problem(name, "a photo of this person", wanted)])
    first = by_id[before] if before else (photos[0] if len(photos) >= 2 else None)
    last = by_id[after] if after else (photos[-1] if len(photos) >= 2 else None)
    latest: dict[tuple[str, str | None], Any] = {}
    for assessment in records.assessments:
        latest[(assessment.scale, assessment.region)] = assessment
    doses: dict[str, int] = {}
    for dose in records.doses:
        if dose.status == "taken":
            doses[dose.regimen_id] = doses.get(dose.regimen_id, 0) + 1
    progress = store.progress(person_id, None)
    events = list(store.history(person_id).events)
    names = {item.id: item.treatment for item in records.regimen}
    plans = sorted(records.plans, key=lambda p: (p.status != "active", -p.date.timestamp()))
    return DashboardView(
        person=records.person,
        records=records,
        progress=progress,
        history=history_items(person_id, events, names)[:HISTORY_LENGTH],
        before=first,
        after=last,
        latest_scores=list(latest.values()),
        doses_by_item=doses,
        plots=_plots(person_id, records),
        plans=plans,
    )


def history_items(
    person_id: str, events: Sequence[Any], regimen_names: Mapping[str, str]
) -> list[HistoryItem]:
    """The history newest first, in words, each item linking to what it is; check-ins in a row
    for the same routine step become one item, and so do photos added in a row (a 3-D set)."""
    items: list[HistoryItem] = []
    base = f"/people/{person_id}"
    run: list[Any] = []
    photos: list[Any] = []

    def flush_photos() -> None:
        if len(photos) == 1:
            items.append(
                HistoryItem(photos[0].date, "Photo added", f"{base}/photos/{photos[0].id}.png")
            )
        elif photos:
            items.append(
                HistoryItem(photos[0].date, f"{len(photos)} photos added", f"{base}#photos")
            )
        photos.clear()

    def flush() -> None:
        if run:
            step = treatment_name(
                regimen_names.get(run[0].model_extra.get("regimen_id"), "routine")
            )
            taken = sum(1 for e in run if e.model_extra.get("status") == "taken")
            skipped = len(run) - taken
            parts = [plural(taken, "dose") + " taken"] if taken else []
            parts += [f"{skipped} skipped"] if skipped else []
            items.append(HistoryItem(run[0].date, f"{step}: {', '.join(parts)}", f"{base}#routine"))
            run.clear()

    for event in reversed(list(events)):
        extra = event.model_extra or {}
        if event.kind == "dose":
            flush_photos()
            if run and run[0].model_extra.get("regimen_id") != extra.get("regimen_id"):
                flush()
            run.append(event)
            continue
        flush()
        if event.kind == "photo":
            photos.append(event)
            continue
        flush_photos()
        items.append(_history_item(base, event, extra))
    flush()
    flush_photos()
    return items


def _history_item(base: str, event: Any, extra: Mapping[str, Any]) -> HistoryItem:
    kind, date = event.kind, event.date
    if kind == "assessment":
        scale = str(extra.get("scale"))
        text = f"{scale_name(scale)}: {score_text(scale, extra)}"
        return HistoryItem(date, text, f"{base}#scores")
    if kind == "analysis":
        what = "3-D scar measurement" if extra.get("analysis") == "analyze3d" else "Colour analysis"
        return HistoryItem(date, what, f"{base}/analyses/{event.id}")
    if kind == "plan":
        text = "Plan saved" + (" (later replaced)" if extra.get("status") != "active" else "")
        return HistoryItem(date, text, f"{base}/plans/{event.id}")
    if kind == "regimen":
        step = treatment_name(extra.get("treatment"))
        return HistoryItem(date, f"Routine step started: {step}", f"{base}#routine-{event.id}")
    if kind == "regimen-stop":
        step = treatment_name(extra.get("treatment"))
        return HistoryItem(date, f"Routine step stopped: {step}", f"{base}#routine-{event.id}")
    if kind == "session":
        text = f"Treatment session: {treatment_name(extra.get('treatment'))}"
        return HistoryItem(date, text, f"{base}#session-{event.id}")
    if kind == "note":
        return HistoryItem(date, f"Note: {extra.get('text', '')}", None)
    return HistoryItem(date, kind, None)


_PLOT_TITLES: Final = {
    "scores": "Scar scores over time",
    "adherence": "Routine check-ins",
    "scar_volume": "Volume of depressed scars",
    "redness": "Redness",
}


def _plots(person_id: str, records: Any) -> list[PlotLink]:
    """The plots worth drawing for these records."""
    wanted = []
    if any(a.scale != "fitzpatrick" for a in records.assessments):
        wanted.append("scores")
    if records.regimen:
        wanted.append("adherence")
    if any(a.kind == "analyze3d" for a in records.analyses):
        wanted.append("scar_volume")
    if any(a.kind == "analyze" for a in records.analyses):
        wanted.append("redness")
    return [
        PlotLink(name, _PLOT_TITLES[name], f"/people/{person_id}/plots/{name}.svg")
        for name in wanted
    ]


def plot_svg(store: Any, person_id: str, name: str, *, narrow: bool = False) -> bytes:
    """One plot of ``scarwise.reports.plots`` (``scores``, ``scar_volume``, ``redness``,
    ``adherence``) as SVG, wide or ``narrow`` (a phone)."""
    if name not in plots.PLOT_NAMES:
        raise NotFound(problems=[Problem("plot", "one of " + ", ".join(plots.PLOT_NAMES), name)])
    records = store.records(person_id)
    return plots.render(plots.plot_figure(records, name, narrow=narrow), "svg")
