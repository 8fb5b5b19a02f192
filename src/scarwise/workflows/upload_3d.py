"""Measure scars in 3-D from photos a person just handed in (files on the command line, web
uploads) and, when a person is named, keep the photos and the analysis in their records.

The shells gate the bytes (:mod:`scarwise.intake`) and call :func:`analyze_uploads_3d`, so the
command line, the HTTP API and the web pages check the same inputs, compute the same result and
keep the same records: every photo of the set is kept and linked to the analysis, in order.
Nothing is kept when the inputs are refused or the analysis fails.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy.typing as npt

from scarwise.errors import InvalidInput, Problem
from scarwise.imaging import Analyze3DResult, Encoding, LightSet, check_inputs, parse_lights
from scarwise.intake import Photo
from scarwise.workflows.analysis3d import measure_scars_3d

if TYPE_CHECKING:
    from scarwise.store import Store

__all__ = ["Analyzed3D", "analyze_uploads_3d"]


@dataclass(frozen=True)
class Analyzed3D:
    """A 3-D scar measurement of a photo set, and what was kept (empty when no person was named)."""

    result: Analyze3DResult
    photo_ids: list[str] = field(default_factory=list)
    analysis_id: str | None = None


def analyze_uploads_3d(
    photos: Sequence[Photo],
    names: Sequence[str],
    lights: Any,
    pixel_mm: Any,
    *,
    mask: npt.NDArray[Any] | None = None,
    encoding: Encoding = "auto",
    estimate_brightness: bool | None = None,
    store: Store | None = None,
    person_id: str | None = None,
) -> Analyzed3D:
    """The 3-D scar measurement (``analyze3d/1``, with scale estimates) of gated photos of one
    skin area under different lights; kept when ``store`` and ``person_id`` are given.

    Parameters
    ----------
    photos, names
        The photos in the order of the lights, and the names the lights document may match them
        by (file names or upload names).
    lights
        The parsed lights document (``contracts/imaging.md``): a list of directions or
        ``{"lights": [...]}``.
    pixel_mm
        The size of one pixel on the skin, in mm (checked here, whatever the shell parsed).
    estimate_brightness
        True: estimate the lights' brightness from the photos even when the lights document
        states it (:func:`scarwise.imaging.analyze_scars_3d`).

    Raises
    ------
    NotFound
        ``person_id`` names nobody (checked before the analysis).
    InvalidInput
        Every problem with the set at once: the number and sizes of the photos, the lights, the
        pixel size, the mask.
    """
    if store is not None and person_id is not None:
        store.get_person(person_id)
    problems: list[Problem] = []
    light_set: LightSet | None = None
    try:
        light_set = parse_lights(lights, list(names))
    except InvalidInput as err:  # listed with the other inputs' problems
        problems.extend(err.problems)
    problems.extend(check_inputs([p.size_px for p in photos], light_set, pixel_mm, mask))
    if problems or light_set is None:
        raise InvalidInput(problems=problems)
    result = measure_scars_3d(
        photos,
        light_set,
        float(pixel_mm),
        mask=mask,
        encoding=encoding,
        estimate_brightness=estimate_brightness,
    )
    if store is None or person_id is None:
        return Analyzed3D(result)
    saved = store.add_gated_photos(person_id, photos).photos
    ids = [p.id for p in saved]
    analysis = store.record_analysis(person_id, result.to_json_dict(), photo_ids=ids)
    return Analyzed3D(result, ids, analysis.analysis.id)
