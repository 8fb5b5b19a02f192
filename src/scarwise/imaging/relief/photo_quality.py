"""Photos of a multi-light set that cannot all be used: repeated, clipped or left in the dark.

* **The same photo twice** (the same file given twice, or the light not moved): two photos that
  differ by less than :data:`SAME_PHOTO` (relative, after matching their brightness) carry one
  light direction, not two.
* **Saturated or shadowed majorities**: a photo whose light clipped most of the skin at white,
  or left most of it in shadow (the light off, blocked or behind the skin), constrains little.

Each is reported per photo; when fewer than three usable, different photos remain, nothing can
be computed and the set is refused (:class:`~scarwise.errors.InvalidInput`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np
import numpy.typing as npt

from scarwise.errors import Problem
from scarwise.imaging.relief.region import SATURATED

__all__ = ["MAJORITY", "SAME_PHOTO", "PhotoQuality", "photo_quality"]

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]

#: Two photos differing by less than this (relative RMS, brightness matched) are the same photo.
SAME_PHOTO = 0.003
#: Share of the analysed pixels above which a photo is "mostly" saturated or shadowed.
MAJORITY = 0.5
#: An observation below this share of the pixel's brightest is in shadow.
SHADOW = 0.05
#: Two lights closer than this (degrees) may well give the same photo.
SAME_LIGHT_DEG = 5.0
#: Pixels the photos are compared on.
COMPARE_PIXELS = 1 << 16


@dataclass(frozen=True)
class PhotoQuality:
    """What the photos' quality allows: warnings, and the problems that leave nothing to compute."""

    warnings: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _same_groups(small: F32, inside: Bool | None) -> list[list[int]]:
    """Groups (of two or more) of photos that are the same photo, on a reduced copy."""
    k, h, w = small.shape
    f = max(1, int(np.ceil(np.sqrt(h * w / COMPARE_PIXELS))))
    hs, ws = max(1, h // f), max(1, w // f)
    rows = []
    for i in range(k):
        a = small[i, : hs * f, : ws * f]
        rows.append(cv2.resize(a, (ws, hs), interpolation=cv2.INTER_AREA).reshape(-1))
    x = np.stack(rows).astype(np.float64)
    if inside is not None:
        m = cv2.resize(
            inside[: hs * f, : ws * f].astype(np.float32), (ws, hs), interpolation=cv2.INTER_AREA
        ).reshape(-1)
        x = x[:, m > 0.5] if (m > 0.5).any() else x
    gram = x @ x.T
    norm2 = np.maximum(np.diag(gram), 1e-18)
    # relative residual of the best scaled match: 1 - cos^2
    cos2 = gram * gram / np.outer(norm2, norm2)
    differ = np.sqrt(np.clip(1.0 - cos2, 0.0, None))
    groups: list[list[int]] = []
    seen: set[int] = set()
    for i in range(k):
        if i in seen:
            continue
        same = [j for j in range(k) if j not in seen and differ[i, j] < SAME_PHOTO]
        if len(same) > 1:
            groups.append(same)
            seen.update(same)
    return groups


def _angle_deg(a: F64, b: F64) -> float:
    cos = float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))
    return float(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))


def photo_quality(small: F32, directions: F64, inside: Bool | None = None) -> PhotoQuality:
    """Repeated photos and saturated or shadowed majorities in a (reduced) linear stack.

    Parameters
    ----------
    small
        ``k x h x w`` linear luminance (:func:`~scarwise.imaging.relief.region.reduce_stack`).
    directions
        ``k x 3`` light directions, in the order of the photos.
    inside
        The pixels to judge (the mask), default all.
    """
    k = small.shape[0]
    warnings: list[str] = []
    problems: list[Problem] = []
    groups = _same_groups(small, inside)
    for group in groups:
        spread = max(_angle_deg(directions[i], directions[j]) for i in group for j in group)
        listed = ", ".join(f"images[{i}]" for i in group)
        if spread > SAME_LIGHT_DEG:
            warnings.append(
                f"{listed} are the same photo although their lights differ by up to "
                f"{spread:.0f} degrees: one of them is probably the wrong file"
            )
        else:
            warnings.append(f"{listed} are the same photo: one light direction counts once")
    distinct = k - sum(len(g) - 1 for g in groups)
    obs = small.reshape(k, -1)
    if inside is not None and inside.any():
        obs = obs[:, inside.reshape(-1)]
    top = obs.max(axis=0)
    lit_any = top > 0
    unusable: set[int] = set()
    for i in range(k):
        n = max(int(lit_any.sum()), 1)
        saturated = float((obs[i] >= SATURATED).sum()) / n
        dark = float(((obs[i] < SHADOW * top) & lit_any).sum()) / n
        if saturated > MAJORITY:
            warnings.append(
                f"images[{i}]: {100 * saturated:.0f} % of the analysed pixels are saturated "
                "(clipped at white): lower the exposure or the light"
            )
            unusable.add(i)
        elif dark > MAJORITY:
            warnings.append(
                f"images[{i}]: {100 * dark:.0f} % of the analysed pixels are in shadow: the "
                "light was off, blocked or behind the skin; move it in front of the skin"
            )
            unusable.add(i)
    if distinct < 3:
        problems.append(
            Problem(
                "images",
                "photos lit from 3 or more different directions",
                "all the photos are the same" if distinct == 1 else "only 2 different photos",
            )
        )
    elif k - len(unusable) < 3:
        problems.append(
            Problem(
                "images",
                "3 or more photos neither mostly saturated nor mostly in shadow",
                f"{k - len(unusable)} usable of {k}",
            )
        )
    return PhotoQuality(warnings=warnings, problems=problems)
