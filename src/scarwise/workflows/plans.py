"""Plan a profile and keep the plan with its profile and knowledge-base version."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scarwise.knowledge import load_knowledge_base
from scarwise.planner import plan
from scarwise.store import Store
from scarwise.store.base import When
from scarwise.tracking.models import PlanResult

__all__ = ["save_plan"]


def save_plan(
    store: Store, person_id: str, profile: Mapping[str, Any], *, date: When = None
) -> PlanResult:
    """Make a plan for ``profile`` with the planner and keep both; it becomes the active plan
    (earlier plans are superseded).

    Raises
    ------
    NotFound
        No such person (checked before planning).
    ProfileError
        The profile is not valid (``contracts/profile.md``).
    """
    store.get_person(person_id)
    plan_json = plan(dict(profile)).to_json_dict()
    version = str(plan_json.get("knowledge_base_version") or load_knowledge_base().version)
    return store.record_plan(
        person_id, profile, plan_json, knowledge_base_version=version, date=date
    )
