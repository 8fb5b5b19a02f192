"""The colour of skin in one photo: skin tone, redness and pigment, and red or brown marks.

:func:`analyze_photo` gives the ``analyze/1`` result (skin tone as CIELAB and ITA°, erythema and
melanin indices, melanin and haemoglobin amounts, each mark with its CIEDE2000 contrast);
:func:`render_overlay` draws the marks on the photo and :func:`skin_mask_png` gives the skin
that was analysed. The colour science underneath is public
too: colour spaces, ITA°, pigment indices and separation, illumination and grey-card calibration.
"""

from scarwise.imaging.colour.analysis import analyze_photo
from scarwise.imaging.colour.colour_space import (
    SRGB_TO_XYZ,
    ciede2000,
    lab_to_linear,
    linear_to_lab,
    linear_to_srgb8,
    srgb_to_linear,
    srgb_to_linear16,
)
from scarwise.imaging.colour.illumination import (
    GREY_CARD_REFLECTANCE,
    apply_grey_card,
    illumination_field,
)
from scarwise.imaging.colour.models import (
    AnalyzeResult,
    ColourIndices,
    ItaCategory,
    RegionColour,
    SkinTone,
    Spot,
    SpotKind,
)
from scarwise.imaging.colour.overlay import render_overlay, skin_mask_png
from scarwise.imaging.colour.pigments import (
    HAEMOGLOBIN_DENSITY,
    MELANIN_DENSITY,
    erythema_index,
    melanin_index,
    pigment_amounts,
    separate_chromophores,
)
from scarwise.imaging.colour.skin_tone import ITA_BANDS, ita_category, ita_deg

__all__ = [
    "GREY_CARD_REFLECTANCE",
    "HAEMOGLOBIN_DENSITY",
    "ITA_BANDS",
    "MELANIN_DENSITY",
    "SRGB_TO_XYZ",
    "AnalyzeResult",
    "ColourIndices",
    "ItaCategory",
    "RegionColour",
    "SkinTone",
    "Spot",
    "SpotKind",
    "analyze_photo",
    "apply_grey_card",
    "ciede2000",
    "erythema_index",
    "illumination_field",
    "ita_category",
    "ita_deg",
    "lab_to_linear",
    "linear_to_lab",
    "linear_to_srgb8",
    "melanin_index",
    "pigment_amounts",
    "render_overlay",
    "separate_chromophores",
    "skin_mask_png",
    "srgb_to_linear",
    "srgb_to_linear16",
]
