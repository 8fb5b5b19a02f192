"""Plans: a ``plan/1`` kept with its profile and knowledge-base version; the newest is active.

At most one plan per person is active, whatever runs at once: a save locks the person's row
(``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already serialises
writers) before it supersedes the active plan, so concurrent saves queue instead of each keeping
its own; and a partial unique index (revision 0003) makes a second active plan impossible.

The store keeps plans; planning a profile and keeping the plan is the workflow
:func:`scarwise.workflows.save_plan`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import update

from scarwise.errors import InvalidInput
from scarwise.store import models as m
from scarwise.store.base import StoreBase, When
from scarwise.store.checks import MAX_LABEL, json_problems, require_person
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
    problems = json_problems(dict(profile), "profile") + json_problems(dict(plan), "plan")
    if problems:
        raise InvalidInput(problems=problems)
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
        require_person(s, person_id, lock=True)
        s.execute(
            update(m.Plan)
            .where(m.Plan.person_id == person_id, m.Plan.status == "active")
            .values(status="superseded")
        )
        s.add(row)
    return PlanResult(plan=plan_record(row))
