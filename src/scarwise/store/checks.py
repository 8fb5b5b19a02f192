"""Checks on what enters the store: free text, ids that must exist, treatment ids.

Each check raises before anything is written: bad input is :class:`~scarwise.InvalidInput`, an
unknown person or record :class:`~scarwise.NotFound`, both naming the field.
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.orm import Session

from scarwise.errors import InvalidInput, NotFound, Problem
from scarwise.knowledge.vocabulary import TREATMENT_IDS
from scarwise.store import models as m

__all__ = [
    "MAX_LABEL",
    "MAX_NAME",
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


def require_person(s: Session, person_id: str) -> m.Person:
    """The person's row (:class:`~scarwise.NotFound` if there is none)."""
    return require(s, m.Person, person_id, "person")


def require(s: Session, model: type[_T], id_: str, what: str) -> _T:
    """The row of ``model`` with id ``id_`` (:class:`~scarwise.NotFound` naming ``what``)."""
    row = s.get(model, id_)
    if row is None:
        raise NotFound(
            f"{what}: no {what} with id {id_!r}",
            problems=[Problem(what, f"an existing {what} id", id_)],
        )
    return row
