"""The progress report and plots of one person: read from the store, photos aligned, drawn.

The store gives the records and the progress since the first record; each region's first and
last photo (:func:`scarwise.tracking.photo_pairs`) are aligned by :mod:`scarwise.imaging.align`;
:mod:`scarwise.reports` draws the result.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Literal

from scarwise.errors import Problem, UsageError
from scarwise.imaging import align_pngs
from scarwise.reports.plots import PlotFiles, write_plots
from scarwise.reports.progress_report import PhotoPair
from scarwise.reports.progress_report import write_progress_report as render_report
from scarwise.store import Store
from scarwise.tracking.models import PersonRecords, ReportResult
from scarwise.tracking.pairs import photo_pairs

__all__ = ["aligned_photo_pairs", "write_progress_plots", "write_progress_report"]


def write_progress_report(store: Store, person_id: str, out: str | Path) -> ReportResult:
    """Write the progress report of one person to ``out``: HTML, or PDF for a ``.pdf`` file.

    The progress table runs from each measure's first record to the newest record (or now, if
    that is later).
    """
    records = store.records(person_id)
    pairs = aligned_photo_pairs(store, records)
    now = store.clock()
    dated: list[datetime] = [a.date for a in records.assessments]
    dated += [x.date for x in records.analyses] + [p.date for p in records.photos]
    dated += [s.date for s in records.sessions]
    progress = store.progress(person_id, None, max([now, *dated]))
    return render_report(records, pairs, Path(out), generated=now, progress=progress)


def aligned_photo_pairs(store: Store, records: PersonRecords) -> list[PhotoPair]:
    """Each region's first and last photo, the last aligned onto the first."""
    pairs = []
    for region, before, after in photo_pairs(records):
        aligned = align_pngs(
            store.photos.read(before.sha256),
            store.photos.read(after.sha256),
            names=(before.id, after.id),
        )
        pairs.append(
            PhotoPair(
                region=region,
                before=before,
                after=after,
                before_png=aligned.before_png,
                after_png=aligned.after_png,
                alignment=aligned.method,
            )
        )
    return pairs


def write_progress_plots(
    store: Store, person_id: str, out_dir: str | Path, *, fmt: str = "svg"
) -> PlotFiles:
    """Write the progress plots of one person (scores, scar volume, redness, adherence calendar)
    to ``out_dir/<name>.svg`` (or ``.png``).

    Raises
    ------
    UsageError
        ``fmt`` is neither ``svg`` nor ``png``.
    """
    if fmt not in {"svg", "png"}:
        raise UsageError(problems=[Problem("format", "svg or png", fmt)])
    kind: Literal["svg", "png"] = "png" if fmt == "png" else "svg"
    return write_plots(store.records(person_id), Path(out_dir), fmt=kind)
