"""Printable reports: the treatment plan as Markdown or HTML (``plan_report``).

Templates live in ``templates/*.html`` and are rendered by Jinja2 with autoescaping on.
"""

from scarwise.reports.plan_report import render_html, render_markdown, write_plan_report

__all__ = ["render_html", "render_markdown", "write_plan_report"]
