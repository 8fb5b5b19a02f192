"""The relief of skin from photos under several lights: atrophic scars measured in 3-D.

:func:`analyze_scars_3d` takes 3 or more photos of one skin area from a fixed camera, each lit
from another direction (lights from :func:`parse_lights` or :func:`calibrate_lights_from_sphere`),
recovers the surface by photometric stereo and measures every depressed scar (``analyze3d/1``);
:func:`depth_map_bytes`, :func:`depth_image_png` and :func:`overlay_png` turn the result into
files and pictures; :func:`normals_from_photos` stops at the normals. Before solving, the
photos are checked against each other and their lights (:func:`check_photos`), the lights'
brightnesses chosen (:func:`choose_brightness`) and the skin's sheen found (:func:`fit_shine`).
The steps are public too, for validation and benchmarks: luminance, photometric stereo,
integration, scar finding, measuring and typing.
"""

from scarwise.imaging.relief.analysis import (
    analyze_luminance_3d,
    analyze_scars_3d,
    normals_from_photos,
)
from scarwise.imaging.relief.brightness import Brightness, choose_brightness
from scarwise.imaging.relief.finding import ScarsFound, find_scars
from scarwise.imaging.relief.inputs import check_inputs
from scarwise.imaging.relief.integration import (
    gradients_from_normals,
    integrate_gradients,
    integrate_normals,
)
from scarwise.imaging.relief.lights import check_light_geometry, parse_lights
from scarwise.imaging.relief.luminance import Encoding, photo_luminance
from scarwise.imaging.relief.measuring import ScarMeasurement, measure_depressions
from scarwise.imaging.relief.models import (
    Analyze3DResult,
    DepthMapInfo,
    Light,
    LightsCalibration,
    LightSet,
    ScaleEstimate,
    Scar3D,
    Scars3DEstimates,
    Scars3DSummary,
    ScarType,
)
from scarwise.imaging.relief.photo_checks import CheckedPhotos, check_photos
from scarwise.imaging.relief.photometric_stereo import (
    NormalField,
    SlopeField,
    estimate_light_intensities,
    estimate_normals,
    estimate_slopes,
    least_squares_normals,
    sample_pixels,
    specular_free,
)
from scarwise.imaging.relief.pictures import depth_image_png, depth_map_bytes, overlay_png
from scarwise.imaging.relief.scar_types import classify_scar
from scarwise.imaging.relief.shine import ShineFit, fit_shine
from scarwise.imaging.relief.sphere_calibration import calibrate_lights_from_sphere
from scarwise.imaging.relief.surface import surrounding_surface

__all__ = [
    "Analyze3DResult",
    "Brightness",
    "CheckedPhotos",
    "DepthMapInfo",
    "Encoding",
    "Light",
    "LightSet",
    "LightsCalibration",
    "NormalField",
    "ScaleEstimate",
    "Scar3D",
    "ScarMeasurement",
    "ScarType",
    "Scars3DEstimates",
    "Scars3DSummary",
    "ScarsFound",
    "ShineFit",
    "SlopeField",
    "analyze_luminance_3d",
    "analyze_scars_3d",
    "calibrate_lights_from_sphere",
    "check_inputs",
    "check_light_geometry",
    "check_photos",
    "choose_brightness",
    "classify_scar",
    "depth_image_png",
    "depth_map_bytes",
    "estimate_light_intensities",
    "estimate_normals",
    "estimate_slopes",
    "find_scars",
    "fit_shine",
    "gradients_from_normals",
    "integrate_gradients",
    "integrate_normals",
    "least_squares_normals",
    "measure_depressions",
    "normals_from_photos",
    "overlay_png",
    "parse_lights",
    "photo_luminance",
    "sample_pixels",
    "specular_free",
    "surrounding_surface",
]
