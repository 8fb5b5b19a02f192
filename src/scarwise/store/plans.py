"""Plans: a ``plan/1`` kept with its profile and knowledge-base version; the newest is active.

The store keeps plans; planning a profile and keeping the plan is the workflow
:func:`scarwise.workflows.save_plan`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import update

from scarwise.store import models as m
from scarwise.store.base import StoreBase, When
from scarwise.store.checks import MAX_LABEL, require_person
from scarwise.store.rows import plan_record
from scarwise.tracking.models import PlanResult

__all__ = ["record_plan"]


def record_plan(
    store: StoreBase,
    person_id: str,
    profile: Mapping[str, Any],
    plan: Mapping[str, Any],
    *,
    knowledge_base_version: str,
    date: When = None,
) -> PlanResult:
    """Keep a plan made elsewhere; it becomes the active plan (earlier ones are superseded)."""
    when = store.when(date)
    row = m.Plan(
        id=store.new_id(),
        person_id=person_id,
        occurred_at=when,
        knowledge_base_version=knowledge_base_version[:MAX_LABEL],
        status="active",
        profile=dict(profile),
        plan=dict(plan),
    )
    with store.writing() as s:
        require_person(s, person_id)
        s.execute(
            update(m.Plan)
            .where(m.Plan.person_id == person_id, m.Plan.status == "active")
            .values(status="superseded")
        )
        s.add(row)
    return PlanResult(plan=plan_record(row))
