"""Image analysis of photos that passed the intake gate (:mod:`scarwise.intake`), by concept.

* :mod:`~scarwise.imaging.colour`: the colour of skin in one photo. :func:`analyze_photo`
  measures skin tone, redness and pigment and finds red and brown marks (``analyze/1``);
  :func:`render_overlay` draws them on the photo.
* :mod:`~scarwise.imaging.relief`: atrophic scars measured in 3-D from photos under several
  lights. :func:`analyze_scars_3d` gives ``analyze3d/1`` (lights from :func:`parse_lights` or
  :func:`calibrate_lights_from_sphere`; files and pictures from :func:`depth_map_bytes`,
  :func:`depth_image_png` and :func:`overlay_png`).
* :mod:`~scarwise.imaging.face`: the face's landmarks (:func:`find_face`) and its skin.
* :mod:`~scarwise.imaging.align`: a later photo moved onto an earlier one's frame for
  before/after pairs (:func:`align_pngs`).

Code outside imaging imports the names here; the sub-packages hold the steps and helpers (the
colour science, e.g. :data:`~scarwise.imaging.colour.MELANIN_DENSITY`, is public in
:mod:`~scarwise.imaging.colour`).

The names are imported on first use (PEP 562, as in :mod:`scarwise`), each from its
sub-package: a colour analysis does not load the 3-D stack (and its scikit-image and SciPy
parts), nor a 3-D one the colour science. To add one, put ``"Name": "scarwise.imaging.sub"`` in
``_LAZY`` and the name in the sorted ``__all__``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scarwise.imaging.align import AlignedPhotos, align_photos, align_pngs
    from scarwise.imaging.colour import (
        AnalyzeResult,
        analyze_photo,
        render_overlay,
        skin_mask_png,
    )
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
        check_photos,
        depth_image_png,
        depth_map_bytes,
        measure_depressions,
        normals_from_photos,
        overlay_png,
        parse_lights,
        photo_luminance,
    )

#: public name -> the sub-package that defines it, imported on first use.
_LAZY: dict[str, str] = {
    "AlignedPhotos": "scarwise.imaging.align",
    "align_photos": "scarwise.imaging.align",
    "align_pngs": "scarwise.imaging.align",
    "AnalyzeResult": "scarwise.imaging.colour",
    "analyze_photo": "scarwise.imaging.colour",
    "render_overlay": "scarwise.imaging.colour",
    "skin_mask_png": "scarwise.imaging.colour",
    "FaceLandmarks": "scarwise.imaging.face",
    "FaceMesh": "scarwise.imaging.face",
    "find_face": "scarwise.imaging.face",
    "Analyze3DResult": "scarwise.imaging.relief",
    "DepthMapInfo": "scarwise.imaging.relief",
    "Encoding": "scarwise.imaging.relief",
    "Light": "scarwise.imaging.relief",
    "LightSet": "scarwise.imaging.relief",
    "LightsCalibration": "scarwise.imaging.relief",
    "ScaleEstimate": "scarwise.imaging.relief",
    "Scar3D": "scarwise.imaging.relief",
    "Scars3DEstimates": "scarwise.imaging.relief",
    "Scars3DSummary": "scarwise.imaging.relief",
    "analyze_luminance_3d": "scarwise.imaging.relief",
    "analyze_scars_3d": "scarwise.imaging.relief",
    "calibrate_lights_from_sphere": "scarwise.imaging.relief",
    "check_inputs": "scarwise.imaging.relief",
    "depth_image_png": "scarwise.imaging.relief",
    "depth_map_bytes": "scarwise.imaging.relief",
    "measure_depressions": "scarwise.imaging.relief",
    "overlay_png": "scarwise.imaging.relief",
    "parse_lights": "scarwise.imaging.relief",
    "photo_luminance": "scarwise.imaging.relief",
    "normals_from_photos": "scarwise.imaging.relief",
    "check_photos": "scarwise.imaging.relief",
}

__all__ = [
    "AlignedPhotos",
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
    "align_photos",
    "align_pngs",
    "analyze_luminance_3d",
    "analyze_photo",
    "analyze_scars_3d",
    "calibrate_lights_from_sphere",
    "check_inputs",
    "check_photos",
    "depth_image_png",
    "depth_map_bytes",
    "find_face",
    "measure_depressions",
    "normals_from_photos",
    "overlay_png",
    "parse_lights",
    "photo_luminance",
    "render_overlay",
    "skin_mask_png",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'scarwise.imaging' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
