"""Checks on what enters the store: free text, dates, numbers, JSON documents, ids that must
exist, treatment ids.

Each check raises before anything is written: bad input is :class:`~scarwise.InvalidInput`, an
unknown person or record :class:`~scarwise.NotFound`, both naming the field. The same checks
guard the command line, the web app and an import, so SQLite and PostgreSQL refuse the same
values with the same message (PostgreSQL's ``json`` has no NaN and its ``integer`` 32 bits;
SQLite would keep either).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date, datetime
from itertools import islice
from typing import Any, Final, TypeVar

from sqlalchemy.orm import Session

from scarwise.errors import InvalidInput, NotFound, Problem
from scarwise.knowledge.vocabulary import TREATMENT_IDS
from scarwise.store import models as m
from scarwise.tracking.dates import parse_when

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "MAX_LABEL",
    "MAX_NAME",
    "MAX_NOTE",
    "MAX_SCORE",
    "checked_when",
    "date_problems",
    "json_problems",
    "known_treatments",
    "require",
    "require_person",
    "text",
    "treatment_problems",
]

_T = TypeVar("_T")

#: Longest name, rater or provider, in characters.
MAX_NAME = 200
#: Longest short label (region, software or knowledge-base version), in characters.
MAX_LABEL = 40
#: Longest note (a note, a session's or a regimen item's notes), in characters.
MAX_NOTE = 10_000
#: Largest score or scale maximum kept (scales score far below; PostgreSQL's integer is 32-bit).
MAX_SCORE: Final = 1_000_000
#: The years a date may fall in: scarwise records treatments, so neither antiquity nor far
#: futures (year 1 or 9999 shifted by an offset is not even a valid date-time).
FIRST_YEAR: Final = 1900
LAST_YEAR: Final = 2199
_EXPECTED_YEARS = f"a date from {FIRST_YEAR}-01-01 to {LAST_YEAR}-12-31"
_MAX_JSON_DEPTH: Final = 64

_KNOWN_TREATMENTS = frozenset(TREATMENT_IDS)


def known_treatments() -> frozenset[str]:
    """The treatment ids of the knowledge base (``contracts/treatments.txt``).

    The knowledge base's loader refuses data whose treatments are not exactly this vocabulary,
    so the ids are known without loading the YAML files.
    """
    return _KNOWN_TREATMENTS


def treatment_problems(treatment: str) -> list[Problem]:
    """No problem for a known treatment id, else one naming the ``treatment`` field."""
    if treatment in _KNOWN_TREATMENTS:
        return []
    return [
        Problem(
            "treatment",
            "a treatment id from the knowledge base (see contracts/treatments.txt)",
            treatment,
        )
    ]


def checked_when(value: str | date | datetime, field_name: str = "date") -> datetime:
    """``value`` as an aware UTC date-time within the years the store keeps.

    Raises
    ------
    InvalidInput
        Not ISO 8601, no UTC offset, or outside :data:`FIRST_YEAR` to :data:`LAST_YEAR`.
    """
    try:
        when = parse_when(value, field=field_name)
    except OverflowError as err:  # year 1 or 9999 moved past the calendar by its offset
        raise InvalidInput(problems=[Problem(field_name, _EXPECTED_YEARS, str(value))]) from err
    problems = date_problems(when, field_name)
    if problems:
        raise InvalidInput(problems=problems)
    return when


def date_problems(when: datetime | None, field_name: str) -> list[Problem]:
    """One problem if ``when`` is outside :data:`FIRST_YEAR` to :data:`LAST_YEAR`."""
    if when is None or FIRST_YEAR <= when.year <= LAST_YEAR:
        return []
    return [Problem(field_name, _EXPECTED_YEARS, when.isoformat())]


def json_problems(value: Any, field_name: str) -> list[Problem]:
    """Problems that keep a JSON document out of the store: NaN or infinite numbers, integers
    beyond 64 bits, keys that are not text, anything JSON cannot hold, nesting deeper than 64."""
    return list(islice(_json_problems(value, field_name, 0), 20))


def _json_problems(value: Any, where: str, depth: int) -> Iterator[Problem]:
    if depth > _MAX_JSON_DEPTH:
        yield Problem(where, f"JSON nested at most {_MAX_JSON_DEPTH} levels deep", "deeper")
    elif isinstance(value, bool) or value is None or isinstance(value, str):
        return
    elif isinstance(value, int):
        if abs(value) > 2**63 - 1:
            yield Problem(where, "an integer within 64 bits", str(value)[:40])
    elif isinstance(value, float):
        if not math.isfinite(value):
            yield Problem(where, "a finite number (JSON has no NaN or Infinity)", repr(value))
    elif isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                yield Problem(where, "an object with text keys", repr(key)[:40])
            else:
                yield from _json_problems(item, f"{where}.{key}", depth + 1)
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _json_problems(item, f"{where}.{i}", depth + 1)
    else:
        yield Problem(where, "a JSON value", type(value).__name__)


def text(
    value: str | None, field_name: str, *, required: bool = False, limit: int = MAX_NAME
) -> str | None:
    """``value`` stripped; None for blank text unless ``required``; refused when over ``limit``."""
    if value is None:
        if required:
            raise InvalidInput(problems=[Problem(field_name, "a non-empty text", None)])
        return None
    clean = value.strip()
    if not clean:
        if required:
            raise InvalidInput(problems=[Problem(field_name, "a non-empty text", value)])
        return None
    if len(clean) > limit or "\x00" in clean:
        raise InvalidInput(
            problems=[
                Problem(
                    field_name, f"text of at most {limit} characters", f"{len(clean)} characters"
                )
            ]
        )
    return clean


def require_person(s: Session, person_id: str, *, lock: bool = False) -> m.Person:
    """The person's row (:class:`~scarwise.NotFound` if there is none); ``lock`` holds it for
    the transaction (``FOR UPDATE`` on PostgreSQL)."""
    return require(s, m.Person, person_id, "person", lock=lock)


def require(s: Session, model: type[_T], id_: str, what: str, *, lock: bool = False) -> _T:
    """The row of ``model`` with id ``id_`` (:class:`~scarwise.NotFound` naming ``what``)."""
    row = s.get(model, id_, with_for_update=lock)
    if row is None:
        raise NotFound(
            f"{what}: no {what} with id {id_!r}",
            problems=[Problem(what, f"an existing {what} id", id_)],
        )
    return row
