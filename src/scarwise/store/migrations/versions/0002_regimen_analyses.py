"""Regimen items with their adherence (dose) log, and photo analyses.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from scarwise.store.models import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "regimen_items",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("person_id", sa.String(32), nullable=False),
        sa.Column("treatment", sa.String(60), nullable=False),
        sa.Column("frequency", sa.String(40), nullable=False),
        sa.Column("start_at", UtcDateTime(), nullable=False),
        sa.Column("stop_at", UtcDateTime(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name="fk_regimen_items_person_id_people",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_regimen_items"),
    )
    op.create_index("ix_regimen_items_person", "regimen_items", ["person_id", "start_at"])
    op.create_table(
        "dose_logs",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("person_id", sa.String(32), nullable=False),
        sa.Column("regimen_id", sa.String(32), nullable=False),
        sa.Column("occurred_at", UtcDateTime(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name="fk_dose_logs_person_id_people", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["regimen_id"],
            ["regimen_items.id"],
            name="fk_dose_logs_regimen_id_regimen_items",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_dose_logs"),
    )
    op.create_index("ix_dose_logs_person_time", "dose_logs", ["person_id", "occurred_at"])
    op.create_index("ix_dose_logs_regimen", "dose_logs", ["regimen_id"])
    op.create_table(
        "analyses",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("person_id", sa.String(32), nullable=False),
        sa.Column("occurred_at", UtcDateTime(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("software_version", sa.String(40), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name="fk_analyses_person_id_people", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_analyses"),
    )
    op.create_index("ix_analyses_person_time", "analyses", ["person_id", "occurred_at"])
    op.create_table(
        "analysis_photos",
        sa.Column("analysis_id", sa.String(32), nullable=False),
        sa.Column("photo_id", sa.String(32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["analysis_id"],
            ["analyses.id"],
            name="fk_analysis_photos_analysis_id_analyses",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["photo_id"],
            ["photos.id"],
            name="fk_analysis_photos_photo_id_photos",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("analysis_id", "photo_id", name="pk_analysis_photos"),
    )


def downgrade() -> None:
    for table in ("analysis_photos", "analyses", "dose_logs", "regimen_items"):
        op.drop_table(table)
