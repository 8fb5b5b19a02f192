"""Analyse the colour of one photo a person just handed in (a file on the command line, a web
upload) and, when a person is named, keep the photo and the analysis in their records.

The shells gate the bytes (:mod:`scarwise.intake`) and call :func:`analyze_upload`, so the command
line, the HTTP API and the web pages compute the same result and keep the same records. Nothing
is kept when the analysis fails.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy.typing as npt

from scarwise.imaging import AnalyzeResult, analyze_photo
from scarwise.intake import Photo

if TYPE_CHECKING:
    from scarwise.store import Store

__all__ = ["Analyzed", "analyze_upload"]


@dataclass(frozen=True)
class Analyzed:
    """A colour analysis of one photo, and what was kept (empty when no person was named)."""

    result: AnalyzeResult
    photo_ids: list[str] = field(default_factory=list)
    analysis_id: str | None = None

    @property
    def skin_mask(self) -> npt.NDArray[Any]:
        """The analysed skin, ``H x W`` uint8 of the photo's size (255 = skin)."""
        mask: npt.NDArray[Any] = self.result.skin_mask()
        return mask


def analyze_upload(
    photo: Photo,
    *,
    region: Literal["auto", "face", "full"] = "auto",
    pixel_mm: float | None = None,
    store: Store | None = None,
    person_id: str | None = None,
) -> Analyzed:
    """The colour analysis (``analyze/1``) of one gated photo; kept with the photo when
    ``store`` and ``person_id`` are given.

    Raises
    ------
    NotFound
        ``person_id`` names nobody (checked before the analysis).
    InvalidInput
        The photo cannot be analysed (e.g. no skin in it).
    """
    if store is not None and person_id is not None:
        store.get_person(person_id)
    result = analyze_photo(photo, region=region, pixel_mm=pixel_mm)
    if store is None or person_id is None:
        return Analyzed(result)
    saved = store.add_gated_photos(person_id, [photo]).photos
    ids = [p.id for p in saved]
    analysis = store.record_analysis(person_id, result.to_json_dict(), photo_ids=ids)
    return Analyzed(result, ids, analysis.analysis.id)
