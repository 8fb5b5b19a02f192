"""Keep a finished self-assessment: its scores and, as a plan, the profile it gave.

The self-assessment (:func:`scarwise.assess.assess`) turns answers into scores and a profile;
this keeps both in one person's records, so starting to track progress after the wizard carries
its results instead of asking the questions again. The profile is kept the only way the store
keeps one: with the plan made from it (:func:`scarwise.workflows.save_plan`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scarwise.assess import assess
from scarwise.assess.models import Assessment
from scarwise.planner import plan
from scarwise.store import Store
from scarwise.store.base import When
from scarwise.workflows.assessments import record_assessment
from scarwise.workflows.plans import save_plan

__all__ = ["SavedSelfAssessment", "save_self_assessment", "start_tracking"]


@dataclass(frozen=True)
class SavedSelfAssessment:
    """What :func:`save_self_assessment` kept: one assessment per scale and the plan."""

    person_id: str
    assessment_ids: dict[str, str]
    plan_id: str


def save_self_assessment(
    store: Store,
    person_id: str,
    answers: Mapping[str, Any] | Assessment,
    *,
    date: When = None,
) -> SavedSelfAssessment:
    """Keep the scores of a self-assessment and the plan of its profile for ``person_id``.

    ``answers`` are the questionnaire's answers (``scarwise assess``), or the assessment they
    gave. Everything is checked (the answers, the profile, the plan, the person) before the
    first record is written.

    Raises
    ------
    NotFound
        No such person.
    InvalidInput
        The answers are not complete or not valid.
    """
    result = answers if isinstance(answers, Assessment) else assess(answers)
    profile = result.profile.model_dump(mode="json", exclude_none=True)
    plan(profile)  # a profile the planner refuses stops here, before anything is kept
    store.get_person(person_id)
    ids = {
        scale: record_assessment(
            store, person_id, scale, scored.to_json_dict(), date=date
        ).assessment.id
        for scale, scored in result.scores.items()
    }
    saved = save_plan(store, person_id, profile, date=date).plan
    return SavedSelfAssessment(person_id, ids, saved.id)


def start_tracking(
    store: Store, name: str, answers: Mapping[str, Any] | Assessment, *, date: When = None
) -> SavedSelfAssessment:
    """Add a person named ``name`` with the self-assessment's scores and plan already kept.

    The answers are checked before the person is added, so refused answers add nobody.
    """
    result = answers if isinstance(answers, Assessment) else assess(answers)
    plan(result.profile.model_dump(mode="json", exclude_none=True))
    person = store.add_person(name).person
    return save_self_assessment(store, person.id, result, date=date)
