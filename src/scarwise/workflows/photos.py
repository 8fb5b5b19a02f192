"""Analyse stored photos and keep the result: the colour analysis of one photo, or the 3-D scar
measurement of a multi-light set (every photo of the set linked to the analysis).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from scarwise.errors import NotFound, Problem
from scarwise.imaging import analyze_photo, parse_lights
from scarwise.intake import read_photo
from scarwise.store import Store
from scarwise.tracking.models import AnalysisResult, PhotoRecord
from scarwise.workflows.analysis3d import measure_scars_3d

__all__ = ["analyze_stored_photo", "analyze_stored_photos_3d"]


def analyze_stored_photo(
    store: Store,
    person_id: str,
    photo_id: str,
    *,
    region: str = "auto",
    pixel_mm: float | None = None,
) -> AnalysisResult:
    """Run the colour analysis (``analyze/1``) on a stored photo and keep the result, dated with
    the photo's date.

    Raises
    ------
    NotFound
        No such photo, or it is not this person's.
    """
    (record,) = _photos_of(store, person_id, [photo_id])
    photo = read_photo(store.photos.read(record.sha256), name=photo_id)
    result = analyze_photo(photo, region=region, pixel_mm=pixel_mm)
    return store.record_analysis(
        person_id, result.to_json_dict(), photo_ids=[photo_id], date=record.date
    )


def analyze_stored_photos_3d(
    store: Store,
    person_id: str,
    photo_ids: Sequence[str],
    lights: Any,
    pixel_mm: float,
    *,
    encoding: Literal["auto", "linear", "srgb"] = "auto",
) -> AnalysisResult:
    """Run the multi-light 3-D scar measurement (``analyze3d/1``) on stored photos and keep it.

    ``lights`` is the ``--lights`` document of ``contracts/imaging.md``; when it names images,
    the names are the photo ids. Every photo is linked to the analysis, in the given order; the
    result is dated with the last photo's date.

    Raises
    ------
    NotFound
        A photo that does not exist or is not this person's.
    InvalidInput
        Fewer than three photos, or lights that do not fit them.
    """
    records = _photos_of(store, person_id, photo_ids)
    light_set = parse_lights(lights, list(photo_ids))
    photos = [read_photo(store.photos.read(r.sha256), name=r.id) for r in records]
    result = measure_scars_3d(photos, light_set, pixel_mm, encoding=encoding)
    return store.record_analysis(
        person_id,
        result.to_json_dict(),
        photo_ids=list(photo_ids),
        date=max(r.date for r in records) if records else None,
    )


def _photos_of(store: Store, person_id: str, photo_ids: Sequence[str]) -> list[PhotoRecord]:
    """The records of ``photo_ids`` (:class:`~scarwise.NotFound` for any not this person's)."""
    records = [store.photo(p) for p in photo_ids]
    foreign = [r.id for r in records if r.person_id != person_id]
    if foreign:
        raise NotFound(problems=[Problem("photo", "a photo of this person", p) for p in foreign])
    return records
