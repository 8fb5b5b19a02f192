"""One active plan per person (a partial unique index), and photo files pending removal.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06

Stores written before this revision could hold several active plans for one person (two plan
saves at once on PostgreSQL); the newest of them (by date, then id) stays active and the others
become superseded, as a later save would have made them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from scarwise.store.models import UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_ACTIVE = sa.text("status = 'active'")


def upgrade() -> None:
    op.execute(
        "UPDATE plans SET status = 'superseded' WHERE status = 'active' AND EXISTS ("
        "SELECT 1 FROM plans AS newer WHERE newer.person_id = plans.person_id "
        "AND newer.status = 'active' AND (newer.occurred_at > plans.occurred_at "
        "OR (newer.occurred_at = plans.occurred_at AND newer.id > plans.id)))"
    )
    op.create_index(
        "ux_plans_one_active",
        "plans",
        ["person_id"],
        unique=True,
        sqlite_where=_ACTIVE,
        postgresql_where=_ACTIVE,
    )
    op.create_table(
        "pending_deletions",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("queued_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name="pk_pending_deletions"),
    )


def downgrade() -> None:
    op.drop_table("pending_deletions")
    op.drop_index("ux_plans_one_active", table_name="plans")
