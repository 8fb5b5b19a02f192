"""``scarwise-export.json``: the document of an export, and reading an untrusted one.

:func:`read_document` takes the document's bytes from an archive nobody vouches for and gives
back an :class:`ExportDocument` only if all of it is acceptable:

1. the JSON gate (:func:`scarwise.intake.read_json`): size, nesting depth and number of values
   within :data:`DOCUMENT_LIMITS`, no NaN or infinity, no integer beyond 64 bits;
2. the schema: ``scarwise-export/1`` (a newer one is a :class:`~scarwise.errors.UsageError`
   saying to upgrade);
3. strict validation of every record from the JSON text: a date is an ISO 8601 string with an
   offset and never a number (lax validation would read ``1700000000`` as a date in 2023),
   integers are integers;
4. what the command line would refuse too (:func:`document_problems`): records of another
   person, unknown treatments and frequencies, texts over the command line's caps, dates outside
   the years the store keeps, scores outside 0 to their maximum, links to photos or regimen
   items that are not there.

An export made before at most one plan per person could be active may hold several active
plans for a person: the newest stays active and the others are read as superseded, as the
store's own migration does.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from scarwise._version import __version__
from scarwise.errors import InvalidInput, Problem, UsageError, from_validation_error
from scarwise.intake import JsonLimits, read_json
from scarwise.store.checks import (
    MAX_NAME,
    MAX_NOTE,
    MAX_SCORE,
    date_problems,
    known_treatments,
)
from scarwise.tracking.models import PersonRecords
from scarwise.tracking.regimen import parse_frequency

__all__ = [
    "DOCUMENT_LIMITS",
    "DOCUMENT_NAME",
    "EXPORT_SCHEMA",
    "ExportDocument",
    "document_problems",
    "read_document",
]

EXPORT_SCHEMA: Final = "scarwise-export/1"
DOCUMENT_NAME: Final = "scarwise-export.json"
#: The caps on an export document: 32 MiB, 64 levels, 2 million values.
DOCUMENT_LIMITS: Final = JsonLimits()


class ExportDocument(BaseModel):
    """``scarwise-export.json``: the schema, the version that wrote it, and one
    :class:`~scarwise.tracking.PersonRecords` per person (what :meth:`Store.records` reads)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    schema_: str = Field(default=EXPORT_SCHEMA, alias="schema", serialization_alias="schema")
    scarwise_version: str = __version__
    people: list[PersonRecords]


def read_document(data: bytes) -> ExportDocument:
    """The export document in ``data``, checked as the module docstring says.

    Raises
    ------
    InvalidInput
        Anything wrong with it, every problem listed (up to 50).
    UsageError
        A newer ``scarwise-export`` schema.
    """
    raw = read_json(data, limits=DOCUMENT_LIMITS, field=DOCUMENT_NAME)
    schema = raw.get("schema") if isinstance(raw, dict) else None
    del raw  # only the schema was needed: the records are validated from the text
    if not isinstance(schema, str) or not schema.startswith("scarwise-export/"):
        raise InvalidInput(problems=[Problem("schema", EXPORT_SCHEMA, schema)])
    if schema != EXPORT_SCHEMA:
        raise UsageError(
            problems=[Problem("schema", EXPORT_SCHEMA, schema)],
            hint="this export was made by a newer scarwise; upgrade scarwise to import it",
        )
    try:
        document = ExportDocument.model_validate_json(data, strict=True)
    except ValidationError as err:
        raise from_validation_error(err, prefix="export") from err
    problems = document_problems(document)
    if problems:
        raise InvalidInput(problems=problems[:50])
    return document.model_copy(
        update={"people": [_one_active_plan(person) for person in document.people]}
    )


def document_problems(document: ExportDocument) -> list[Problem]:
    """What the store would refuse in the document's records (see the module docstring)."""
    problems: list[Problem] = []
    treatments = known_treatments()
    for i, person in enumerate(document.people):
        problems += _person_problems(f"people.{i}", person, treatments)
    return problems


def _person_problems(at: str, person: PersonRecords, treatments: frozenset[str]) -> list[Problem]:
    owner = person.person.id
    problems: list[Problem] = []
    for name, rows in _groups(person):
        problems += [
            Problem(f"{at}.{name}.{j}.person_id", owner, r.person_id)
            for j, r in enumerate(rows)
            if r.person_id != owner
        ]
    regimen_ids = {r.id for r in person.regimen}
    problems += [
        Problem(f"{at}.doses.{j}.regimen_id", "a regimen id of this person", d.regimen_id)
        for j, d in enumerate(person.doses)
        if d.regimen_id not in regimen_ids
    ]
    used = [("regimen", j, r.treatment) for j, r in enumerate(person.regimen)]
    used += [("sessions", j, x.treatment) for j, x in enumerate(person.sessions)]
    problems += [
        Problem(f"{at}.{name}.{j}.treatment", "a known treatment id", treatment)
        for name, j, treatment in used
        if treatment not in treatments
    ]
    for j, r in enumerate(person.regimen):
        try:
            parse_frequency(r.frequency)
        except InvalidInput:
            problems.append(
                Problem(f"{at}.regimen.{j}.frequency", "a known frequency", r.frequency)
            )
    photo_ids = {p.id for p in person.photos}
    problems += [
        Problem(f"{at}.analyses.{j}.photo_ids", "photo ids of this person", a.photo_ids)
        for j, a in enumerate(person.analyses)
        if not set(a.photo_ids) <= photo_ids
    ]
    for j, a in enumerate(person.assessments):
        if not 0 <= a.max <= MAX_SCORE:
            problems.append(Problem(f"{at}.assessments.{j}.max", f"0 to {MAX_SCORE}", a.max))
        elif not 0 <= a.score <= a.max:
            problems.append(Problem(f"{at}.assessments.{j}.score", f"0 to {a.max}", a.score))
    for j, ph in enumerate(person.photos):
        if not (0 < ph.width_px <= 1_000_000 and 0 < ph.height_px <= 1_000_000):
            problems.append(
                Problem(f"{at}.photos.{j}", "a size in pixels", f"{ph.width_px}x{ph.height_px}")
            )
    problems += list(_text_problems(at, person))
    problems += list(_date_problems(at, person))
    return problems


def _groups(person: PersonRecords) -> list[tuple[str, list[Any]]]:
    return [
        ("assessments", person.assessments),
        ("photos", person.photos),
        ("analyses", person.analyses),
        ("plans", person.plans),
        ("regimen", person.regimen),
        ("doses", person.doses),
        ("sessions", person.sessions),
        ("notes", person.notes),
    ]


def _text_problems(at: str, person: PersonRecords) -> Iterator[Problem]:
    """Texts as the command line takes them: within its caps and without NUL characters."""
    texts: list[tuple[str, str | None, int]] = [(f"{at}.person.name", person.person.name, MAX_NAME)]
    texts += [
        (f"{at}.assessments.{j}.rater", a.rater, MAX_NAME) for j, a in enumerate(person.assessments)
    ]
    texts += [(f"{at}.notes.{j}.text", n.text, MAX_NOTE) for j, n in enumerate(person.notes)]
    texts += [(f"{at}.regimen.{j}.notes", r.notes, MAX_NOTE) for j, r in enumerate(person.regimen)]
    for j, x in enumerate(person.sessions):
        texts += [(f"{at}.sessions.{j}.notes", x.notes, MAX_NOTE)]
        texts += [(f"{at}.sessions.{j}.provider", x.provider, MAX_NAME)]
        texts += [
            (f"{at}.sessions.{j}.side_effects.{k}", effect, MAX_NAME)
            for k, effect in enumerate(x.side_effects)
        ]
    for where, value, limit in texts:
        if value is None:
            continue
        if len(value) > limit or "\x00" in value:
            yield Problem(where, f"text of at most {limit} characters", f"{len(value)} characters")


def _date_problems(at: str, person: PersonRecords) -> Iterator[Problem]:
    yield from date_problems(person.person.created_at, f"{at}.person.created_at")
    for name, rows in _groups(person):
        for j, r in enumerate(rows):
            for key in ("date", "start", "stop"):
                if hasattr(r, key):
                    yield from date_problems(getattr(r, key), f"{at}.{name}.{j}.{key}")


def _one_active_plan(person: PersonRecords) -> PersonRecords:
    active = [p for p in person.plans if p.status == "active"]
    if len(active) < 2:
        return person
    newest = max(active, key=lambda p: (p.date, p.id))
    plans = [
        p if p.status != "active" or p is newest else p.model_copy(update={"status": "superseded"})
        for p in person.plans
    ]
    return person.model_copy(update={"plans": plans})
