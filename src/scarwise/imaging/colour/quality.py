"""Whether a photo's colours can be trusted: colour cast, exposure, blur, skin coverage and a
skin tone that skin cannot have, each as a warning that says what to do.

Pure functions of the analysed pixels; the thresholds are deliberately loose (a warning should
mean something) and each is stated next to its constant.
"""

from __future__ import annotations

from typing import Final

import cv2
import numpy as np
from numpy.typing import NDArray

from scarwise.imaging.colour.skin_segmentation import SKIN_CHROMA_PRIOR, log_chroma

__all__ = ["QUALITY_LIMITS", "quality_warnings", "tone_warning"]

#: ITA° that skin can have: the darkest and lightest skin measured by colorimetry lie well
#: inside -70 to +80 (Del Bino et al. report about -60 to +70; research/clinical-facts.md §6.2)
#: [M]. Outside, the light or the camera set the number, not the skin.
ITA_RANGE_DEG: Final = (-70.0, 80.0)
#: The analysed skin's median chroma this many Mahalanobis units from the skin-colour prior:
#: a colour cast (white balance, coloured light). Skin tones vary so much that only strong
#: casts show: ACNE04's photos lie at 0.2-2.0, the same under a 25 % cast at 0.2-3.2 [T].
CAST_DISTANCE: Final = 2.5
#: Median 8-bit sRGB luminance of the skin under / over which the photo is under- / over-
#: exposed, and the share of clipped skin pixels that matters.
DARK_CODE: Final = 45.0
BRIGHT_CODE: Final = 235.0
CLIPPED_SHARE: Final = 0.02
#: Fine detail left in the skin (finest band-pass energy over the next band's, on the 512-px
#: raster): a sharp photo keeps noise and pores at the finest scale, a blurred one has lost
#: them. ACNE04 photos measure 0.60-1.19, the same blurred by a 2-px Gaussian 0.37-0.57 [T].
BLUR_RATIO: Final = 0.55
#: Skin covering less of the photo than this: the marks are few pixels wide.
LOW_COVERAGE: Final = 0.1

QUALITY_LIMITS: Final = {
    "ita_range_deg": ITA_RANGE_DEG,
    "cast_distance": CAST_DISTANCE,
    "dark_code": DARK_CODE,
    "bright_code": BRIGHT_CODE,
    "clipped_share": CLIPPED_SHARE,
    "blur_ratio": BLUR_RATIO,
    "low_coverage": LOW_COVERAGE,
}


def tone_warning(ita_deg: float) -> str | None:
    """A warning when ITA° lies outside what skin can be."""
    lo, hi = ITA_RANGE_DEG
    if lo <= ita_deg <= hi:
        return None
    return (
        f"skin tone ITA {ita_deg:.0f}° is outside what skin can be ({lo:.0f}° to {hi:.0f}°): "
        "the light or the camera's white balance set these colours; retake the photo in even "
        "daylight, or put a grey card in it (--grey-card)"
    )


def _band_energy(log_lum: NDArray[np.float32], mask: NDArray[np.bool_]) -> tuple[float, float]:
    b1 = log_lum - cv2.GaussianBlur(log_lum, (0, 0), 1.0)
    b2 = cv2.GaussianBlur(log_lum, (0, 0), 1.0) - cv2.GaussianBlur(log_lum, (0, 0), 2.5)
    return float(np.median(np.abs(b1[mask]))), float(np.median(np.abs(b2[mask])))


def quality_warnings(
    rgb8: NDArray[np.uint8],
    linear: NDArray[np.float32],
    skin: NDArray[np.bool_],
    *,
    coverage: float,
    check_cast: bool = True,
) -> list[str]:
    """Warnings about the photo's colour cast, exposure, sharpness and skin coverage.

    Parameters
    ----------
    rgb8, linear
        The photo (8-bit sRGB and linear RGB, same size; a raster of a few hundred pixels).
    skin
        The analysed skin at that size.
    coverage
        Share of the photo analysed.
    check_cast
        Judge the colour cast (off when a grey card calibrated the colours).
    """
    if skin.sum() < 50:
        return []
    out: list[str] = []
    if check_cast:
        mean, cov = SKIN_CHROMA_PRIOR
        chroma = np.median(log_chroma(linear[skin]), axis=0).astype(np.float64)
        d = chroma - mean
        dist = float(np.sqrt(d @ np.linalg.inv(cov) @ d))
        if dist > CAST_DISTANCE:
            hue = "blue" if d[1] > 0 else "yellow or red"
            out.append(
                f"strong colour cast (the skin looks too {hue} for any skin tone): set the "
                "camera's white balance to daylight, avoid coloured light, or put a grey card in "
                "the photo (--grey-card)"
            )
    luma = rgb8[skin].astype(np.float32) @ np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)
    med = float(np.median(luma))
    clipped = float((rgb8[skin].max(axis=-1) >= 250).mean())
    if med < DARK_CODE:
        out.append(
            "the skin is underexposed (too dark): colours and marks are unreliable; use more "
            "light or a longer exposure"
        )
    elif med > BRIGHT_CODE or clipped > CLIPPED_SHARE:
        out.append(
            f"the skin is overexposed ({clipped:.0%} of it clipped): colours are unreliable; "
            "use less light or a shorter exposure, and avoid direct flash"
        )
    log_lum = np.log(
        np.maximum(linear @ np.array([0.2126, 0.7152, 0.0722], dtype=np.float32), 1.0 / 4096.0)
    ).astype(np.float32)
    fine, next_band = _band_energy(log_lum, skin)
    if next_band > 0 and fine / next_band < BLUR_RATIO:
        out.append(
            "the photo looks blurred (out of focus or moving): small marks may be missed; hold "
            "the camera still and focus on the skin"
        )
    if coverage < LOW_COVERAGE:
        out.append(
            f"skin covers only {coverage:.0%} of the photo: small marks are a few pixels wide; "
            "move closer or crop to the skin"
        )
    return out
