"""Photos that moved between shots: found, and moved back when they only shifted.

Photos under different lights look different, so one photo is not compared with another but
with what the other photos predict it looks like: the normals and albedo solved from the
others, lit by its own light (leave-one-out). A photo that moved is shifted against its own
prediction, which phase correlation measures to a fraction of a pixel (Kuglin & Hines 1975).
The photo with the largest shift is moved back and the others measured again, until none is
shifted by more than :data:`MAX_STILL_PX`. Shifts are measured on the reduced stack and
refined at full resolution on a window of the photos.

A photo shifted by more than :data:`MAX_SHIFT` of the picture, or whose shift does not go away
when moved back (it turned, or the skin moved under the camera), cannot be used: the set is
refused with what to fix.

References
----------
Kuglin CD, Hines DC. The phase correlation image alignment method. Proc IEEE Int Conf
Cybernetics and Society 1975:163-5 [M]
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np
import numpy.typing as npt

from scarwise.imaging.relief.region import reduce_stack

__all__ = ["MAX_SHIFT", "MAX_STILL_PX", "Registration", "register_photos"]

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]

#: A photo shifted by more than this (full-resolution pixels) against its prediction moved.
MAX_STILL_PX = 0.75
#: A photo already moved back is moved again while shifted by more than this (pixels).
FINE_PX = 0.2
#: Largest shift moved back, as a share of the picture's smaller side.
MAX_SHIFT = 0.05
#: Side of the full-resolution window the shifts are refined on, in pixels.
REFINE_SIDE = 1024
#: Times one photo is moved back before it is taken as turned or deformed.
MAX_TRIES = 3
#: Moving a photo back must make the set fit this much better (share of the photos' squared
#: differences from their predictions), or its apparent shift is taken as the photos'
#: disagreement, not a movement.
MIN_GAIN = 0.05
#: Largest photo count for the exact leave-one-out prediction.
LOO_MAX = 16
#: Photos tried per round (the most shifted first).
MAX_CANDIDATES = 4
#: Fewest photos for the leave-one-out prediction (3 for the others' components, plus one).
MIN_LIGHTS = 4


@dataclass(frozen=True)
class Registration:
    """Shifts found (``(dx, dy)`` in full-resolution pixels, per photo) and what was done.

    ``moved`` lists the photos moved back; ``failed`` those that could not be aligned (the set
    is then refused by the caller).
    """

    shifts: list[tuple[float, float]]
    moved: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def _predictions(stack: F32) -> F32:
    """Each photo as the other photos predict it (``k x h x w``), lights and brightness unknown.

    The photos of a Lambertian surface span three dimensions (Hayakawa 1994): the three leading
    components of the other photos, mixed to fit the photo best, predict it. The components of
    the others come from the Gram matrix of all the photos less the photo's row and column.
    """
    k, h, w = stack.shape
    flat = stack.reshape(k, -1)
    gram = (flat.astype(np.float64) @ flat.T.astype(np.float64)) if k <= LOO_MAX else None
    out = np.empty_like(stack)
    whole = None
    for i in range(k):
        others = [j for j in range(k) if j != i]
        if gram is not None:
            vals, vecs = np.linalg.eigh(gram[np.ix_(others, others)])
            basis = (vecs[:, -3:].T / np.sqrt(np.maximum(vals[-3:], 1e-18))[:, None]).astype(
                np.float32
            ) @ flat[others]
        else:  # many photos: one photo barely moves the components of all of them
            if whole is None:
                vals, vecs = np.linalg.eigh(flat.astype(np.float64) @ flat.T.astype(np.float64))
                whole = (vecs[:, -3:].T / np.sqrt(np.maximum(vals[-3:], 1e-18))[:, None]).astype(
                    np.float32
                ) @ flat
            basis = whole
        # the basis rows are orthonormal (scaled eigenvectors of the Gram matrix): the least
        # squares mix is a projection
        coef = (basis @ flat[i]).astype(np.float32)
        out[i] = (coef @ basis).reshape(h, w)
    return np.maximum(out, 0.0)


def _prediction_of(stack: F32, i: int) -> F32:
    """Photo ``i`` as the other photos predict it (one photo of :func:`_predictions`)."""
    k, h, w = stack.shape
    flat = stack.reshape(k, -1)
    others = flat[[j for j in range(k) if j != i]]
    vals, vecs = np.linalg.eigh((others @ others.T).astype(np.float64))
    basis = (vecs[:, -3:].T / np.sqrt(np.maximum(vals[-3:], 1e-18))[:, None]).astype(
        np.float32
    ) @ others
    coef = (basis @ flat[i]).astype(np.float32)
    return np.asarray(np.maximum(coef @ basis, 0.0).reshape(h, w), dtype=np.float32)


def _shift_of(photo: F32, predicted: F32) -> tuple[float, float]:
    """Shift ``(dx, dy)`` of ``photo`` against ``predicted`` (phase correlation, sub-pixel)."""
    h, w = photo.shape
    window = cv2.createHanningWindow((w, h), cv2.CV_32F)
    (dx, dy), _response = cv2.phaseCorrelate(
        np.ascontiguousarray(predicted, dtype=np.float32),
        np.ascontiguousarray(photo, dtype=np.float32),
        window,
    )
    return float(dx), float(dy)


def _moved(image: F32, dx: float, dy: float) -> F32:
    """``image`` shifted by ``(-dx, -dy)`` (moved back), edges repeated."""
    h, w = image.shape
    m = np.array([[1.0, 0.0, -dx], [0.0, 1.0, -dy]], dtype=np.float32)
    out = cv2.warpAffine(image, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return np.asarray(out, dtype=np.float32)


def _window(shape: tuple[int, int]) -> tuple[slice, slice]:
    h, w = shape
    sh, sw = min(h, REFINE_SIDE), min(w, REFINE_SIDE)
    r0, c0 = (h - sh) // 2, (w - sw) // 2
    return slice(r0, r0 + sh), slice(c0, c0 + sw)


def register_photos(stack: F32, *, max_pixels: int = 1 << 19) -> Registration:
    """Find photos that moved and move them back, in place in ``stack``.

    Parameters
    ----------
    stack
        ``k x H x W`` linear photos (changed in place for the photos moved back).
    max_pixels
        Pixels of the reduced photos the shifts are measured on (fewer for many photos, so the
        measurement costs about the same for any count).

    Returns
    -------
    Registration
    """
    k, height, width = stack.shape
    shifts = [(0.0, 0.0)] * k
    if k < MIN_LIGHTS:
        return Registration(shifts)
    budget = min(max_pixels, max(1 << 14, (1 << 22) // k))
    small, factor = reduce_stack(stack, budget)
    small = small.copy() if small is stack else small
    limit = MAX_SHIFT * min(height, width)
    tries = [0] * k
    still: set[int] = set()
    failed: list[int] = []
    rows, cols = _window((height, width))
    for _round in range(2 * k):
        predicted = _predictions(small)
        found = [_shift_of(small[i], predicted[i]) for i in range(k)]
        size = [float(np.hypot(dx, dy)) * factor for dx, dy in found]
        # photos shifted beyond the still level; one already moved back is refined further
        # below a third of a reduced pixel a shift is the measurement's noise
        still_px = max(MAX_STILL_PX, factor / 3.0)
        candidates = sorted(
            (
                i
                for i in range(k)
                if i not in still
                and tries[i] < MAX_TRIES
                and (size[i] > still_px or (tries[i] > 0 and size[i] > FINE_PX))
            ),
            key=lambda i: -size[i],
        )
        # the photo whose move back makes the whole set fit best (a photo next to a moved one
        # looks shifted too, against a prediction the moved one spoils)
        before = _set_misfit(small)
        accepted = None
        best = (1.0 - MIN_GAIN) * before
        for i in candidates[:MAX_CANDIDATES]:
            sx, sy = found[i]
            trial = small.copy()
            trial[i] = _moved(small[i], sx, sy)
            after = _set_misfit(trial, margin=(sx, sy))
            if after >= (1.0 - MIN_GAIN) * before:
                still.add(i)  # its "shift" is the photos' disagreement, not a movement
            elif after < best:
                best, accepted = after, (i, sx * factor, sy * factor)
        if accepted is None:
            break
        still.discard(accepted[0])
        i = accepted[0]
        dx, dy = _refined(stack, i, rows, cols, found[i], factor)
        tries[i] += 1
        total = (shifts[i][0] + dx, shifts[i][1] + dy)
        shifts[i] = total
        if np.hypot(*total) > limit:
            failed.append(i)
            break
        stack[i] = _moved(stack[i], dx, dy)
        small[i] = _moved(small[i], dx / factor, dy / factor)
    moved = [i for i in range(k) if tries[i] > 0 and i not in failed]
    return Registration(shifts, moved=moved, failed=failed)


def _refined(
    stack: F32,
    i: int,
    rows: slice,
    cols: slice,
    coarse: tuple[float, float],
    factor: int,
) -> tuple[float, float]:
    """The shift of photo ``i`` measured at full resolution on the central window (or the
    coarse one scaled up, when the window shows none)."""
    part = stack[:, rows, cols]
    pred = _prediction_of(part, i)
    dx, dy = _shift_of(part[i], pred)
    if np.hypot(dx, dy) <= FINE_PX:
        return coarse[0] * factor, coarse[1] * factor
    return dx, dy


def _set_misfit(small: F32, margin: tuple[float, float] = (0.0, 0.0)) -> float:
    """Energy of the photos outside their best 3-dimensional fit, away from the edges
    (``margin`` pixels more on each side, where a moved photo repeats its edge)."""
    k, h, w = small.shape
    mx = int(np.ceil(abs(margin[0]))) + 2 + max(2, w // 50)
    my = int(np.ceil(abs(margin[1]))) + 2 + max(2, h // 50)
    if 2 * mx >= w or 2 * my >= h:
        return float("inf")
    inner = small[:, my : h - my, mx : w - mx].reshape(k, -1).astype(np.float64)
    vals = np.linalg.eigvalsh(inner @ inner.T)
    return float(max(vals[:-3].sum(), 0.0))
