"""Export people to one zip and import it again, exactly (``scarwise-export/1``).

The zip holds ``scarwise-export.json`` (every record of every exported person, dates in ISO 8601
UTC) and ``photos/<sha256>.png`` (the stored PNGs). Import treats the zip as untrusted: only
those member names are read, each once (:mod:`scarwise.store.archive`), every member is read
with a cap whatever its header says, the document is parsed within limits and validated strictly
(:mod:`scarwise.store.export_document`), every photo is checked against its hash *and* passes
the intake gate again, and everything is written in one transaction, so a bad zip stores
nothing. Importing an export into an empty store gives the same ``history`` (a test checks it on
SQLite and PostgreSQL).

An export file is owner-only (0600). Given a directory, :func:`export_zip` writes
``scarwise-export-YYYY-MM-DD.zip`` into it (``-2``, ``-3`` ... when that name is taken).
"""

from __future__ import annotations

import json
import os
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from sqlalchemy import select

from scarwise.errors import InvalidInput, Problem, UsageError
from scarwise.intake import read_photo
from scarwise.store import models as m
from scarwise.store.archive import member_table, open_archive, read_member
from scarwise.store.base import StoreBase
from scarwise.store.deletions import discard_unreferenced
from scarwise.store.export_document import (
    DOCUMENT_LIMITS,
    DOCUMENT_NAME,
    EXPORT_SCHEMA,
    ExportDocument,
    read_document,
)
from scarwise.store.files import sha256_hex
from scarwise.store.people import list_people
from scarwise.store.privacy import open_private, private_dir
from scarwise.store.records import records
from scarwise.store.rows import add_records
from scarwise.tracking.models import (
    ExportInfo,
    ExportResult,
    ImportInfo,
    ImportResult,
)

__all__ = ["EXPORT_SCHEMA", "ExportDocument", "default_export_path", "export_zip", "import_zip"]

_PHOTO_NAME: Final = re.compile(r"^photos/([0-9a-f]{64})\.png$")
_EXPECTED: Final = "a zip file made by 'scarwise track export'"


def default_export_path(directory: Path, today: str) -> Path:
    """``directory/scarwise-export-<today>.zip``, or ``-2``, ``-3`` ... if that is taken."""
    candidate = directory / f"scarwise-export-{today}.zip"
    n = 2
    while candidate.exists():
        candidate = directory / f"scarwise-export-{today}-{n}.zip"
        n += 1
    return candidate


def export_zip(store: StoreBase, out: str | Path, person_ids: Sequence[str] = ()) -> ExportResult:
    """Write the given people (default: everyone) with their photos to the zip ``out``.

    ``out`` may be a directory (an existing one, or any path ending in ``/``): the zip is then
    named ``scarwise-export-YYYY-MM-DD.zip`` inside it (see :func:`default_export_path`).

    Raises
    ------
    NotFound
        A person id that is not in the store (nothing is written).
    UsageError
        The document would be larger than an import accepts (export fewer people per file).
    """
    names_folder = str(out).endswith(("/", os.sep))
    out = Path(out)
    if out.is_dir() or names_folder:
        out = default_export_path(private_dir(out), store.when(None).date().isoformat())
    ids = list(person_ids) or [p.id for p in list_people(store).people]
    with store.lock.shared():  # no file is removed while it is copied
        people = [records(store, pid) for pid in ids]
        document = ExportDocument(people=people)
        text = json.dumps(
            document.model_dump(mode="json", by_alias=True), ensure_ascii=False, indent=1
        ).encode("utf-8")
        if len(text) > DOCUMENT_LIMITS.max_bytes:
            raise UsageError(
                problems=[
                    Problem(DOCUMENT_NAME, f"at most {DOCUMENT_LIMITS.max_bytes} bytes", len(text))
                ],
                hint="export fewer people per file (name them: scarwise track export ID... --out)",
            )
        digests = sorted({photo.sha256 for person in people for photo in person.photos})
        tmp = out.with_name(out.name + ".part")
        try:
            with open_private(tmp) as fh, zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as zf:
                zf.writestr(DOCUMENT_NAME, text)
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
        Not a scarwise export (or a damaged one: bad checksum, corrupt or encrypted data, an
        unknown compression method, a member twice), a document over the limits, a record that
        does not validate, a photo that is missing, does not match its hash or fails the intake
        gate, or ids already in this store.
    UsageError
        A newer export schema.
    """
    zf = open_archive(Path(path), expected=_EXPECTED)
    limits = store.intake_limits
    written: list[str] = []
    with zf:
        members = member_table(zf)
        unexpected = [n for n in members if n != DOCUMENT_NAME and not _PHOTO_NAME.match(n)]
        if DOCUMENT_NAME not in members:
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
        document = read_document(read_member(zf, members[DOCUMENT_NAME], DOCUMENT_LIMITS.max_bytes))
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
            with store.lock.shared():
                # One photo at a time: read, check against its name, pass the intake gate again
                # (the zip is untrusted), store the gate's re-encoded PNG.
                for digest in needed:
                    info = members[f"photos/{digest}.png"]
                    data = read_member(zf, info, limits.max_bytes)
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
            discard_unreferenced(store, written)
            raise
    return ImportResult(
        import_=ImportInfo(
            people=len(document.people), photos=sum(len(p.photos) for p in document.people)
        )
    )


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
