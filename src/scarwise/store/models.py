"""The database tables, as SQLAlchemy 2 typed ORM classes.

One row class per entity. Every row belongs to a person (``person_id``, ``ON DELETE CASCADE``),
so deleting a person removes all of their records in one statement. Instants are stored in UTC
(:class:`UtcDateTime`); JSON documents (scale inputs and results, plans, analyses) are kept whole.
The Alembic revisions in ``migrations/versions`` create exactly these tables; a test compares them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

__all__ = [
    "Analysis",
    "AnalysisPhoto",
    "Assessment",
    "Base",
    "DoseLog",
    "Note",
    "PendingDeletion",
    "Person",
    "Photo",
    "Plan",
    "ProcedureSession",
    "RegimenItem",
    "UtcDateTime",
]

ID_LENGTH = 32

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """An aware instant, stored as UTC (naive UTC on SQLite, ``timestamptz`` on PostgreSQL)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; dates must be timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _person_fk() -> Mapped[str]:
    return mapped_column(
        String(ID_LENGTH), ForeignKey("people.id", ondelete="CASCADE"), nullable=False
    )


class Person(Base):
    __tablename__ = "people"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)


class Assessment(Base):
    __tablename__ = "assessments"
    __table_args__ = (Index("ix_assessments_person_time", "person_id", "occurred_at"),)

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    person_id: Mapped[str] = _person_fk()
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    scale: Mapped[str] = mapped_column(String(40), nullable=False)
    score: Mapped[int] = mapped_column(Integer, nullable=False)
    max: Mapped[int] = mapped_column(Integer, nullable=False)
    rater: Mapped[str | None] = mapped_column(String(200))
    region: Mapped[str | None] = mapped_column(String(40))
    inputs: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    result: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)


class Photo(Base):
    __tablename__ = "photos"
    __table_args__ = (Index("ix_photos_person_time", "person_id", "occurred_at"),)

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    person_id: Mapped[str] = _person_fk()
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    sha256_original: Mapped[str] = mapped_column(String(64), nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    width_px: Mapped[int] = mapped_column(Integer, nullable=False)
    height_px: Mapped[int] = mapped_column(Integer, nullable=False)
    region: Mapped[str | None] = mapped_column(String(40))


class Plan(Base):
    __tablename__ = "plans"
    __table_args__ = (
        Index("ix_plans_person_time", "person_id", "occurred_at"),
        # revision 0003: at most one active plan per person, whatever runs concurrently
        Index(
            "ux_plans_one_active",
            "person_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
    )

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    person_id: Mapped[str] = _person_fk()
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    knowledge_base_version: Mapped[str] = mapped_column(String(40), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    profile: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    plan: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)


class ProcedureSession(Base):
    __tablename__ = "sessions"
    __table_args__ = (Index("ix_sessions_person_time", "person_id", "occurred_at"),)

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    person_id: Mapped[str] = _person_fk()
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    treatment: Mapped[str] = mapped_column(String(60), nullable=False)
    provider: Mapped[str | None] = mapped_column(String(200))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    downtime_days: Mapped[float | None] = mapped_column(Float)
    side_effects: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    outcome_rating: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)


class Note(Base):
    __tablename__ = "notes"
    __table_args__ = (Index("ix_notes_person_time", "person_id", "occurred_at"),)

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    person_id: Mapped[str] = _person_fk()
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)


# --- revision 0002: regimen, adherence log, analyses ----------------------------------------------


class RegimenItem(Base):
    __tablename__ = "regimen_items"
    __table_args__ = (Index("ix_regimen_items_person", "person_id", "start_at"),)

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    person_id: Mapped[str] = _person_fk()
    treatment: Mapped[str] = mapped_column(String(60), nullable=False)
    frequency: Mapped[str] = mapped_column(String(40), nullable=False)
    start_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    stop_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    notes: Mapped[str | None] = mapped_column(Text)


class DoseLog(Base):
    __tablename__ = "dose_logs"
    __table_args__ = (
        Index("ix_dose_logs_person_time", "person_id", "occurred_at"),
        Index("ix_dose_logs_regimen", "regimen_id"),
    )

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    person_id: Mapped[str] = _person_fk()
    regimen_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("regimen_items.id", ondelete="CASCADE"), nullable=False
    )
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False)


class Analysis(Base):
    __tablename__ = "analyses"
    __table_args__ = (Index("ix_analyses_person_time", "person_id", "occurred_at"),)

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    person_id: Mapped[str] = _person_fk()
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    software_version: Mapped[str] = mapped_column(String(40), nullable=False)
    result: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)


class AnalysisPhoto(Base):
    __tablename__ = "analysis_photos"

    analysis_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("analyses.id", ondelete="CASCADE"), primary_key=True
    )
    photo_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("photos.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False)


# --- revision 0003: photo files waiting to be removed ------------------------------------------


class PendingDeletion(Base):
    """A photo file to remove once no row names it (recorded with the rows' deletion, so a crash
    between the commit and the removal is finished later: :mod:`scarwise.store.deletions`)."""

    __tablename__ = "pending_deletions"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    queued_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
