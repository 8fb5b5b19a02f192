"""THE final check: no plan with a contraindicated or avoided treatment is ever emitted.

:func:`enforce` runs last, on every finished plan. It reads the ``exclude`` rules of the knowledge
base (``knowledge/data/rules.yaml``, where every contraindication is written down once, as data)
and the person's ``avoids``, and evaluates them against the profile with its own few lines of
code: its own facts (:func:`safety_facts`), its own test of a rule's ``when``, no memo and no
table shared with the selection step. A mistake in the selection's screening therefore cannot
hide from this check; the property tests run both over random profiles and compare them.

If anything is wrong the plan is not returned: :class:`~scarwise.errors.SafetyViolation` lists
every problem.
"""

from __future__ import annotations

from scarwise.errors import Problem, SafetyViolation
from scarwise.knowledge.models import KnowledgeBase
from scarwise.planner.models import Plan, Profile

__all__ = ["enforce", "forbidden_treatments", "safety_facts"]


def safety_facts(profile: Profile) -> dict[str, object]:
    """The facts the knowledge base's rules may test, worked out from the profile.

    Written out here on purpose rather than shared with the planner: the property tests check
    that both give the same blocked treatments for every profile.
    """
    scars = profile.scars
    raised_scars = scars.hypertrophic > 0 or scars.keloid > 0
    return {
        "isotretinoin": profile.isotretinoin,
        "active_acne": profile.active_acne,
        "fitzpatrick": profile.fitzpatrick,
        "pregnant_or_breastfeeding": profile.pregnant_or_breastfeeding,
        "keloid_history": profile.keloid_history,
        "keloid_tendency": profile.keloid_history or raised_scars or scars.papular > 0,
        "raised_scars": raised_scars,
        "severe_atrophic": scars.icepick > 0 or scars.boxcar_deep > 0,
        "herpes_labialis_history": profile.herpes_labialis_history,
        "anticoagulants": profile.anticoagulants,
        "bdd_screen_positive": profile.bdd_screen_positive,
        "age_over_21": profile.age > 21,
        "hypopigmentation": profile.marks.hypopigmentation,
        "trunk": "chest" in profile.regions or "back" in profile.regions,
    }


def forbidden_treatments(profile: Profile, kb: KnowledgeBase) -> dict[str, str]:
    """Every treatment that must not be offered to this person: id -> why.

    Why is ``"contraindication"`` (an ``exclude`` rule whose every ``when`` test passes) or
    ``"avoided"`` (named in ``avoids`` and not contraindicated).

    Raises
    ------
    SafetyViolation
        A rule tests a fact :func:`safety_facts` does not know, so it cannot be checked.
    """
    facts = safety_facts(profile)
    forbidden: dict[str, str] = {}
    unknown: list[Problem] = []
    for rule in kb.rules:
        if rule.effect != "exclude":
            continue
        applies = True
        for fact, allowed in rule.when.items():
            if fact not in facts:
                unknown.append(Problem(f"rules.{rule.id}.when", "a fact the check knows", fact))
                applies = False
            elif facts[fact] not in allowed:
                applies = False
        if applies:
            for tid in rule.treatments:
                forbidden[tid] = "contraindication"
    if unknown:
        raise SafetyViolation(
            "internal error: the safety check cannot evaluate every rule", problems=unknown
        )
    for tid in profile.avoids:
        forbidden.setdefault(tid, "avoided")
    return forbidden


def enforce(plan: Plan, profile: Profile, kb: KnowledgeBase) -> Plan:
    """Return ``plan`` unchanged if it is safe; raise :class:`SafetyViolation` otherwise.

    Checks, from the rules and the profile alone: no contraindicated or avoided treatment in any
    phase (as a recommendation or an alternative), no treatment twice, and a disclaimer.
    """
    forbidden = forbidden_treatments(profile, kb)
    problems: list[Problem] = []
    seen: set[str] = set()
    for phase in plan.phases:
        field = f"phases.{phase.key}"
        for rec in phase.recommendations:
            if rec.treatment in seen:
                problems.append(Problem(field, "each treatment at most once", rec.treatment))
            seen.add(rec.treatment)
            for tid in (rec.treatment, *rec.alternatives):
                if tid in forbidden:
                    problems.append(Problem(field, f"no {forbidden[tid]} treatment", tid))
    if not plan.disclaimer.strip():
        problems.append(Problem("disclaimer", "a non-empty disclaimer", plan.disclaimer))
    if problems:
        raise SafetyViolation(
            "internal error: an unsafe plan was blocked and not emitted", problems=problems
        )
    return plan
