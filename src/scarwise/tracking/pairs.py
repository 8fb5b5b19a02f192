"""Before/after photo pairs: the first and the last photo of each body region.

A progress report shows how a region looked at the start and how it looks now; photos without a
region are grouped as ``unspecified``. Photos taken at the same instant are ordered by id, so the
pairs never change between two runs.
"""

from __future__ import annotations

from scarwise.tracking.models import PersonRecords, PhotoRecord

__all__ = ["photo_pairs"]


def photo_pairs(records: PersonRecords) -> list[tuple[str, PhotoRecord, PhotoRecord]]:
    """``(region, first, last)`` for each region with two or more photos, regions sorted by name."""
    by_region: dict[str, list[PhotoRecord]] = {}
    for photo in records.photos:
        by_region.setdefault(photo.region or "unspecified", []).append(photo)
    pairs = []
    for region, photos in sorted(by_region.items()):
        ordered = sorted(photos, key=lambda p: (p.date, p.id))
        if len(ordered) >= 2:
            pairs.append((region, ordered[0], ordered[-1]))
    return pairs
