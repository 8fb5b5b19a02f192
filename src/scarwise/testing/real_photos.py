"""Real photos for validating the colour analysis: the ACNE04 faces with dermatologist lesion
marks, a fixed tuning / held-out split, scoring of marks against the lesions, and invariance
transforms (light gradient, colour cast, JPEG, rescale, crop).

The photos are never shipped: the functions take the folder of ``shared/data/acne04`` (see its
README: 640 x 640 JPEGs, ``circles.csv`` with one ellipse per lesion). Used by the real-photo
tests and ``benchmarks/validate_colour_real.py``.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image

__all__ = [
    "Acne04Photo",
    "LesionScore",
    "MaskScore",
    "acne04_photos",
    "brightness_gradient",
    "colour_cast",
    "crop_centre",
    "jpeg_again",
    "mark_labels",
    "polygon_labels",
    "rescale",
    "score_lesions",
    "score_mask",
    "split_of",
]

Split = Literal["tune", "held_out"]


@dataclass(frozen=True)
class Acne04Photo:
    """One ACNE04 photo: its file, ACNE04 number and severity, and the lesion ellipses
    ``(cx, cy, rx, ry)`` in its pixels (empty when the photo has no Acne04-v2 marks)."""

    path: Path
    source: str
    number: int
    severity: int
    has_marks: bool
    circles: NDArray[np.float64]


def split_of(photo: Acne04Photo) -> Split:
    """The fixed split: ACNE04 image numbers divisible by 3 tune the detector, the rest are
    held out (so every severity level is in both)."""
    return "tune" if photo.number % 3 == 0 else "held_out"


def acne04_photos(root: Path | str) -> list[Acne04Photo]:
    """Every photo of the data set, sorted by file name."""
    root = Path(root)
    circles: dict[str, list[tuple[float, float, float, float]]] = defaultdict(list)
    with (root / "circles.csv").open(newline="") as fh:
        for row in csv.DictReader(fh):
            circles[row["file"]].append(
                (float(row["cx"]), float(row["cy"]), float(row["rx"]), float(row["ry"]))
            )
    photos = []
    with (root / "images.csv").open(newline="") as fh:
        for row in csv.DictReader(fh):
            match = re.match(r"levle(\d)_(\d+)", row["acne04_source"])
            if match is None:  # pragma: no cover - the data set's naming
                continue
            photos.append(
                Acne04Photo(
                    path=root / "images" / row["file"],
                    source=row["acne04_source"],
                    number=int(match.group(2)),
                    severity=int(match.group(1)),
                    has_marks=row["in_acne04v2"] == "1",
                    circles=np.asarray(circles.get(row["file"], []), dtype=np.float64).reshape(
                        -1, 4
                    ),
                )
            )
    return sorted(photos, key=lambda p: p.path.name)


def mark_labels(shape: tuple[int, int], outlines: list[Any]) -> NDArray[np.int32]:
    """Label image (0 = none, ``i + 1`` = mark ``i``) of the marks' outlines in photo pixels."""
    labels = np.zeros(shape, dtype=np.int32)
    for i, outline in enumerate(outlines):
        pts = np.round(np.asarray(outline)).astype(np.int32).reshape(-1, 1, 2)
        cv2.fillPoly(labels, [pts], i + 1)
        cv2.polylines(labels, [pts], True, i + 1)
    return labels


@dataclass(frozen=True)
class LesionScore:
    """Marks against the dermatologist's lesions on one photo.

    A lesion is *found* when a mark's region overlaps its ellipse; a mark *lies on a lesion*
    when it overlaps at least one ellipse; a found lesion is *called red* when a mark of kind
    ``erythema`` overlaps it.
    """

    lesions: int
    found: int
    found_red: int
    marks: int
    marks_on_lesions: int


def score_lesions(
    circles: NDArray[np.float64], labels: NDArray[np.int32], kinds: list[str]
) -> LesionScore:
    """Score the marks in ``labels`` (from :func:`mark_labels`, kinds in the same order)."""
    n_marks = len(kinds)
    on_lesion = np.zeros(n_marks + 1, dtype=bool)
    found = found_red = 0
    for cx, cy, rx, ry in circles:
        disk = np.zeros(labels.shape, dtype=np.uint8)
        axes = (max(1, round(rx)), max(1, round(ry)))
        cv2.ellipse(disk, (round(cx), round(cy)), axes, 0, 0, 360, 1, -1)
        hit = np.unique(labels[disk > 0])
        hit = hit[hit > 0]
        if hit.size:
            found += 1
            on_lesion[hit] = True
            if any(kinds[i - 1] == "erythema" for i in hit):
                found_red += 1
    return LesionScore(
        lesions=len(circles),
        found=found,
        found_red=found_red,
        marks=n_marks,
        marks_on_lesions=int(on_lesion[1:].sum()),
    )


def polygon_labels(
    shape: tuple[int, int], skin: list[Any], not_skin: list[Any]
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Rasterise hand-drawn polygons (lists of ``[x, y]``) into "skin" and "not skin" masks;
    a pixel in both is dropped from both."""
    yes = np.zeros(shape, dtype=np.uint8)
    no = np.zeros(shape, dtype=np.uint8)
    for poly in skin:
        cv2.fillPoly(yes, [np.asarray(poly, dtype=np.int32)], 1)
    for poly in not_skin:
        cv2.fillPoly(no, [np.asarray(poly, dtype=np.int32)], 1)
    both = (yes > 0) & (no > 0)
    return (yes > 0) & ~both, (no > 0) & ~both


@dataclass(frozen=True)
class MaskScore:
    """A skin mask against labels: pixels of labelled skin and not-skin inside the mask."""

    skin_px: int
    skin_in_mask: int
    not_skin_in_mask: int

    @property
    def precision(self) -> float:
        """Share of the mask's labelled pixels that are labelled skin."""
        inside = self.skin_in_mask + self.not_skin_in_mask
        return self.skin_in_mask / inside if inside else 1.0

    @property
    def coverage(self) -> float:
        """Share of the labelled skin inside the mask."""
        return self.skin_in_mask / self.skin_px if self.skin_px else 0.0


def score_mask(
    mask: NDArray[np.bool_], skin: NDArray[np.bool_], not_skin: NDArray[np.bool_]
) -> MaskScore:
    """Score a skin mask (photo size) against "skin" / "not skin" labels."""
    return MaskScore(
        skin_px=int(skin.sum()),
        skin_in_mask=int((mask & skin).sum()),
        not_skin_in_mask=int((mask & not_skin).sum()),
    )


# --- invariance transforms (8-bit sRGB in, 8-bit sRGB out) ------------------------------------


def _decode(rgb8: NDArray[np.uint8]) -> NDArray[np.float64]:
    x = rgb8.astype(np.float64) / 255.0
    return np.asarray(np.where(x <= 0.04045, x / 12.92, ((x + 0.055) / 1.055) ** 2.4))


def _encode(linear: NDArray[np.float64]) -> NDArray[np.uint8]:
    x = np.clip(linear, 0.0, 1.0)
    enc = np.where(x <= 0.0031308, 12.92 * x, 1.055 * np.power(x, 1 / 2.4) - 0.055)
    return np.asarray(np.round(enc * 255.0), dtype=np.uint8)


def brightness_gradient(
    rgb8: NDArray[np.uint8], *, ratio: float = 1.4, angle_deg: float = 0.0
) -> NDArray[np.uint8]:
    """A smooth light gradient across the photo: a linear ramp of gain (in linear light) whose
    ends differ by ``ratio`` along ``angle_deg`` (0 = left to right, brighter on the right),
    with mean gain 1 over the photo, so the mean brightness is unchanged."""
    h, w = rgb8.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    t = np.cos(np.radians(angle_deg)) * (xx / max(1, w - 1) - 0.5) + np.sin(
        np.radians(angle_deg)
    ) * (yy / max(1, h - 1) - 0.5)
    t = (t - t.min()) / max(1e-9, float(t.max() - t.min()))
    gain = 1.0 + (ratio - 1.0) * t
    gain /= gain.mean()
    return _encode(_decode(rgb8) * gain[..., None])


def colour_cast(rgb8: NDArray[np.uint8], gains: tuple[float, float, float]) -> NDArray[np.uint8]:
    """Multiply each linear channel by a gain (a white-balance error)."""
    return _encode(_decode(rgb8) * np.asarray(gains, dtype=np.float64))


def jpeg_again(rgb8: NDArray[np.uint8], quality: int = 75) -> bytes:
    """The photo saved once more as JPEG at ``quality`` (the file's bytes)."""
    buf = io.BytesIO()
    Image.fromarray(rgb8).save(buf, format="JPEG", quality=quality)
    return buf.getvalue()


def rescale(rgb8: NDArray[np.uint8], factor: float) -> NDArray[np.uint8]:
    """The photo resized by ``factor`` (area averaging when shrinking)."""
    h, w = rgb8.shape[:2]
    size = (max(1, round(w * factor)), max(1, round(h * factor)))
    interp = cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC
    return np.asarray(cv2.resize(rgb8, size, interpolation=interp), dtype=np.uint8)


def crop_centre(rgb8: NDArray[np.uint8], fraction: float) -> NDArray[np.uint8]:
    """The central part of the photo, ``fraction`` of its width and height."""
    h, w = rgb8.shape[:2]
    ch, cw = round(h * fraction), round(w * fraction)
    y0, x0 = (h - ch) // 2, (w - cw) // 2
    return np.ascontiguousarray(rgb8[y0 : y0 + ch, x0 : x0 + cw])
