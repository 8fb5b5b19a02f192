"""Image analysis: the intake gate for untrusted photos and colour analysis of skin.

``scarwise.imaging.intake`` is the one gate every photo passes; :func:`analyze_photo` measures
skin tone, redness and pigment indices and finds red and brown marks (``analyze/1``).
"""

from scarwise.imaging.intake import IntakeLimits, Photo, read_photo, read_photo_file

__all__ = [
    "IntakeLimits",
    "Photo",
    "read_photo",
    "read_photo_file",
]
