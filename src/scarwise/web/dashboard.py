"""The progress dashboard's view: one person's records, their progress and a photo pair.

Pure assembly of what the store returns (no maths of its own: progress and adherence come from
``scarwise.tracking`` through :meth:`Store.progress`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scarwise.errors import NotFound, Problem
from scarwise.reports import plots
from scarwise.tracking.adherence import adherence
from scarwise.tracking.models import AdherenceSummary
from scarwise.tracking.timeline import score_series

__all__ = ["DashboardView", "build_dashboard", "plot_svg"]


@dataclass(frozen=True)
class DashboardView:
    """Everything the dashboard template shows for one person."""

    person: Any
    records: Any
    progress: Any
    history: list[Any]
    before: Any | None
    after: Any | None
    latest_scores: list[Any]
    doses_by_item: dict[str, int] = field(default_factory=dict)
    plots: list[tuple[str, str]] = field(default_factory=list)


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
    history = list(store.history(person_id).events)
    return DashboardView(
        person=records.person,
        records=records,
        progress=progress,
        history=list(reversed(history))[:30],
        before=first,
        after=last,
        latest_scores=list(latest.values()),
        doses_by_item=doses,
        plots=_plots(person_id, records),
    )


def _plots(person_id: str, records: Any) -> list[tuple[str, str]]:
    """(title, url) of the plots worth drawing for these records."""
    out: list[tuple[str, str]] = []
    if records.assessments:
        out.append(("Scores over time", f"/people/{person_id}/plots/scores.svg"))
    if records.regimen:
        out.append(("Routine check-ins", f"/people/{person_id}/plots/adherence.svg"))
    if any(a.kind == "analyze3d" for a in records.analyses):
        out.append(("Scar volume", f"/people/{person_id}/plots/scar_volume.svg"))
    if any(a.kind == "analyze" for a in records.analyses):
        out.append(("Redness", f"/people/{person_id}/plots/redness.svg"))
    return out


def plot_svg(store: Any, person_id: str, name: str) -> bytes:
    """One plot of ``scarwise.reports.plots`` (``scores``, ``scar_volume``, ``redness``, ``adherence``)."""
    if name not in plots.PLOT_NAMES:
        raise NotFound(problems=[Problem("plot", "one of " + ", ".join(plots.PLOT_NAMES), name)])
    records = store.records(person_id)
    if name == "scores":
        figure = plots.scores_figure(score_series(records.assessments), records.sessions)
    elif name == "scar_volume":
        figure = plots.scar_volume_figure(records.analyses, records.sessions)
    elif name == "redness":
        figure = plots.redness_figure(records.analyses, records.sessions)
    else:
        window = plots.calendar_window(records)
        summary = (
            adherence(records.regimen, records.doses, *window)
            if window
            else AdherenceSummary(expected=0, taken=0, rate=None)
        )
        figure = plots.adherence_calendar_figure(summary)
    return plots.render(figure, "svg")
