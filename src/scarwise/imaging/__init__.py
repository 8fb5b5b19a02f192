"""Image analysis of photos that passed the intake gate (:mod:`scarwise.intake`).

:func:`analyze_photo` measures skin tone, redness and pigment indices and finds red and brown
marks (``analyze/1``); :func:`render_overlay` draws them on the photo. :func:`analyze_scars_3d` measures atrophic scars
from photos under several lights (``analyze3d/1``; lights from :func:`parse_lights` or
:func:`calibrate_lights_from_sphere`; pictures from :mod:`scarwise.imaging.depth_render`).
"""

from scarwise.imaging.analyze import analyze_photo
from scarwise.imaging.analyze3d import Analyze3DResult, analyze_scars_3d
from scarwise.imaging.depth_render import depth_image_png, depth_map_bytes, overlay_png
from scarwise.imaging.landmarks import find_face
from scarwise.imaging.lights import LightSet, calibrate_lights_from_sphere, parse_lights
from scarwise.imaging.models import AnalyzeResult
from scarwise.imaging.overlay import render_overlay

__all__ = [
    "Analyze3DResult",
    "AnalyzeResult",
    "LightSet",
    "analyze_photo",
    "analyze_scars_3d",
    "calibrate_lights_from_sphere",
    "depth_image_png",
    "depth_map_bytes",
    "find_face",
    "overlay_png",
    "parse_lights",
    "render_overlay",
]
