"""First schema: people, assessments, photos, plans, procedure sessions, notes.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from scarwise.store.models import UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _id() -> sa.Column[str]:
    return sa.Column("id", sa.String(32), nullable=False)


def _person() -> sa.Column[str]:
    return sa.Column("person_id", sa.String(32), nullable=False)


def _person_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["person_id"], ["people.id"], name=f"fk_{table}_person_id_people", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "people",
        _id(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_people"),
    )
    op.create_table(
        "assessments",
        _id(),
        _person(),
        sa.Column("occurred_at", UtcDateTime(), nullable=False),
        sa.Column("scale", sa.String(40), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("max", sa.Integer(), nullable=False),
        sa.Column("rater", sa.String(200), nullable=True),
        sa.Column("region", sa.String(40), nullable=True),
        sa.Column("inputs", sa.JSON(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=False),
        _person_fk("assessments"),
        sa.PrimaryKeyConstraint("id", name="pk_assessments"),
    )
    op.create_index("ix_assessments_person_time", "assessments", ["person_id", "occurred_at"])
    op.create_table(
        "photos",
        _id(),
        _person(),
        sa.Column("occurred_at", UtcDateTime(), nullable=False),
        sa.Column("sha256_original", sa.String(64), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("width_px", sa.Integer(), nullable=False),
        sa.Column("height_px", sa.Integer(), nullable=False),
        sa.Column("region", sa.String(40), nullable=True),
        _person_fk("photos"),
        sa.PrimaryKeyConstraint("id", name="pk_photos"),
    )
    op.create_index("ix_photos_person_time", "photos", ["person_id", "occurred_at"])
    op.create_index("ix_photos_sha256", "photos", ["sha256"])
    op.create_table(
        "plans",
        _id(),
        _person(),
        sa.Column("occurred_at", UtcDateTime(), nullable=False),
        sa.Column("knowledge_base_version", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("profile", sa.JSON(), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=False),
        _person_fk("plans"),
        sa.PrimaryKeyConstraint("id", name="pk_plans"),
    )
    op.create_index("ix_plans_person_time", "plans", ["person_id", "occurred_at"])
    op.create_table(
        "sessions",
        _id(),
        _person(),
        sa.Column("occurred_at", UtcDateTime(), nullable=False),
        sa.Column("treatment", sa.String(60), nullable=False),
        sa.Column("provider", sa.String(200), nullable=True),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("downtime_days", sa.Float(), nullable=True),
        sa.Column("side_effects", sa.JSON(), nullable=False),
        sa.Column("outcome_rating", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        _person_fk("sessions"),
        sa.PrimaryKeyConstraint("id", name="pk_sessions"),
    )
    op.create_index("ix_sessions_person_time", "sessions", ["person_id", "occurred_at"])
    op.create_table(
        "notes",
        _id(),
        _person(),
        sa.Column("occurred_at", UtcDateTime(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        _person_fk("notes"),
        sa.PrimaryKeyConstraint("id", name="pk_notes"),
    )
    op.create_index("ix_notes_person_time", "notes", ["person_id", "occurred_at"])


def downgrade() -> None:
    for table in ("notes", "sessions", "plans", "photos", "assessments", "people"):
        op.drop_table(table)
