"""Image analysis: the intake gate for untrusted photos and colour analysis of skin.

``scarwise.imaging.intake`` is the one gate every photo passes; :func:`analyze_photo` measures
skin tone, redness and pigment indices and finds red and brown marks (``analyze/1``);
:func:`render_overlay` draws them on the photo.
"""

from scarwise.imaging.analyze import analyze_photo
from scarwise.imaging.intake import IntakeLimits, Photo, read_photo, read_photo_file
from scarwise.imaging.models import AnalyzeResult
from scarwise.imaging.overlay import render_overlay

__all__ = [
    "AnalyzeResult",
    "IntakeLimits",
    "Photo",
    "analyze_photo",
    "read_photo",
    "read_photo_file",
    "render_overlay",
]
