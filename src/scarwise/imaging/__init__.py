"""Image analysis of photos that passed the intake gate (:mod:`scarwise.intake`), by concept.

* :mod:`~scarwise.imaging.colour`: the colour of skin in one photo. :func:`analyze_photo`
  measures skin tone, redness and pigment and finds red and brown marks (``analyze/1``);
  :func:`render_overlay` draws them on the photo.
* :mod:`~scarwise.imaging.relief`: atrophic scars measured in 3-D from photos under several
  lights. :func:`analyze_scars_3d` gives ``analyze3d/1`` (lights from :func:`parse_lights` or
  :func:`calibrate_lights_from_sphere`; files and pictures from :func:`depth_map_bytes`,
  :func:`depth_image_png` and :func:`overlay_png`).
* :mod:`~scarwise.imaging.face`: the face's landmarks (:func:`find_face`) and its skin.

Code outside imaging imports the names here; the sub-packages hold the steps and helpers (the
colour science, e.g. :data:`~scarwise.imaging.colour.MELANIN_DENSITY`, is public in
:mod:`~scarwise.imaging.colour`).
"""

from scarwise.imaging.colour import AnalyzeResult, analyze_photo, render_overlay
from scarwise.imaging.face import FaceLandmarks, FaceMesh, find_face
from scarwise.imaging.relief import (
    Analyze3DResult,
    DepthMapInfo,
    Encoding,
    Light,
    LightsCalibration,
    LightSet,
    ScaleEstimate,
    Scar3D,
    Scars3DEstimates,
    Scars3DSummary,
    analyze_luminance_3d,
    analyze_scars_3d,
    calibrate_lights_from_sphere,
    check_inputs,
    depth_image_png,
    depth_map_bytes,
    measure_depressions,
    overlay_png,
    parse_lights,
    photo_luminance,
)

__all__ = [
    "Analyze3DResult",
    "AnalyzeResult",
    "DepthMapInfo",
    "Encoding",
    "FaceLandmarks",
    "FaceMesh",
    "Light",
    "LightSet",
    "LightsCalibration",
    "ScaleEstimate",
    "Scar3D",
    "Scars3DEstimates",
    "Scars3DSummary",
    "analyze_luminance_3d",
    "analyze_photo",
    "analyze_scars_3d",
    "calibrate_lights_from_sphere",
    "check_inputs",
    "depth_image_png",
    "depth_map_bytes",
    "find_face",
    "measure_depressions",
    "overlay_png",
    "parse_lights",
    "photo_luminance",
    "render_overlay",
]
