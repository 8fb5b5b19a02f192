"""The progress report of one person (HTML, or PDF for a ``.pdf`` file): a summary, the plots
and before/after photo pairs.

One self-contained file (plots inline as SVG, photos as ``data:`` PNGs, no external resources),
from ``templates/progress.html`` with autoescaping on. The report only draws what it is given:
the records, the progress between two dates, and the photo pairs already aligned (the workflow
:func:`scarwise.workflows.write_progress_report` reads the store and aligns them). Each pair says
which method aligned it.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from PIL import ImageFile

from scarwise._version import __version__
from scarwise.errors import InternalError
from scarwise.extras import missing_extra
from scarwise.reports.plots import PLOT_NAMES, build_plots, render
from scarwise.tracking.models import (
    PersonRecords,
    PhotoRecord,
    ProgressResult,
    ReportInfo,
    ReportResult,
)

__all__ = [
    "PhotoPair",
    "html_to_pdf",
    "render_progress_html",
    "write_progress_report",
]

TEMPLATES = Path(__file__).with_name("templates")

_PLOT_TITLES = {
    "scores": "Scar scores over time, with procedure sessions marked",
    "scar_volume": "Atrophic scar volume and count from 3-D analyses",
    "redness": "Redness (mean a* and erythema index) from colour analyses",
    "adherence": "Regimen adherence calendar",
}


@dataclass(frozen=True)
class PhotoPair:
    """A before/after pair of one region, the later photo already aligned to the earlier one."""

    region: str
    before: PhotoRecord
    after: PhotoRecord
    before_png: bytes
    after_png: bytes
    #: how ``after_png`` was aligned, as the report prints it
    alignment: str


def render_progress_html(
    records: PersonRecords,
    pairs: list[PhotoPair],
    *,
    generated: datetime,
    progress: ProgressResult,
) -> str:
    """The report's HTML text."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    # SVG as <img> data URLs: the page stays one file, browsers and WeasyPrint both draw them,
    # and the figures' element ids (matplotlib reuses glyph ids) cannot clash in one document
    plots = {
        name: "data:image/svg+xml;base64," + base64.b64encode(render(fig, "svg")).decode("ascii")
        for name, fig in build_plots(records).items()
    }

    def data_uri(png: bytes) -> str:
        return "data:image/png;base64," + base64.b64encode(png).decode("ascii")

    return env.get_template("progress.html").render(
        person=records.person,
        records=records,
        plots=plots,
        pairs=pairs,
        data_uri=data_uri,
        generated=generated,
        progress=progress.to_json_dict(),
        plot_titles=_PLOT_TITLES,
        version=__version__,
    )


def write_progress_report(
    records: PersonRecords,
    pairs: list[PhotoPair],
    out: Path,
    *,
    generated: datetime,
    progress: ProgressResult,
) -> ReportResult:
    """Write the report to ``out``: PDF when its suffix is ``.pdf``, HTML otherwise."""
    html = render_progress_html(records, pairs, generated=generated, progress=progress)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".pdf":
        out.write_bytes(html_to_pdf(html))
    else:
        out.write_text(html, encoding="utf-8")
    methods = sorted({p.alignment for p in pairs})
    return ReportResult(
        report=ReportInfo(
            file=str(out),
            plots=list(PLOT_NAMES),
            photo_pairs=len(pairs),
            alignment="; ".join(methods) if methods else "no photo pairs",
        )
    )


def html_to_pdf(html: str) -> bytes:
    """The report as PDF (WeasyPrint, the ``web`` extra). The report embeds everything as
    ``data:`` URLs, so every other fetch is refused: a PDF never reaches the network or the file
    system."""
    weasyprint = _weasyprint()
    # only data: URLs (the embedded plots and photos); anything else stops the rendering
    fetcher = weasyprint.urls.URLFetcher(allowed_protocols=["data"], fail_on_errors=True)
    try:
        pdf = weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()
    except weasyprint.urls.FatalURLFetchingError as err:
        raise InternalError("report PDF: the report named a resource that is not embedded") from err
    if not isinstance(pdf, bytes):
        raise InternalError("report PDF: WeasyPrint returned no bytes")
    return pdf


def _weasyprint() -> Any:
    """WeasyPrint, imported on first use (it is large and optional); :class:`MissingExtra`
    naming the extra when it is not installed."""
    try:
        import weasyprint
        import weasyprint.urls
    except ModuleNotFoundError as err:
        missing = missing_extra(err)
        if missing is None:
            raise
        raise missing from err
    # importing weasyprint sets Pillow's global LOAD_TRUNCATED_IMAGES; the intake gate needs it off
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    return weasyprint
