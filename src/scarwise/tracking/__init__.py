"""Pure tracking logic: regimen frequencies, adherence, score timelines, progress and history.

Nothing here touches a database, a file or the clock: :mod:`scarwise.store` reads the records
(one :class:`PersonRecords` per person) and passes them in.
"""

from scarwise.tracking.adherence import adherence
from scarwise.tracking.dates import parse_when
from scarwise.tracking.history import build_history
from scarwise.tracking.models import (
    AnalysisRecord,
    AssessmentRecord,
    DoseRecord,
    HistoryEvent,
    HistoryResult,
    NoteRecord,
    PersonRecord,
    PersonRecords,
    PhotoRecord,
    PlanRecord,
    ProgressResult,
    RegimenItemRecord,
    SessionRecord,
)
from scarwise.tracking.pairs import photo_pairs
from scarwise.tracking.progress import compare_progress
from scarwise.tracking.regimen import Frequency, parse_frequency
from scarwise.tracking.timeline import score_series

__all__ = [
    "AnalysisRecord",
    "AssessmentRecord",
    "DoseRecord",
    "Frequency",
    "HistoryEvent",
    "HistoryResult",
    "NoteRecord",
    "PersonRecord",
    "PersonRecords",
    "PhotoRecord",
    "PlanRecord",
    "ProgressResult",
    "RegimenItemRecord",
    "SessionRecord",
    "adherence",
    "build_history",
    "compare_progress",
    "parse_frequency",
    "parse_when",
    "photo_pairs",
    "score_series",
]
