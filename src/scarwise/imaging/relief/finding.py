"""Atrophic scars found on a height map: candidates, split into single scars, measured, typed.

A first smooth surface for the whole patch (:mod:`~scarwise.imaging.relief.surface`) proposes
candidate regions deeper than ``CANDIDATE_MM``; each region is split into single scars
(:mod:`~scarwise.imaging.relief.splitting`), each scar measured against its own ring-fitted
surface (:mod:`~scarwise.imaging.relief.ring_fit`, :mod:`~scarwise.imaging.relief.measuring`)
and typed (:mod:`~scarwise.imaging.relief.scar_types`). Regions are independent, so they are
worked on in a small thread pool.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt
from scipy import ndimage as ndi

from scarwise.imaging.relief.boxes import (
    Box,
    box_inside,
    box_window,
    component_at,
    grow_box,
    place_mask,
    tight_box,
)
from scarwise.imaging.relief.measuring import (
    CANDIDATE_MM,
    MAX_DIAMETER_MM,
    MIN_DEPTH_MM,
    MIN_DIAMETER_MM,
    ScarMeasurement,
)
from scarwise.imaging.relief.models import ScarType
from scarwise.imaging.relief.ring_fit import Basin, measure_against_ring
from scarwise.imaging.relief.scar_types import classify_scar
from scarwise.imaging.relief.smoothing import gaussian
from scarwise.imaging.relief.splitting import split_region
from scarwise.imaging.relief.surface import surrounding_surface

__all__ = ["REGION_THREADS", "ScarsFound", "find_scars"]

F32 = npt.NDArray[np.float32]
Bool = npt.NDArray[np.bool_]

#: Threads the candidate regions of a height map are split and measured on (1: no pool).
REGION_THREADS = 2


@dataclass(frozen=True)
class ScarsFound:
    """Scars found on a height map, with their types, and the patch's smooth surface."""

    scars: list[ScarMeasurement]
    types: list[ScarType]
    surface_mm: F32


def find_scars(height_mm: F32, pixel_mm: float, mask: Bool | None = None) -> ScarsFound:
    """Find, measure and type every atrophic scar on a height map (mm, z towards the camera).

    Parameters
    ----------
    height_mm
        ``H x W`` float32 height map, any offset.
    pixel_mm
        Pixel size on the skin.
    mask
        Pixels to analyse (default all).
    """
    height = height_mm.astype(np.float32, copy=False)
    valid = None if mask is None else np.asarray(mask, dtype=bool)
    surface = surrounding_surface(height, pixel_mm, valid)
    d0 = surface - height
    cand = d0 > CANDIDATE_MM
    if valid is not None:
        cand &= valid
    # labels without cv2's statistics (much slower); boxes from ndimage, areas per box below
    _n, labels_any = cv2.connectedComponents(cand.view(np.uint8), connectivity=8, ltype=cv2.CV_32S)
    labels = np.asarray(labels_any, dtype=np.int32)
    del cand
    min_area_px = 0.5 * np.pi * (MIN_DIAMETER_MM / 2 / pixel_mm) ** 2
    regions = []
    for lab, box in enumerate(ndi.find_objects(labels), start=1):
        if box is None:
            continue
        comp = labels[box] == lab
        area = int(comp.sum())
        if area >= min_area_px and float(d0[box][comp].max()) >= 0.7 * MIN_DEPTH_MM:
            regions.append((box, comp, area))
    scene = _Scene(height, d0, labels, valid, pixel_mm)
    scars = [m for found in _map_regions(scene, regions) for m in found]
    scars.sort(key=lambda s: (s.centroid_px[1], s.centroid_px[0]))
    return ScarsFound(scars=scars, types=[classify_scar(s) for s in scars], surface_mm=surface)


@dataclass(frozen=True)
class _Scene:
    """What every candidate region of :func:`find_scars` reads (never writes)."""

    height: F32
    d0: F32
    labels: npt.NDArray[np.int32]
    valid: Bool | None
    pixel_mm: float


def _map_regions(
    scene: _Scene, regions: Sequence[tuple[Box, Bool, int]]
) -> list[list[ScarMeasurement]]:
    """:func:`_region_scars` of every region, in order; larger boxes first, on threads.

    The regions are independent and their work is numpy, OpenCV and scikit-image calls that
    mostly release the GIL, so two threads shorten the whole analysis on two cores.
    """
    if REGION_THREADS <= 1 or len(regions) < 2:
        return [_region_scars(scene, *r) for r in regions]
    size = [(b[0].stop - b[0].start) * (b[1].stop - b[1].start) for b, _c, _a in regions]
    order = sorted(range(len(regions)), key=lambda i: -size[i])
    with ThreadPoolExecutor(REGION_THREADS) as pool:
        futures = {i: pool.submit(_region_scars, scene, *regions[i]) for i in order}
        return [futures[i].result() for i in range(len(regions))]


def _region_scars(scene: _Scene, box: Box, comp: Bool, area: int) -> list[ScarMeasurement]:
    """The scars of one candidate region ``comp`` (at ``box``): split, then each basin measured."""
    height, pixel_mm = scene.height, scene.pixel_mm
    y, x = box[0].start, box[1].start
    h, w = box[0].stop - y, box[1].stop - x
    req = float(np.sqrt(area / np.pi))
    margin = round(1.5 * req) + round(1.0 / pixel_mm) + 8
    window = box_window(height.shape, y, y + h, x, x + w, margin)
    d_s = _smoothed(scene.d0, box, window, 1.0)
    scars = []
    for basin_box, basin in split_region(d_s, comp, box, window, pixel_mm):
        around = Basin(scene.labels, basin, basin_box, scene.valid)
        # start from the basin's core: a watershed basin can take in broad shallow ground
        d_b = d_s[box_inside(basin_box, box)]
        peak = float(d_b[basin].max())
        strong = basin & (d_b > 0.3 * peak)
        top = np.unravel_index(int(np.where(basin, d_b, -np.inf).argmax()), d_b.shape)
        found = component_at(strong, (int(top[0]), int(top[1])), basin_box)
        if found is None:  # no positive peak: the old labelling's background (in the box)
            found = tight_box(~place_mask(strong, basin_box, box), box)
        core_box, core = found
        m = measure_against_ring(height, core, core_box, around, pixel_mm, window)
        if m is None or m.depth_mm < MIN_DEPTH_MM or m.diameter_mm < MIN_DIAMETER_MM:
            continue
        if m.diameter_mm > MAX_DIAMETER_MM:
            continue  # the shape of the face or body, not a scar
        scars.append(m)
    return scars


def _smoothed(image: F32, box: Box, window: Box, sigma: float) -> F32:
    """:func:`~scarwise.imaging.relief.smoothing.gaussian` of ``image[window]``, on ``box`` only.

    The filter reaches ``int(4 * sigma + 0.5)`` pixels, so filtering the box widened by that much
    (within the window, whose own sides are the filter's boundary) gives the same values.
    """
    wide = grow_box(box, int(4.0 * sigma + 0.5), window)
    return gaussian(image[wide], sigma)[box_inside(box, wide)]
