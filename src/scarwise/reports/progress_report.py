"""The progress report of one person (HTML, or PDF for a ``.pdf`` file): a summary, the plots
and before/after photo pairs.

One self-contained file (plots inline as SVG, photos as ``data:`` PNGs, no external resources),
from ``templates/progress.html`` with autoescaping on. Before/after pairs are the first and last
photo of each region; the later photo is aligned to the earlier one:

* by face landmarks when both photos show a face (``scarwise.imaging.landmarks``: a similarity
  transform fitted to the 468 mesh points, RANSAC), then refined by ECC started from it;
* otherwise by image registration: OpenCV's ECC maximisation (Evangelidis & Psarakis, IEEE TPAMI
  2008;30:1858-65, doi:10.1109/TPAMI.2008.113) with a Euclidean motion model, and phase correlation
  (translation only) if ECC does not converge.

The report says which method aligned each pair. Alignment only moves the later photo; it never
changes its pixels' values.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from scarwise._version import __version__
from scarwise.errors import InternalError
from scarwise.reports.plots import build_plots, render
from scarwise.tracking.models import PhotoRecord, ReportInfo, ReportResult

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from scarwise.store.store import PersonRecords, Store

__all__ = [
    "PhotoPair",
    "align_photos",
    "photo_pairs",
    "render_progress_html",
    "write_progress_report",
]

TEMPLATES = Path(__file__).with_name("templates")
_ECC_MAX_SIDE = 512
_LANDMARKS = "face landmarks (similarity transform)"
_LANDMARKS_ECC = "face landmarks, refined by image registration (OpenCV ECC, affine)"
_ECC = "image registration (OpenCV ECC, Euclidean)"
_PHASE = "image registration (phase correlation, translation only)"
_NONE = "not aligned (registration failed)"


_PLOT_TITLES = {
    "scores": "Scar scores over time, with procedure sessions marked",
    "scar_volume": "Atrophic scar volume and count from 3-D analyses",
    "redness": "Redness (mean a* and erythema index) from colour analyses",
    "adherence": "Regimen adherence calendar",
}


@dataclass(frozen=True)
class PhotoPair:
    region: str
    before: PhotoRecord
    after: PhotoRecord
    before_png: bytes
    after_png: bytes
    alignment: str


def photo_pairs(records: PersonRecords) -> list[tuple[str, PhotoRecord, PhotoRecord]]:
    """The first and last photo of each region that has two or more photos."""
    by_region: dict[str, list[PhotoRecord]] = {}
    for photo in records.photos:
        by_region.setdefault(photo.region or "unspecified", []).append(photo)
    pairs = []
    for region, photos in sorted(by_region.items()):
        ordered = sorted(photos, key=lambda p: (p.date, p.id))
        if len(ordered) >= 2:
            pairs.append((region, ordered[0], ordered[-1]))
    return pairs


def align_photos(
    before: NDArray[np.uint8], after: NDArray[np.uint8]
) -> tuple[NDArray[np.uint8], str]:
    """``after`` moved onto ``before``'s frame (same size as ``before``) and how it was aligned."""
    import cv2
    import numpy as np

    height, width = before.shape[:2]
    if after.shape[:2] != (height, width):
        after = np.asarray(
            cv2.resize(after, (width, height), interpolation=cv2.INTER_AREA), dtype=np.uint8
        )
    matrix, method = _landmark_transform(before, after)
    if matrix is not None:
        # landmarks place the face; ECC started from there fits the skin texture too
        refined, _ = _registration_transform(before, after, start=matrix)
        if refined is not None:
            matrix, method = refined, _LANDMARKS_ECC
    else:
        matrix, method = _registration_transform(before, after)
    if matrix is None:
        return after, _NONE
    warped = cv2.warpAffine(
        after,
        matrix.astype(np.float32),
        (width, height),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(255, 255, 255),
    )
    return np.asarray(warped, dtype=np.uint8), method


def _landmark_transform(before: Any, after: Any) -> tuple[Any, str]:
    import cv2
    import numpy as np

    try:
        from scarwise.imaging import find_face
    except ImportError:  # the landmark models are part of the imaging extra
        return None, ""
    if before.ndim != 3 or after.ndim != 3:
        return None, ""
    face_a, face_b = find_face(before), find_face(after)
    if face_a is None or face_b is None:
        return None, ""
    moving = np.ascontiguousarray(face_b.points[:, :2], dtype=np.float32)
    fixed = np.ascontiguousarray(face_a.points[:, :2], dtype=np.float32)
    matrix, _inliers = cv2.estimateAffinePartial2D(moving, fixed, method=cv2.RANSAC)
    return (matrix, _LANDMARKS) if matrix is not None else (None, "")


def _registration_transform(before: Any, after: Any, start: Any = None) -> tuple[Any, str]:
    """ECC (Euclidean; affine when refining a ``start`` transform), else phase correlation."""
    import cv2
    import numpy as np

    def grey(image: Any) -> Any:
        g = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
        return g.astype(np.float32) / 255.0

    a, b = grey(before), grey(after)
    scale = min(1.0, _ECC_MAX_SIDE / max(a.shape))
    if scale < 1.0:
        size = (round(a.shape[1] * scale), round(a.shape[0] * scale))
        a, b = (
            cv2.resize(a, size, interpolation=cv2.INTER_AREA),
            cv2.resize(b, size, interpolation=cv2.INTER_AREA),
        )
    warp = np.eye(2, 3, dtype=np.float32)
    motion = cv2.MOTION_EUCLIDEAN
    if start is not None:
        warp = cv2.invertAffineTransform(np.asarray(start, dtype=np.float32)).astype(np.float32)
        warp[:, 2] *= scale
        motion = cv2.MOTION_AFFINE
    criteria = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 200, 1e-6)
    try:
        _cc, warp = cast(Any, cv2).findTransformECC(a, b, warp, motion, criteria, None, 5)
    except cv2.error:
        if start is not None:
            return None, ""
        (dx, dy), response = cv2.phaseCorrelate(a, b)
        if response <= 0:
            return None, ""
        return np.array([[1, 0, -dx / scale], [0, 1, -dy / scale]], dtype=np.float32), _PHASE
    # ECC maps before-coordinates to after-coordinates; invert it to move 'after' onto 'before'.
    warp[:, 2] /= scale
    return cv2.invertAffineTransform(warp), _ECC


def _pixels(png: bytes, name: str) -> Any:
    from scarwise.intake import read_photo

    pixels: Any = read_photo(png, name=name).pixels
    if pixels.dtype != "uint8":
        pixels = (pixels // 257).astype("uint8")
    if pixels.ndim == 2:
        import numpy as np

        pixels = np.stack([pixels] * 3, axis=-1)
    return pixels


def _png(pixels: Any) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG")
    return out.getvalue()


def render_progress_html(
    records: PersonRecords, pairs: list[PhotoPair], *, generated: datetime, progress: dict[str, Any]
) -> str:
    """The report's HTML text."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

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
        progress=progress,
        plot_titles=_PLOT_TITLES,
        version=__version__,
    )


def write_progress_report(store: Store, person_id: str, out: Path) -> ReportResult:
    """Write the report of ``person_id`` to ``out`` (HTML)."""
    records = store.records(person_id)
    pairs = []
    for region, before, after in photo_pairs(records):
        before_px = _pixels(store.photos.read(before.sha256), before.id)
        after_px = _pixels(store.photos.read(after.sha256), after.id)
        aligned, method = align_photos(before_px, after_px)
        pairs.append(
            PhotoPair(
                region=region,
                before=before,
                after=after,
                before_png=_png(before_px),
                after_png=_png(aligned),
                alignment=method,
            )
        )
    now = store.clock()
    dated: list[datetime] = [a.date for a in records.assessments] + [
        x.date for x in records.analyses
    ]
    dated += [p.date for p in records.photos] + [s.date for s in records.sessions]
    progress = store.progress(person_id, None, max([now, *dated])).to_json_dict()
    html = render_progress_html(records, pairs, generated=now, progress=progress)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".pdf":
        out.write_bytes(html_to_pdf(html))
    else:
        out.write_text(html, encoding="utf-8")
    methods = sorted({p.alignment for p in pairs})
    return ReportResult(
        report=ReportInfo(
            file=str(out),
            plots=list(build_plots_names()),
            photo_pairs=len(pairs),
            alignment="; ".join(methods) if methods else "no photo pairs",
        )
    )


def html_to_pdf(html: str) -> bytes:
    """The report as PDF (WeasyPrint). The report embeds everything as ``data:`` URLs, so every
    other fetch is refused: a PDF never reaches the network or the file system."""
    import weasyprint
    from PIL import ImageFile

    # importing weasyprint sets Pillow's global LOAD_TRUNCATED_IMAGES; the intake gate needs it off
    ImageFile.LOAD_TRUNCATED_IMAGES = False

    from weasyprint.urls import URLFetcher

    # only data: URLs (the embedded plots and photos); anything else stops the rendering
    fetcher = URLFetcher(allowed_protocols=["data"], fail_on_errors=True)
    try:
        pdf = weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()
    except weasyprint.urls.FatalURLFetchingError as err:
        raise InternalError("report PDF: the report named a resource that is not embedded") from err
    if not isinstance(pdf, bytes):
        raise InternalError("report PDF: WeasyPrint returned no bytes")
    return pdf


def build_plots_names() -> tuple[str, ...]:
    from scarwise.reports.plots import PLOT_NAMES

    return PLOT_NAMES
