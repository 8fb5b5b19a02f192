"""Export people to one zip and import it again, exactly (``scarwise-export/1``).

The zip holds ``scarwise-export.json`` (every record of every exported person, dates in ISO 8601
UTC) and ``photos/<sha256>.png`` (the stored PNGs). Import treats the zip as untrusted: only
those member names are read, sizes are capped before reading, every record is validated, every
photo is checked against its hash *and* passes the intake gate again, and everything is written
in one transaction, so a bad zip stores nothing. Importing an export into an empty store gives
the same ``history`` (a test checks it on SQLite and PostgreSQL).
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select

from scarwise._version import __version__
from scarwise.errors import InvalidInput, NotFound, Problem, UsageError, from_validation_error
from scarwise.intake import read_photo
from scarwise.store import models as m
from scarwise.store.base import StoreBase
from scarwise.store.checks import known_treatments
from scarwise.store.files import sha256_hex
from scarwise.store.people import list_people
from scarwise.store.records import records
from scarwise.store.rows import add_records
from scarwise.tracking.models import (
    ExportInfo,
    ExportResult,
    ImportInfo,
    ImportResult,
    PersonRecords,
)
from scarwise.tracking.regimen import parse_frequency

__all__ = ["EXPORT_SCHEMA", "ExportDocument", "export_zip", "import_zip"]

EXPORT_SCHEMA = "scarwise-export/1"
DOCUMENT_NAME = "scarwise-export.json"
_PHOTO_NAME = re.compile(r"^photos/([0-9a-f]{64})\.png$")
_MAX_DOCUMENT_BYTES = 2 * 1024 * 1024 * 1024


class ExportDocument(BaseModel):
    """``scarwise-export.json``: the schema, the version that wrote it, and one
    :class:`~scarwise.tracking.PersonRecords` per person (what :meth:`Store.records` reads)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    schema_: str = Field(default=EXPORT_SCHEMA, alias="schema", serialization_alias="schema")
    scarwise_version: str = __version__
    people: list[PersonRecords]


def export_zip(store: StoreBase, out: str | Path, person_ids: Sequence[str] = ()) -> ExportResult:
    """Write the given people (default: everyone) with their photos to the zip ``out``.

    Raises
    ------
    NotFound
        A person id that is not in the store (nothing is written).
    """
    out = Path(out)
    ids = list(person_ids) or [p.id for p in list_people(store).people]
    people = [records(store, pid) for pid in ids]
    document = ExportDocument(people=people)
    digests = sorted({photo.sha256 for person in people for photo in person.photos})
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(
                DOCUMENT_NAME,
                json.dumps(
                    document.model_dump(mode="json", by_alias=True), ensure_ascii=False, indent=1
                ),
            )
            for digest in digests:
                # PNG is already compressed: store it as is.
                zf.writestr(
                    f"photos/{digest}.png",
                    store.photos.read(digest),
                    compress_type=zipfile.ZIP_STORED,
                )
        tmp.replace(out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return ExportResult(
        export=ExportInfo(
            file=str(out), people=len(people), photos=sum(len(p.photos) for p in people)
        )
    )


def import_zip(store: StoreBase, path: str | Path) -> ImportResult:
    """Import an export made by :func:`export_zip`; all or nothing.

    Raises
    ------
    NotFound
        No such file.
    InvalidInput
        Not a scarwise export, a newer major schema, a record that does not validate, a photo that
        is missing, does not match its hash or fails the intake gate, or ids already in this store.
    """
    path = Path(path)
    if not path.is_file():
        raise NotFound(problems=[Problem("file", "an existing export zip", str(path))])
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as err:
        raise InvalidInput(
            problems=[Problem("file", "a zip file made by 'scarwise track export'", "not a zip")]
        ) from err
    limits = store.intake_limits
    written: list[str] = []
    with zf:
        document = _read_document(zf)
        members = {info.filename: info for info in zf.infolist()}
        needed = sorted({ph.sha256 for person in document.people for ph in person.photos})
        problems: list[Problem] = []
        for digest in needed:
            info = members.get(f"photos/{digest}.png")
            if info is None:
                problems.append(Problem(f"photos/{digest}.png", "the photo file", "missing"))
            elif info.file_size > limits.max_bytes:
                problems.append(
                    Problem(info.filename, f"at most {limits.max_bytes} bytes", info.file_size)
                )
        if problems:
            raise InvalidInput(problems=problems)
        _check_ids(store, document)
        stored_as: dict[str, str] = {}
        try:
            # One photo at a time: read, check against its name, pass the intake gate again
            # (the zip is untrusted), store the gate's re-encoded PNG.
            for digest in needed:
                info = members[f"photos/{digest}.png"]
                data = zf.read(info)
                if sha256_hex(data) != digest:
                    raise InvalidInput(
                        problems=[
                            Problem(
                                info.filename,
                                "content matching its SHA-256 name",
                                "different content",
                            )
                        ]
                    )
                png = read_photo(data, limits=limits, name=f"{digest[:12]}.png").to_png_bytes()
                del data
                stored_as[digest], new = store.photos.put(png)
                if new:
                    written.append(stored_as[digest])
            with store.writing() as s:
                for person in document.people:
                    add_records(s, person, stored_as)
        except BaseException:
            store.photos.delete(written)
            raise
    return ImportResult(
        import_=ImportInfo(
            people=len(document.people), photos=sum(len(p.photos) for p in document.people)
        )
    )


def _read_document(zf: zipfile.ZipFile) -> ExportDocument:
    names = zf.namelist()
    unexpected = [n for n in names if n != DOCUMENT_NAME and not _PHOTO_NAME.match(n)]
    if DOCUMENT_NAME not in names:
        raise InvalidInput(
            problems=[Problem("file", f"a zip with {DOCUMENT_NAME}", "no such member")]
        )
    if unexpected:
        raise InvalidInput(
            problems=[
                Problem(
                    n, "only scarwise-export.json and photos/<sha256>.png", "an unexpected file"
                )
                for n in unexpected[:20]
            ]
        )
    info = zf.getinfo(DOCUMENT_NAME)
    if info.file_size > _MAX_DOCUMENT_BYTES:
        raise InvalidInput(
            problems=[
                Problem(DOCUMENT_NAME, f"at most {_MAX_DOCUMENT_BYTES} bytes", info.file_size)
            ]
        )
    try:
        raw = json.loads(zf.read(info).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InvalidInput(problems=[Problem(DOCUMENT_NAME, "UTF-8 JSON", "unreadable")]) from err
    schema = raw.get("schema") if isinstance(raw, dict) else None
    if not isinstance(schema, str) or not schema.startswith("scarwise-export/"):
        raise InvalidInput(problems=[Problem("schema", EXPORT_SCHEMA, schema)])
    if schema != EXPORT_SCHEMA:
        raise UsageError(
            problems=[Problem("schema", EXPORT_SCHEMA, schema)],
            hint="this export was made by a newer scarwise; upgrade scarwise to import it",
        )
    try:
        document = ExportDocument.model_validate(raw)
    except ValidationError as err:
        raise from_validation_error(err, prefix="export") from err
    problems = []
    for i, person in enumerate(document.people):
        owner = person.person.id
        groups: list[tuple[str, list[Any]]] = [
            ("assessments", person.assessments),
            ("photos", person.photos),
            ("analyses", person.analyses),
            ("plans", person.plans),
            ("regimen", person.regimen),
            ("doses", person.doses),
            ("sessions", person.sessions),
            ("notes", person.notes),
        ]
        for name, rows in groups:
            problems += [
                Problem(f"people.{i}.{name}.{j}.person_id", owner, r.person_id)
                for j, r in enumerate(rows)
                if r.person_id != owner
            ]
        regimen_ids = {r.id for r in person.regimen}
        problems += [
            Problem(f"people.{i}.doses.{j}.regimen_id", "a regimen id of this person", d.regimen_id)
            for j, d in enumerate(person.doses)
            if d.regimen_id not in regimen_ids
        ]
        treatments = known_treatments()
        used = [("regimen", j, r.treatment) for j, r in enumerate(person.regimen)]
        used += [("sessions", j, x.treatment) for j, x in enumerate(person.sessions)]
        problems += [
            Problem(f"people.{i}.{name}.{j}.treatment", "a known treatment id", treatment)
            for name, j, treatment in used
            if treatment not in treatments
        ]
        for j, r in enumerate(person.regimen):
            try:
                parse_frequency(r.frequency)
            except InvalidInput:
                problems.append(
                    Problem(f"people.{i}.regimen.{j}.frequency", "a known frequency", r.frequency)
                )
        photo_ids = {p.id for p in person.photos}
        problems += [
            Problem(f"people.{i}.analyses.{j}.photo_ids", "photo ids of this person", a.photo_ids)
            for j, a in enumerate(person.analyses)
            if not set(a.photo_ids) <= photo_ids
        ]
    if problems:
        raise InvalidInput(problems=problems[:50])
    return document


def _check_ids(store: StoreBase, document: ExportDocument) -> None:
    ids = [p.person.id for p in document.people]
    with store.reading() as s:
        taken = set(s.scalars(select(m.Person.id).where(m.Person.id.in_(ids)))) if ids else set()
    if taken:
        raise InvalidInput(
            problems=[
                Problem("people", "people not yet in this store", pid) for pid in sorted(taken)
            ],
            hint="delete them first (scarwise track person delete) or import into another store",
        )
