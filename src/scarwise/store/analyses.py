"""Analyses: an ``analyze/1`` or ``analyze3d/1`` result kept whole, linked to its photos.

The store keeps results; running an analysis on stored photos and keeping it is the workflow
:mod:`scarwise.workflows.photos`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from scarwise.errors import InvalidInput, NotFound, Problem
from scarwise.store import models as m
from scarwise.store.base import StoreBase, When
from scarwise.store.checks import MAX_LABEL, json_problems, require_person
from scarwise.store.rows import analysis_record
from scarwise.tracking.models import AnalysisResult

__all__ = ["record_analysis"]

_KINDS = {"analyze/1": "analyze", "analyze3d/1": "analyze3d"}


def record_analysis(
    store: StoreBase,
    person_id: str,
    result: Mapping[str, Any],
    *,
    photo_ids: Sequence[str] = (),
    date: When = None,
) -> AnalysisResult:
    """Keep an ``analyze/1`` or ``analyze3d/1`` result (as ``--json`` prints it).

    ``photo_ids`` (photos of this person) are linked to it in the given order.
    """
    schema = result.get("schema")
    if schema not in _KINDS:
        raise InvalidInput(problems=[Problem("result.schema", "analyze/1 or analyze3d/1", schema)])
    version = result.get("scarwise_version")
    if not isinstance(version, str) or not version:
        raise InvalidInput(
            problems=[Problem("result.scarwise_version", "a version string", version)]
        )
    problems = json_problems(dict(result), "result")
    if problems:
        raise InvalidInput(problems=problems)
    when = store.when(date)
    row = m.Analysis(
        id=store.new_id(),
        person_id=person_id,
        occurred_at=when,
        kind=_KINDS[str(schema)],
        software_version=version[:MAX_LABEL],
        result=dict(result),
    )
    with store.writing() as s:
        require_person(s, person_id)
        missing = [
            p for p in photo_ids if (ph := s.get(m.Photo, p)) is None or ph.person_id != person_id
        ]
        if missing:
            raise NotFound(
                problems=[Problem("photo", "a photo of this person", p) for p in missing]
            )
        s.add(row)
        s.flush()
        s.add_all(
            m.AnalysisPhoto(analysis_id=row.id, photo_id=p, position=i)
            for i, p in enumerate(photo_ids)
        )
    return AnalysisResult(analysis=analysis_record(row, list(photo_ids)))
