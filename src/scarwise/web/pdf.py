"""The plan as a PDF: WeasyPrint on our own print template, with every network fetch refused.

WeasyPrint would fetch any URL an HTML page names; the fetcher here serves only files from the
package's ``static/`` directory, so a PDF never reaches the network (STYLE.md §8).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scarwise.errors import InternalError

__all__ = ["render_plan_pdf"]

_STATIC = (Path(__file__).parent / "static").resolve()


def _local_only(url: str, *args: Any, **kwargs: Any) -> Any:
    from weasyprint.urls import default_url_fetcher

    if url.startswith("file://"):
        path = Path(url.removeprefix("file://")).resolve()
        if path.is_relative_to(_STATIC):
            return default_url_fetcher(url, *args, **kwargs)
    raise InternalError(f"PDF: refused to fetch {url.split(':', 1)[0]} resource")


def _import_weasyprint() -> Any:
    """WeasyPrint, with Pillow's global ``LOAD_TRUNCATED_IMAGES`` put back to False.

    ``weasyprint.images`` sets that flag to True when it is imported, which would make Pillow
    accept truncated photos everywhere in the process; the intake gate refuses to run lax (it
    raises), so the flag is restored here. Our print template loads no images.
    """
    import weasyprint
    from PIL import ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = False
    return weasyprint


def render_plan_pdf(html: str) -> bytes:
    """Render the print template's HTML to PDF bytes."""
    weasyprint = _import_weasyprint()
    CSS, HTML = weasyprint.CSS, weasyprint.HTML

    document = HTML(string=html, base_url=str(_STATIC) + "/", url_fetcher=_local_only)
    pdf = document.write_pdf(
        stylesheets=[CSS(filename=str(_STATIC / "plan-pdf.css"), url_fetcher=_local_only)]
    )
    if not isinstance(pdf, bytes):
        raise InternalError("PDF: WeasyPrint returned no bytes")
    return pdf
