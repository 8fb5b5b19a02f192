"""Printable reports, drawn from values they are given: nothing here reads a store or a photo.

* :mod:`~scarwise.reports.plan_report`: the treatment plan as Markdown or HTML;
* :mod:`~scarwise.reports.progress_report`: one person's progress as HTML or PDF (summary, plots,
  before/after pairs already aligned);
* :mod:`~scarwise.reports.plots`: the progress plots as SVG or PNG.

Templates live in ``templates/*.html`` and are rendered by Jinja2 with autoescaping on.
"""

from scarwise.reports.plan_report import render_html, render_markdown, write_plan_report
from scarwise.reports.plots import PLOT_NAMES, PlotFiles, build_plots, write_plots
from scarwise.reports.progress_report import (
    PhotoPair,
    html_to_pdf,
    render_progress_html,
    write_progress_report,
)

__all__ = [
    "PLOT_NAMES",
    "PhotoPair",
    "PlotFiles",
    "build_plots",
    "html_to_pdf",
    "render_html",
    "render_markdown",
    "render_progress_html",
    "write_plan_report",
    "write_plots",
    "write_progress_report",
]
