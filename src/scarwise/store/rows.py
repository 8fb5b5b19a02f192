"""Row mappers: the ORM rows of :mod:`scarwise.store.models` to and from tracking records.

Reading, each ``*_record`` function turns one row into the pydantic record of
:mod:`scarwise.tracking.models`; writing an import, :func:`add_records` turns a whole
:class:`~scarwise.tracking.PersonRecords` back into rows, keeping every id and date.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import insert
from sqlalchemy.orm import Session

from scarwise.store import models as m
from scarwise.tracking.models import (
    AnalysisRecord,
    AssessmentRecord,
    DoseRecord,
    NoteRecord,
    PersonRecord,
    PersonRecords,
    PhotoRecord,
    PlanRecord,
    RegimenItemRecord,
    SessionRecord,
)

__all__ = [
    "add_records",
    "analysis_record",
    "assessment_record",
    "dose_record",
    "note_record",
    "person_record",
    "photo_record",
    "plan_record",
    "regimen_record",
    "session_record",
]


def person_record(r: m.Person) -> PersonRecord:
    return PersonRecord(id=r.id, name=r.name, created_at=r.created_at)


def assessment_record(r: m.Assessment) -> AssessmentRecord:
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


def photo_record(r: m.Photo) -> PhotoRecord:
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


def analysis_record(r: m.Analysis, photo_ids: list[str]) -> AnalysisRecord:
    """The analysis with the ids of its photos (rows of ``analysis_photos``, in order)."""
    return AnalysisRecord(
        id=r.id,
        person_id=r.person_id,
        kind=r.kind,
        date=r.occurred_at,
        photo_ids=photo_ids,
        software_version=r.software_version,
        result=r.result,
    )


def plan_record(r: m.Plan) -> PlanRecord:
    return PlanRecord(
        id=r.id,
        person_id=r.person_id,
        date=r.occurred_at,
        knowledge_base_version=r.knowledge_base_version,
        status=r.status,
        profile=r.profile,
        plan=r.plan,
    )


def regimen_record(r: m.RegimenItem) -> RegimenItemRecord:
    return RegimenItemRecord(
        id=r.id,
        person_id=r.person_id,
        treatment=r.treatment,
        frequency=r.frequency,
        start=r.start_at,
        stop=r.stop_at,
        notes=r.notes,
    )


def dose_record(r: m.DoseLog) -> DoseRecord:
    return DoseRecord(
        id=r.id, person_id=r.person_id, regimen_id=r.regimen_id, date=r.occurred_at, status=r.status
    )


def session_record(r: m.ProcedureSession) -> SessionRecord:
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


def note_record(r: m.Note) -> NoteRecord:
    return NoteRecord(id=r.id, person_id=r.person_id, date=r.occurred_at, text=r.text)


def add_records(s: Session, records: PersonRecords, stored_as: Mapping[str, str]) -> None:
    """Add one person and every record of theirs to the session, ids and dates unchanged.

    ``stored_as`` maps each photo's ``sha256`` to the hash of the file the store keeps for it.
    Doses (thousands per person) go in as one bulk insert.
    """
    p = records.person
    s.add(m.Person(id=p.id, name=p.name, created_at=p.created_at))
    s.flush()
    s.add_all(
        m.Assessment(
            id=a.id,
            person_id=a.person_id,
            occurred_at=a.date,
            scale=a.scale,
            score=a.score,
            max=a.max,
            rater=a.rater,
            region=a.region,
            inputs=a.inputs,
            result=a.result,
        )
        for a in records.assessments
    )
    s.add_all(
        m.Photo(
            id=ph.id,
            person_id=ph.person_id,
            occurred_at=ph.date,
            sha256_original=ph.sha256_original,
            sha256=stored_as[ph.sha256],
            width_px=ph.width_px,
            height_px=ph.height_px,
            region=ph.region,
        )
        for ph in records.photos
    )
    s.add_all(
        m.Plan(
            id=pl.id,
            person_id=pl.person_id,
            occurred_at=pl.date,
            knowledge_base_version=pl.knowledge_base_version,
            status=pl.status,
            profile=pl.profile,
            plan=pl.plan,
        )
        for pl in records.plans
    )
    s.add_all(
        m.RegimenItem(
            id=r.id,
            person_id=r.person_id,
            treatment=r.treatment,
            frequency=r.frequency,
            start_at=r.start,
            stop_at=r.stop,
            notes=r.notes,
        )
        for r in records.regimen
    )
    s.add_all(
        m.ProcedureSession(
            id=x.id,
            person_id=x.person_id,
            occurred_at=x.date,
            treatment=x.treatment,
            provider=x.provider,
            settings=x.settings,
            downtime_days=x.downtime_days,
            side_effects=x.side_effects,
            outcome_rating=x.outcome_rating,
            notes=x.notes,
        )
        for x in records.sessions
    )
    s.add_all(
        m.Note(id=n.id, person_id=n.person_id, occurred_at=n.date, text=n.text)
        for n in records.notes
    )
    s.add_all(
        m.Analysis(
            id=a.id,
            person_id=a.person_id,
            occurred_at=a.date,
            kind=a.kind,
            software_version=a.software_version,
            result=a.result,
        )
        for a in records.analyses
    )
    s.flush()
    s.add_all(
        m.AnalysisPhoto(analysis_id=a.id, photo_id=pid, position=i)
        for a in records.analyses
        for i, pid in enumerate(a.photo_ids)
    )
    if records.doses:
        s.execute(
            insert(m.DoseLog),
            [
                {
                    "id": d.id,
                    "person_id": d.person_id,
                    "regimen_id": d.regimen_id,
                    "occurred_at": d.date,
                    "status": d.status,
                }
                for d in records.doses
            ],
        )
