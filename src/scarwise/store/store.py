"""The :class:`Store`: a person's whole history, read and written in transactions.

Every public method is one transaction: it either writes everything or, on any error, nothing
(photo files written for a failed transaction are removed again). Inputs are checked before
anything is written: an unknown person or record is :class:`~scarwise.NotFound`; a bad date, an
unknown treatment id, an unknown frequency or a photo the intake gate refuses is
:class:`~scarwise.InvalidInput`.
"""

from __future__ import annotations

import gc
import uuid
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.engine import URL
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from scarwise.errors import InvalidInput, NotFound, Problem, from_validation_error
from scarwise.store import models as m
from scarwise.store.engine import backend_of
from scarwise.store.photos import PhotoFiles
from scarwise.tracking.dates import parse_when, to_utc
from scarwise.tracking.history import EVENT_KINDS, event_of, sort_events
from scarwise.tracking.models import (
    AnalysisRecord,
    AnalysisResult,
    AssessmentRecord,
    AssessmentResult,
    DeletedInfo,
    DeletedResult,
    DoseRecord,
    DoseResult,
    DoseStatus,
    HistoryEvent,
    HistoryResult,
    NoteRecord,
    NoteResult,
    PeopleResult,
    PersonRecord,
    PersonResult,
    PhotoRecord,
    PhotosResult,
    PlanRecord,
    PlanResult,
    ProgressResult,
    RegimenItemRecord,
    RegimenListResult,
    RegimenResult,
    SessionRecord,
    SessionResult,
)
from scarwise.tracking.progress import compare_progress
from scarwise.tracking.regimen import parse_frequency

__all__ = ["TABLES", "TABLE_EVENTS", "PersonRecords", "Store", "known_treatments"]

_T = TypeVar("_T")

When = str | date | datetime | None
Clock = Callable[[], datetime]
IdFactory = Callable[[], str]

_MAX_NAME = 200
_MAX_LABEL = 40


def _now() -> datetime:
    return datetime.now(UTC)


def _new_id() -> str:
    return uuid.uuid4().hex


def known_treatments() -> frozenset[str]:
    """The treatment ids of the knowledge base (``contracts/treatments.txt``)."""
    try:
        from scarwise.knowledge import load_knowledge_base  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        from scarwise.knowledge.vocabulary import TREATMENT_IDS

        return frozenset(TREATMENT_IDS)
    return frozenset(load_knowledge_base().treatments)


#: PersonRecords list -> the history event kinds its records make.
TABLE_EVENTS: dict[str, set[str]] = {
    "assessments": {"assessment"},
    "photos": {"photo"},
    "analyses": {"analysis"},
    "plans": {"plan"},
    "regimen": {"regimen", "regimen-stop"},
    "doses": {"dose"},
    "sessions": {"session"},
    "notes": {"note"},
}
TABLES: tuple[str, ...] = tuple(TABLE_EVENTS)


@dataclass(frozen=True)
class PersonRecords:
    """Everything stored about one person, each list oldest first."""

    person: PersonRecord
    assessments: list[AssessmentRecord] = field(default_factory=list)
    photos: list[PhotoRecord] = field(default_factory=list)
    analyses: list[AnalysisRecord] = field(default_factory=list)
    plans: list[PlanRecord] = field(default_factory=list)
    regimen: list[RegimenItemRecord] = field(default_factory=list)
    doses: list[DoseRecord] = field(default_factory=list)
    sessions: list[SessionRecord] = field(default_factory=list)
    notes: list[NoteRecord] = field(default_factory=list)

    def all(self) -> list[Any]:
        return [
            *self.assessments,
            *self.photos,
            *self.analyses,
            *self.plans,
            *self.regimen,
            *self.doses,
            *self.sessions,
            *self.notes,
        ]


class Store:
    """A tracking store on one database and its photo directory (build it with ``open_store``)."""

    def __init__(
        self,
        engine: Engine,
        photo_dir: Path,
        *,
        url: URL,
        clock: Clock = _now,
        new_id: IdFactory = _new_id,
        max_upload_bytes: int = 50 * 1024 * 1024,
        max_image_pixels: int = 64_000_000,
    ) -> None:
        self.engine = engine
        self.url = url
        self.photos = PhotoFiles(photo_dir)
        self.clock = clock
        self.new_id = new_id
        self.max_upload_bytes = max_upload_bytes
        self.max_image_pixels = max_image_pixels
        self._read = sessionmaker(bind=engine, expire_on_commit=False)
        self._write = sessionmaker(
            bind=engine.execution_options(sqlite_begin="IMMEDIATE"), expire_on_commit=False
        )

    # --- plumbing ---------------------------------------------------------------------------------

    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return backend_of(self.url)

    @property
    def photo_dir(self) -> Path:
        return self.photos.root

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """One write transaction: commit at the end, roll back on any exception."""
        with self._write.begin() as session:
            try:
                yield session
                session.flush()
            except (IntegrityError, DataError) as err:
                raise InvalidInput(
                    "the change conflicts with records already in the store (duplicate id or missing reference)",
                    problems=[
                        Problem("record", "a new id that refers to existing records", "a conflict")
                    ],
                ) from err

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self._read() as session, session.begin():
            yield session

    def _when(self, value: When, field_name: str = "date") -> datetime:
        return to_utc(self.clock()) if value is None else parse_when(value, field=field_name)

    # --- people -----------------------------------------------------------------------------------

    def add_person(self, name: str) -> PersonResult:
        """Add a person; returns their new id."""
        clean = _text(name, "name", required=True)
        assert clean is not None
        row = m.Person(id=self.new_id(), name=clean, created_at=to_utc(self.clock()))
        with self.writing() as s:
            s.add(row)
        return PersonResult(person=_person(row))

    def list_people(self) -> PeopleResult:
        """Everyone in the store, by name."""
        with self.reading() as s:
            rows = s.scalars(select(m.Person).order_by(m.Person.name, m.Person.id)).all()
            return PeopleResult(people=[_person(r) for r in rows])

    def get_person(self, person_id: str) -> PersonRecord:
        with self.reading() as s:
            return _person(_require_person(s, person_id))

    def delete_person(self, person_id: str) -> DeletedResult:
        """Delete a person, every record of theirs, and their photo files (unless another person
        has the very same image)."""
        with self.writing() as s:
            _require_person(s, person_id)
            digests = set(s.scalars(select(m.Photo.sha256).where(m.Photo.person_id == person_id)))
            count = s.scalar(
                select(func.count()).select_from(m.Photo).where(m.Photo.person_id == person_id)
            )
            s.execute(delete(m.Person).where(m.Person.id == person_id))
            still_used = (
                set(s.scalars(select(m.Photo.sha256).where(m.Photo.sha256.in_(digests))))
                if digests
                else set()
            )
        self.photos.delete(digests - still_used)
        return DeletedResult(deleted=DeletedInfo(person=person_id, photos=int(count or 0)))

    # --- assessments ------------------------------------------------------------------------------

    def record_assessment(
        self,
        person_id: str,
        scale: str,
        data: Mapping[str, Any],
        *,
        date: When = None,
        rater: str | None = None,
    ) -> AssessmentResult:
        """Score ``data`` on ``scale`` and keep input and result.

        ``data`` is either the scale's input (``contracts/scales.md``) or a ``score/1`` object as
        ``scarwise score --json`` prints it (kept as given; its input is then unknown).
        """
        from scarwise.scales import ScoreResult, get_scale, score

        when = self._when(date)
        rater = _text(rater, "rater")
        get_scale(scale)
        inputs: dict[str, Any] | None
        if isinstance(data, Mapping) and data.get("schema") == "score/1":
            try:
                parsed = ScoreResult.model_validate(dict(data))
            except ValidationError as err:
                raise from_validation_error(err, prefix="input") from err
            if parsed.scale != scale:
                raise InvalidInput(
                    problems=[Problem("input.scale", f"the scale {scale!r}", parsed.scale)]
                )
            if not 0 <= parsed.score <= parsed.max:
                raise InvalidInput(
                    problems=[Problem("input.score", f"0 to {parsed.max}", parsed.score)]
                )
            result = dict(data)
            inputs = None
        else:
            scored = score(scale, data)
            result = scored.to_json_dict()
            inputs = dict(data)
        region = result.get("region") if isinstance(result.get("region"), str) else None
        row = m.Assessment(
            id=self.new_id(),
            person_id=person_id,
            occurred_at=when,
            scale=scale,
            score=int(result["score"]),
            max=int(result["max"]),
            rater=rater,
            region=region,
            inputs=inputs,
            result=result,
        )
        with self.writing() as s:
            _require_person(s, person_id)
            s.add(row)
        return AssessmentResult(assessment=_assessment(row))

    # --- photos -----------------------------------------------------------------------------------

    def add_photos(
        self,
        person_id: str,
        files: Sequence[str | Path],
        *,
        date: When = None,
        region: str | None = None,
    ) -> PhotosResult:
        """Pass each file through the intake gate and keep only its stripped, re-encoded PNG.

        Every file is checked before anything is stored: one refused photo stores none.
        """
        from scarwise.intake import IntakeLimits, read_photo_file

        limits = IntakeLimits(max_bytes=self.max_upload_bytes, max_pixels=self.max_image_pixels)
        when = self._when(date)
        region = _text(region, "region", limit=_MAX_LABEL)
        self.get_person(person_id)
        if not files:
            raise InvalidInput(problems=[Problem("files", "one or more photo files", "none")])
        gated = [read_photo_file(f, limits=limits) for f in files]
        return self._store_photos(
            person_id,
            [(p.sha256_original, p.size_px, p.to_png_bytes()) for p in gated],
            when,
            region,
        )

    def add_photo_bytes(
        self,
        person_id: str,
        data: bytes,
        *,
        name: str = "upload",
        date: When = None,
        region: str | None = None,
    ) -> PhotosResult:
        """As :meth:`add_photos`, for bytes already in memory (a web upload)."""
        from scarwise.intake import IntakeLimits, read_photo

        limits = IntakeLimits(max_bytes=self.max_upload_bytes, max_pixels=self.max_image_pixels)
        when = self._when(date)
        region = _text(region, "region", limit=_MAX_LABEL)
        self.get_person(person_id)
        photo = read_photo(data, limits=limits, name=name)
        return self._store_photos(
            person_id, [(photo.sha256_original, photo.size_px, photo.to_png_bytes())], when, region
        )

    def _store_photos(
        self,
        person_id: str,
        items: Sequence[tuple[str, tuple[int, int], bytes]],
        when: datetime,
        region: str | None,
    ) -> PhotosResult:
        written: list[str] = []
        rows: list[m.Photo] = []
        try:
            for original, (width, height), png in items:
                digest, new = self.photos.put(png)
                if new:
                    written.append(digest)
                rows.append(
                    m.Photo(
                        id=self.new_id(),
                        person_id=person_id,
                        occurred_at=when,
                        sha256_original=original,
                        sha256=digest,
                        width_px=width,
                        height_px=height,
                        region=region,
                    )
                )
            with self.writing() as s:
                _require_person(s, person_id)
                s.add_all(rows)
        except BaseException:
            self.photos.delete(written)
            raise
        return PhotosResult(photos=[_photo(r) for r in rows])

    def prune_photo_files(self) -> int:
        """Delete photo files that no photo row names (left by a crash between a commit and the
        file removal that follows it); returns how many were removed."""
        with self.reading() as s:
            referenced = set(s.scalars(select(m.Photo.sha256)))
        return self.photos.remove_unreferenced(referenced)

    def photo(self, photo_id: str) -> PhotoRecord:
        with self.reading() as s:
            row = s.get(m.Photo, photo_id)
            if row is None:
                raise NotFound(problems=[Problem("photo", "an existing photo id", photo_id)])
            return _photo(row)

    def photo_png(self, photo_id: str) -> bytes:
        """The stored PNG of a photo (checked against its hash)."""
        return self.photos.read(self.photo(photo_id).sha256)

    # --- analyses ---------------------------------------------------------------------------------

    def record_analysis(
        self,
        person_id: str,
        result: Mapping[str, Any],
        *,
        photo_ids: Sequence[str] = (),
        date: When = None,
    ) -> AnalysisResult:
        """Keep an ``analyze/1`` or ``analyze3d/1`` result (as ``--json`` prints it)."""
        schema = result.get("schema")
        kinds = {"analyze/1": "analyze", "analyze3d/1": "analyze3d"}
        if schema not in kinds:
            raise InvalidInput(
                problems=[Problem("result.schema", "analyze/1 or analyze3d/1", schema)]
            )
        version = result.get("scarwise_version")
        if not isinstance(version, str) or not version:
            raise InvalidInput(
                problems=[Problem("result.scarwise_version", "a version string", version)]
            )
        when = self._when(date)
        row = m.Analysis(
            id=self.new_id(),
            person_id=person_id,
            occurred_at=when,
            kind=kinds[str(schema)],
            software_version=version[:_MAX_LABEL],
            result=dict(result),
        )
        with self.writing() as s:
            _require_person(s, person_id)
            missing = [
                p
                for p in photo_ids
                if (ph := s.get(m.Photo, p)) is None or ph.person_id != person_id
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
        return AnalysisResult(analysis=_analysis(row, list(photo_ids)))

    def analyze_photo(
        self, person_id: str, photo_id: str, *, region: str = "auto", pixel_mm: float | None = None
    ) -> AnalysisResult:
        """Run the colour analysis (``analyze/1``) on a stored photo and keep the result."""
        from scarwise.imaging import analyze_photo  # type: ignore[attr-defined,unused-ignore]
        from scarwise.intake import read_photo

        record = self.photo(photo_id)
        if record.person_id != person_id:
            raise NotFound(problems=[Problem("photo", "a photo of this person", photo_id)])
        photo = read_photo(self.photos.read(record.sha256), name=photo_id)
        result = analyze_photo(photo, region=region, pixel_mm=pixel_mm)
        return self.record_analysis(
            person_id, result.to_json_dict(), photo_ids=[photo_id], date=record.date
        )

    def analyze_photos_3d(
        self,
        person_id: str,
        photo_ids: Sequence[str],
        lights: Any,
        pixel_mm: float,
        *,
        encoding: str = "auto",
    ) -> AnalysisResult:
        """Run the multi-light 3-D scar measurement (``analyze3d/1``) on stored photos.

        ``lights`` is the ``--lights`` document of ``contracts/imaging.md``; when it names images,
        the names are the photo ids. The result is dated with the last photo's date.
        """
        from scarwise.imaging import analyze_scars_3d, parse_lights
        from scarwise.intake import read_photo

        records = [self.photo(p) for p in photo_ids]
        foreign = [r.id for r in records if r.person_id != person_id]
        if foreign:
            raise NotFound(
                problems=[Problem("photo", "a photo of this person", p) for p in foreign]
            )
        light_set = parse_lights(lights, list(photo_ids))
        photos = [read_photo(self.photos.read(r.sha256), name=r.id) for r in records]
        result = analyze_scars_3d(photos, light_set, pixel_mm, encoding=encoding)  # type: ignore[arg-type]
        return self.record_analysis(
            person_id,
            result.to_json_dict(),
            photo_ids=list(photo_ids),
            date=max(r.date for r in records) if records else None,
        )

    # --- plans ------------------------------------------------------------------------------------

    def save_plan(
        self, person_id: str, profile: Mapping[str, Any], *, date: When = None
    ) -> PlanResult:
        """Make a plan for ``profile`` with the planner and keep both (earlier plans are superseded)."""
        import scarwise

        self.get_person(person_id)
        plan = scarwise.plan(dict(profile))  # type: ignore[attr-defined,unused-ignore]
        plan_json = plan.to_json_dict()
        version = str(plan_json.get("knowledge_base_version") or _kb_version())
        return self.record_plan(
            person_id, profile, plan_json, knowledge_base_version=version, date=date
        )

    def record_plan(
        self,
        person_id: str,
        profile: Mapping[str, Any],
        plan: Mapping[str, Any],
        *,
        knowledge_base_version: str,
        date: When = None,
    ) -> PlanResult:
        """Keep a plan made elsewhere; it becomes the active plan."""
        when = self._when(date)
        row = m.Plan(
            id=self.new_id(),
            person_id=person_id,
            occurred_at=when,
            knowledge_base_version=knowledge_base_version[:_MAX_LABEL],
            status="active",
            profile=dict(profile),
            plan=dict(plan),
        )
        with self.writing() as s:
            _require_person(s, person_id)
            s.execute(
                update(m.Plan)
                .where(m.Plan.person_id == person_id, m.Plan.status == "active")
                .values(status="superseded")
            )
            s.add(row)
        return PlanResult(plan=_plan(row))

    # --- regimen and doses ------------------------------------------------------------------------

    def add_regimen_item(
        self,
        person_id: str,
        treatment: str,
        frequency: str,
        *,
        start: When = None,
        stop: When = None,
        notes: str | None = None,
    ) -> RegimenResult:
        """Start a home-care step (e.g. ``topical-retinoid`` ``daily``)."""
        problems = _treatment_problems(treatment)
        try:
            parse_frequency(frequency)
        except InvalidInput as err:
            problems += err.problems
        if problems:
            raise InvalidInput(problems=problems)
        start_at = self._when(start, "start")
        stop_at = None if stop is None else parse_when(stop, field="stop")
        if stop_at is not None and stop_at <= start_at:
            raise InvalidInput(
                problems=[Problem("stop", "a date after the start", stop_at.isoformat())]
            )
        row = m.RegimenItem(
            id=self.new_id(),
            person_id=person_id,
            treatment=treatment,
            frequency=frequency.strip().lower(),
            start_at=start_at,
            stop_at=stop_at,
            notes=_text(notes, "notes", limit=10_000),
        )
        with self.writing() as s:
            _require_person(s, person_id)
            s.add(row)
        return RegimenResult(regimen=_regimen(row))

    def stop_regimen_item(self, regimen_id: str, *, date: When = None) -> RegimenResult:
        when = self._when(date, "stop")
        with self.writing() as s:
            row = _require(s, m.RegimenItem, regimen_id, "regimen")
            if when <= row.start_at:
                raise InvalidInput(
                    problems=[Problem("stop", "a date after the start", when.isoformat())]
                )
            row.stop_at = when
        return RegimenResult(regimen=_regimen(row))

    def list_regimen(self, person_id: str) -> RegimenListResult:
        with self.reading() as s:
            _require_person(s, person_id)
            rows = s.scalars(
                select(m.RegimenItem)
                .where(m.RegimenItem.person_id == person_id)
                .order_by(m.RegimenItem.start_at, m.RegimenItem.id)
            ).all()
            return RegimenListResult(regimen=[_regimen(r) for r in rows])

    def log_dose(
        self, regimen_id: str, *, date: When = None, status: DoseStatus = "taken"
    ) -> DoseResult:
        """Log one dose of a regimen item (``status`` ``taken`` or ``skipped``)."""
        if status not in ("taken", "skipped"):
            raise InvalidInput(problems=[Problem("status", "taken or skipped", status)])
        when = self._when(date)
        with self.writing() as s:
            item = _require(s, m.RegimenItem, regimen_id, "regimen")
            row = m.DoseLog(
                id=self.new_id(),
                person_id=item.person_id,
                regimen_id=regimen_id,
                occurred_at=when,
                status=status,
            )
            s.add(row)
        return DoseResult(dose=_dose(row))

    # --- sessions and notes -----------------------------------------------------------------------

    def add_session(
        self,
        person_id: str,
        treatment: str,
        *,
        date: When,
        provider: str | None = None,
        settings: Mapping[str, Any] | None = None,
        downtime_days: float | None = None,
        side_effects: Sequence[str] = (),
        outcome_rating: int | None = None,
        notes: str | None = None,
    ) -> SessionResult:
        """Log one procedure session (``treatment`` is a knowledge-base treatment id)."""
        problems = _treatment_problems(treatment)
        if downtime_days is not None and not (0 <= downtime_days <= 365):
            problems.append(
                Problem("downtime_days", "a number of days from 0 to 365", downtime_days)
            )
        if outcome_rating is not None and outcome_rating not in range(1, 6):
            problems.append(Problem("outcome_rating", "an integer from 1 to 5", outcome_rating))
        if problems:
            raise InvalidInput(problems=problems)
        when = self._when(date)
        row = m.ProcedureSession(
            id=self.new_id(),
            person_id=person_id,
            occurred_at=when,
            treatment=treatment,
            provider=_text(provider, "provider"),
            settings=dict(settings or {}),
            downtime_days=downtime_days,
            side_effects=[_text(x, "side_effects", required=True) or "" for x in side_effects],
            outcome_rating=outcome_rating,
            notes=_text(notes, "notes", limit=10_000),
        )
        with self.writing() as s:
            _require_person(s, person_id)
            s.add(row)
        return SessionResult(session=_session(row))

    def add_note(self, person_id: str, text: str, *, date: When = None) -> NoteResult:
        clean = _text(text, "text", required=True, limit=10_000)
        assert clean is not None
        row = m.Note(
            id=self.new_id(), person_id=person_id, occurred_at=self._when(date), text=clean
        )
        with self.writing() as s:
            _require_person(s, person_id)
            s.add(row)
        return NoteResult(note=_note(row))

    # --- reading a history ------------------------------------------------------------------------

    def records(self, person_id: str, *, tables: Collection[str] | None = None) -> PersonRecords:
        """Every record of one person (one read transaction).

        ``tables`` loads only some lists (names of :class:`PersonRecords` fields); the others stay empty.
        """
        with _cyclic_gc_paused(), self.reading() as s:
            return self._records(s, person_id, set(TABLES if tables is None else tables))

    def _records(self, s: Session, person_id: str, tables: set[str]) -> PersonRecords:
        person = _person(_require_person(s, person_id))

        def rows(name: str, model: Any, order: Any) -> Sequence[Any]:
            if name not in tables:
                return []
            query = select(model).where(model.person_id == person_id).order_by(order, model.id)
            return s.scalars(query).all()

        links: dict[str, list[str]] = {}
        if "analyses" in tables:
            for analysis_id, photo_id in s.execute(
                select(m.AnalysisPhoto.analysis_id, m.AnalysisPhoto.photo_id)
                .join(m.Analysis, m.Analysis.id == m.AnalysisPhoto.analysis_id)
                .where(m.Analysis.person_id == person_id)
                .order_by(m.AnalysisPhoto.analysis_id, m.AnalysisPhoto.position)
            ):
                links.setdefault(analysis_id, []).append(photo_id)
        doses = [
            DoseRecord.model_validate(
                {"id": i, "person_id": person_id, "regimen_id": g, "date": d, "status": st}
            )
            for i, g, d, st in (self._dose_rows(s, person_id) if "doses" in tables else [])
        ]
        return PersonRecords(
            person=person,
            assessments=[
                _assessment(r) for r in rows("assessments", m.Assessment, m.Assessment.occurred_at)
            ],
            photos=[_photo(r) for r in rows("photos", m.Photo, m.Photo.occurred_at)],
            analyses=[
                _analysis(r, links.get(r.id, []))
                for r in rows("analyses", m.Analysis, m.Analysis.occurred_at)
            ],
            plans=[_plan(r) for r in rows("plans", m.Plan, m.Plan.occurred_at)],
            regimen=[_regimen(r) for r in rows("regimen", m.RegimenItem, m.RegimenItem.start_at)],
            doses=doses,
            sessions=[
                _session(r)
                for r in rows("sessions", m.ProcedureSession, m.ProcedureSession.occurred_at)
            ],
            notes=[_note(r) for r in rows("notes", m.Note, m.Note.occurred_at)],
        )

    @staticmethod
    def _dose_rows(s: Session, person_id: str, *, ordered: bool = True) -> Sequence[Any]:
        query = select(
            m.DoseLog.id, m.DoseLog.regimen_id, m.DoseLog.occurred_at, m.DoseLog.status
        ).where(m.DoseLog.person_id == person_id)
        if ordered:
            query = query.order_by(m.DoseLog.occurred_at, m.DoseLog.id)
        return s.execute(query).all()

    def history(self, person_id: str, *, kinds: Sequence[str] | None = None) -> HistoryResult:
        """A person's timeline, oldest first (``kinds`` keeps only some event kinds).

        Only the tables the wanted kinds come from are read; dose rows (thousands per person
        after a few years) become events directly, without an intermediate record.
        """
        if kinds is not None:
            unknown = [k for k in kinds if k not in EVENT_KINDS]
            if unknown:
                raise InvalidInput(
                    problems=[
                        Problem("kinds", "one of " + ", ".join(EVENT_KINDS), k) for k in unknown
                    ]
                )
        wanted = set(EVENT_KINDS if kinds is None else kinds)
        tables = {table for table, made in TABLE_EVENTS.items() if made & wanted}
        with _cyclic_gc_paused():
            with self.reading() as s:
                recs = self._records(s, person_id, tables - {"doses"})
                # unordered: the events are sorted once below (saves SQLite a temporary sort)
                dose_rows = (
                    self._dose_rows(s, person_id, ordered=False) if "doses" in tables else []
                )
            events = [e for record in recs.all() for e in event_of(record)]
            events += [
                HistoryEvent(kind="dose", id=i, date=d, regimen_id=g, status=st)
                for i, g, d, st in dose_rows
            ]
            events = sort_events([e for e in events if e.kind in wanted])
            return HistoryResult(person=recs.person, events=events)

    def progress(self, person_id: str, date_from: When, date_to: When = None) -> ProgressResult:
        """What changed between two dates.

        ``date_to`` defaults to now. Without ``date_from``, each measure is compared from its own
        first record ("since the beginning").
        """
        start = parse_when(date_from, field="from") if date_from is not None else None
        end = self._when(date_to, "to")
        recs = self.records(person_id)
        if start is None:
            firsts: list[datetime] = [a.date for a in recs.assessments]
            firsts += [a.date for a in recs.analyses] + [p.date for p in recs.photos]
            firsts += [x.date for x in recs.sessions] + [r.start for r in recs.regimen]
            start = min(firsts) if firsts else recs.person.created_at
        return compare_progress(
            recs.person,
            start,
            end,
            assessments=recs.assessments,
            analyses=recs.analyses,
            regimen=recs.regimen,
            doses=recs.doses,
            sessions=recs.sessions,
            from_first=date_from is None,
        )

    # --- data safety ------------------------------------------------------------------------------

    def export_zip(self, out: str | Path, person_ids: Sequence[str] = ()) -> Any:
        """Write people (default: everyone) and their photos to one zip (``scarwise-export/1``)."""
        from scarwise.store.transfer import export_zip

        return export_zip(self, Path(out), person_ids)

    def import_zip(self, path: str | Path) -> Any:
        """Read an export into this store, all or nothing."""
        from scarwise.store.transfer import import_zip

        return import_zip(self, Path(path))

    def backup(self, out: str | Path) -> Any:
        """Copy the database (SQLite online backup) and its photos to ``out``."""
        from scarwise.store.backup import backup

        return backup(self, Path(out))

    def restore(self, source: str | Path) -> Any:
        """Replace this store's content with a backup made by :meth:`backup`."""
        from scarwise.store.backup import restore

        return restore(self, Path(source))

    def report(self, person_id: str, out: str | Path) -> Any:
        """Write the HTML progress report of one person."""
        from scarwise.reports.progress_report import write_progress_report

        return write_progress_report(self, person_id, Path(out))


# --- helpers -------------------------------------------------------------------------------------


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while thousands of records are built.

    Every 700 new objects start a collection that walks SQLAlchemy's large object graph; for a
    person with years of daily doses that was half the time of :meth:`Store.history`
    (BENCHMARKS.md). Reference counting still frees everything; only cycle detection waits until
    the block ends. Nested or concurrent use is harmless: the collector is re-enabled only by the
    block that disabled it.
    """
    was_enabled = gc.isenabled()
    if was_enabled:
        gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _kb_version() -> str:
    import scarwise

    return str(scarwise.load_knowledge_base().version)  # type: ignore[attr-defined,unused-ignore]


def _treatment_problems(treatment: str) -> list[Problem]:
    if treatment in known_treatments():
        return []
    return [
        Problem(
            "treatment",
            "a treatment id from the knowledge base (see contracts/treatments.txt)",
            treatment,
        )
    ]


def _text(
    value: str | None, field_name: str, *, required: bool = False, limit: int = _MAX_NAME
) -> str | None:
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


def _require_person(s: Session, person_id: str) -> m.Person:
    return _require(s, m.Person, person_id, "person")


def _require(s: Session, model: type[_T], id_: str, what: str) -> _T:
    row = s.get(model, id_)
    if row is None:
        raise NotFound(
            f"{what}: no {what} with id {id_!r}",
            problems=[Problem(what, f"an existing {what} id", id_)],
        )
    return row


def _person(r: m.Person) -> PersonRecord:
    return PersonRecord(id=r.id, name=r.name, created_at=r.created_at)


def _assessment(r: m.Assessment) -> AssessmentRecord:
    return AssessmentRecord(
        id=r.id,
        person_id=r.person_id,
        scale=r.scale,
        score=r.score,
        max=r.max,
        date=r.occurred_at,
        rater=r.rater,
        region=r.region,
        inputs=r.inputs,
        result=r.result,
    )


def _photo(r: m.Photo) -> PhotoRecord:
    return PhotoRecord(
        id=r.id,
        person_id=r.person_id,
        date=r.occurred_at,
        sha256_original=r.sha256_original,
        sha256=r.sha256,
        width_px=r.width_px,
        height_px=r.height_px,
        region=r.region,
    )


def _analysis(r: m.Analysis, photo_ids: list[str]) -> AnalysisRecord:
    return AnalysisRecord(
        id=r.id,
        person_id=r.person_id,
        kind=r.kind,
        date=r.occurred_at,
        photo_ids=photo_ids,
        software_version=r.software_version,
        result=r.result,
    )


def _plan(r: m.Plan) -> PlanRecord:
    return PlanRecord(
        id=r.id,
        person_id=r.person_id,
        date=r.occurred_at,
        knowledge_base_version=r.knowledge_base_version,
        status=r.status,
        profile=r.profile,
        plan=r.plan,
    )


def _regimen(r: m.RegimenItem) -> RegimenItemRecord:
    return RegimenItemRecord(
        id=r.id,
        person_id=r.person_id,
        treatment=r.treatment,
        frequency=r.frequency,
        start=r.start_at,
        stop=r.stop_at,
        notes=r.notes,
    )


def _dose(r: m.DoseLog) -> DoseRecord:
    return DoseRecord(
        id=r.id, person_id=r.person_id, regimen_id=r.regimen_id, date=r.occurred_at, status=r.status
    )


def _session(r: m.ProcedureSession) -> SessionRecord:
    return SessionRecord(
        id=r.id,
        person_id=r.person_id,
        treatment=r.treatment,
        date=r.occurred_at,
        provider=r.provider,
        settings=r.settings,
        downtime_days=r.downtime_days,
        side_effects=list(r.side_effects),
        outcome_rating=r.outcome_rating,
        notes=r.notes,
    )


def _note(r: m.Note) -> NoteRecord:
    return NoteRecord(id=r.id, person_id=r.person_id, date=r.occurred_at, text=r.text)
