"""Records of a person's history and the ``track`` result objects (``contracts/cli.md``).

Records are plain pydantic values: the store builds them from its rows, the pure functions in
:mod:`scarwise.tracking` compute on them, and the results wrap them for ``--json``, the web API
and the HTML report. Every date is an aware UTC :class:`~datetime.datetime`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from scarwise.results import Result

__all__ = [
    "AdherenceDay",
    "AdherenceSummary",
    "AnalysisKind",
    "AnalysisRecord",
    "AnalysisResult",
    "AssessmentRecord",
    "AssessmentResult",
    "BackupInfo",
    "BackupResult",
    "DeletedInfo",
    "DeletedResult",
    "DoseRecord",
    "DoseResult",
    "DoseStatus",
    "ExportInfo",
    "ExportResult",
    "HistoryEvent",
    "HistoryResult",
    "ImportInfo",
    "ImportResult",
    "NoteRecord",
    "NoteResult",
    "PeopleResult",
    "PersonRecord",
    "PersonRecords",
    "PersonResult",
    "PhotoRecord",
    "PhotosResult",
    "PlanRecord",
    "PlanResult",
    "PlanStatus",
    "ProgressResult",
    "Record",
    "RednessChange",
    "RegimenItemRecord",
    "RegimenListResult",
    "RegimenResult",
    "ReportInfo",
    "ReportResult",
    "RestoreResult",
    "ScaleChange",
    "ScarChange",
    "ScorePoint",
    "ScoreSeries",
    "SessionRecord",
    "SessionResult",
]

Id = Annotated[
    str, Field(min_length=1, max_length=32, description="record id (the store makes 32 hex digits)")
]
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
Label = Annotated[str, Field(max_length=40)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Treatment = Annotated[str, Field(min_length=1, max_length=60)]

AnalysisKind = Literal["analyze", "analyze3d"]
DoseStatus = Literal["taken", "skipped"]
PlanStatus = Literal["active", "superseded"]


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True)


# --- records ------------------------------------------------------------------------------------


class PersonRecord(_Record):
    """One person (a patient in a clinic, or yourself)."""

    id: Id
    name: Name
    created_at: AwareDatetime


class AssessmentRecord(_Record):
    """One scored scale on one date: the ``score/1`` result kept whole, with its input."""

    id: Id
    person_id: Id
    scale: Label
    score: int
    max: int
    date: AwareDatetime
    rater: Name | None = None
    region: Label | None = None
    inputs: dict[str, Any] | None = None
    result: dict[str, Any]


class PhotoRecord(_Record):
    """A photo as stored: the intake gate's stripped PNG, addressed by ``sha256``."""

    id: Id
    person_id: Id
    date: AwareDatetime
    sha256_original: Sha256
    sha256: Sha256 = Field(description="SHA-256 of the stored, re-encoded PNG (its file name)")
    width_px: int
    height_px: int
    region: Label | None = None


class AnalysisRecord(_Record):
    """An ``analyze/1`` or ``analyze3d/1`` result of one photo or photo set."""

    id: Id
    person_id: Id
    kind: AnalysisKind
    date: AwareDatetime
    photo_ids: list[Id] = Field(default_factory=list)
    software_version: Label
    result: dict[str, Any]


class PlanRecord(_Record):
    """A saved ``plan/1`` with the profile it came from and the knowledge-base version."""

    id: Id
    person_id: Id
    date: AwareDatetime
    knowledge_base_version: Label
    status: PlanStatus
    profile: dict[str, Any]
    plan: dict[str, Any]


class RegimenItemRecord(_Record):
    """One home-care step of a regimen: a treatment at a frequency from ``start`` to ``stop``."""

    id: Id
    person_id: Id
    treatment: Treatment
    frequency: Label
    start: AwareDatetime
    stop: AwareDatetime | None = None
    notes: str | None = None


class DoseRecord(_Record):
    """One logged dose of a regimen item (taken, or deliberately skipped)."""

    id: Id
    person_id: Id
    regimen_id: Id
    date: AwareDatetime
    status: DoseStatus = "taken"


class SessionRecord(_Record):
    """One procedure session (a peel, a laser pass, subcision ...) and what followed it."""

    id: Id
    person_id: Id
    treatment: Treatment
    date: AwareDatetime
    provider: Name | None = None
    settings: dict[str, Any] = Field(default_factory=dict)
    downtime_days: float | None = Field(default=None, ge=0)
    side_effects: list[str] = Field(default_factory=list)
    outcome_rating: int | None = Field(
        default=None, ge=1, le=5, description="1 worse ... 5 much better"
    )
    notes: str | None = None


class NoteRecord(_Record):
    """A free-text note on a date."""

    id: Id
    person_id: Id
    date: AwareDatetime
    text: str


#: Any one record of a person's history.
Record = (
    AssessmentRecord
    | PhotoRecord
    | AnalysisRecord
    | PlanRecord
    | RegimenItemRecord
    | DoseRecord
    | SessionRecord
    | NoteRecord
)


class PersonRecords(BaseModel):
    """Everything stored about one person, each list oldest first.

    The store reads it (:meth:`scarwise.store.Store.records`), the reports draw it, and the
    export zip holds one per person (``people`` in ``scarwise-export.json``): one model, so what
    is exported is exactly what the store reads. Unknown keys are refused, as an import must.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    person: PersonRecord
    assessments: list[AssessmentRecord] = Field(default_factory=list)
    photos: list[PhotoRecord] = Field(default_factory=list)
    analyses: list[AnalysisRecord] = Field(default_factory=list)
    plans: list[PlanRecord] = Field(default_factory=list)
    regimen: list[RegimenItemRecord] = Field(default_factory=list)
    doses: list[DoseRecord] = Field(default_factory=list)
    sessions: list[SessionRecord] = Field(default_factory=list)
    notes: list[NoteRecord] = Field(default_factory=list)

    def all(self) -> list[Record]:
        """Every record of every list, list by list."""
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


# --- history and progress -------------------------------------------------------------------------


class HistoryEvent(BaseModel):
    """One event of a person's timeline; kind-specific fields sit beside ``kind``, ``id``, ``date``.

    Kinds: ``assessment``, ``photo``, ``analysis``, ``plan``, ``regimen``, ``regimen-stop``,
    ``dose``, ``session``, ``note``.
    """

    model_config = ConfigDict(frozen=True, extra="allow")

    kind: str
    id: str
    date: datetime


class ScorePoint(_Record):
    date: AwareDatetime
    score: int
    max: int
    assessment_id: str


class ScoreSeries(_Record):
    """Every score of one scale (and region), oldest first."""

    scale: str
    region: str | None
    points: list[ScorePoint]


class ScaleChange(_Record):
    """A scale's score at (or last before) each of the two dates."""

    scale: str
    region: str | None
    score_from: int | None
    score_to: int | None
    max: int
    change: int | None
    date_from: AwareDatetime | None
    date_to: AwareDatetime | None


class ScarChange(_Record):
    """Scar count and volume from the last ``analyze3d`` at or before each date."""

    count_from: int | None
    count_to: int | None
    count_change: int | None
    volume_from_mm3: float | None
    volume_to_mm3: float | None
    volume_change_mm3: float | None
    date_from: AwareDatetime | None = None
    date_to: AwareDatetime | None = None


class RednessChange(_Record):
    """Mean a* and erythema index from the last ``analyze`` at or before each date."""

    mean_a_star_from: float | None
    mean_a_star_to: float | None
    erythema_index_from: float | None
    erythema_index_to: float | None
    date_from: AwareDatetime | None = None
    date_to: AwareDatetime | None = None


class AdherenceDay(_Record):
    day: str = Field(description="ISO date (UTC)")
    expected: float
    taken: int
    rate: float = Field(ge=0, le=1)


class AdherenceSummary(_Record):
    """Doses taken over doses due between two dates (each day capped at what was due)."""

    expected: float
    taken: float
    rate: float | None = Field(description="0-1; null when nothing was due")
    days: list[AdherenceDay] = Field(default_factory=list)


# --- results (the --json objects) ---------------------------------------------------------------


def _schema(name: str) -> Any:
    return Field(default=name, alias="schema", serialization_alias="schema")


class PersonResult(Result):
    schema_: str = _schema("track-person/1")
    person: PersonRecord


class PeopleResult(Result):
    schema_: str = _schema("track-people/1")
    people: list[PersonRecord]


class DeletedInfo(_Record):
    person: str
    photos: int


class DeletedResult(Result):
    schema_: str = _schema("track-delete/1")
    deleted: DeletedInfo


class AssessmentResult(Result):
    schema_: str = _schema("track-assessment/1")
    assessment: AssessmentRecord


class PhotosResult(Result):
    schema_: str = _schema("track-photos/1")
    photos: list[PhotoRecord]


class AnalysisResult(Result):
    schema_: str = _schema("track-analysis/1")
    analysis: AnalysisRecord


class SessionResult(Result):
    schema_: str = _schema("track-session/1")
    session: SessionRecord


class PlanResult(Result):
    schema_: str = _schema("track-plan/1")
    plan: PlanRecord


class RegimenResult(Result):
    schema_: str = _schema("track-regimen/1")
    regimen: RegimenItemRecord


class RegimenListResult(Result):
    schema_: str = _schema("track-regimen-list/1")
    regimen: list[RegimenItemRecord]


class DoseResult(Result):
    schema_: str = _schema("track-dose/1")
    dose: DoseRecord


class NoteResult(Result):
    schema_: str = _schema("track-note/1")
    note: NoteRecord


class HistoryResult(Result):
    schema_: str = _schema("track-history/1")
    person: PersonRecord
    events: list[HistoryEvent]


class ProgressResult(Result):
    """What changed between two dates."""

    schema_: str = _schema("track-progress/1")
    person: PersonRecord
    date_from: AwareDatetime = Field(alias="from", serialization_alias="from")
    date_to: AwareDatetime = Field(alias="to", serialization_alias="to")
    scores: list[ScaleChange]
    scars: ScarChange
    redness: RednessChange
    adherence: AdherenceSummary
    sessions: list[SessionRecord]


class ExportInfo(_Record):
    file: str
    people: int
    photos: int


class ExportResult(Result):
    schema_: str = _schema("track-export/1")
    export: ExportInfo


class ImportInfo(_Record):
    people: int
    photos: int


class ImportResult(Result):
    schema_: str = _schema("track-import/1")
    import_: ImportInfo = Field(alias="import", serialization_alias="import")


class BackupInfo(_Record):
    file: str
    photo_dir: str
    photos: int
    method: str


class BackupResult(Result):
    schema_: str = _schema("track-backup/1")
    backup: BackupInfo


class RestoreResult(Result):
    schema_: str = _schema("track-restore/1")
    restore: BackupInfo


class ReportInfo(_Record):
    file: str
    plots: list[str]
    photo_pairs: int
    alignment: str


class ReportResult(Result):
    schema_: str = _schema("track-report/1")
    report: ReportInfo
