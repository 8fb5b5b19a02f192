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
    counts = {
        "icepick": scars.icepick,
        "boxcar_shallow": scars.boxcar_shallow,
        "boxcar_deep": scars.boxcar_deep,
        "rolling": scars.rolling,
        "hypertrophic": scars.hypertrophic,
        "keloid": scars.keloid,
        "papular": scars.papular,
    }
    sites = profile.scar_sites or {}
    located = {
        kind: set(sites.get(kind, profile.regions))  # type: ignore[call-overload]
        for kind, count in counts.items()
        if count > 0
    }
    regions = set().union(*located.values()) if located else set(profile.regions)
    on_face = [
        kind
        for kind in ("icepick", "boxcar_shallow", "boxcar_deep", "rolling")
        if "face" in located.get(kind, ())
    ]
    raised_scars = scars.hypertrophic > 0 or scars.keloid > 0
    stopped = profile.isotretinoin_months_since_stop
    pregnancy = profile.pregnancy
    return {
        "isotretinoin": profile.isotretinoin,
        "on_isotretinoin": profile.isotretinoin in ("current",),
        "isotretinoin_within_1_month": profile.isotretinoin == "current"
        or (stopped is not None and stopped < 1),
        "active_acne": profile.active_acne,
        "fitzpatrick": profile.fitzpatrick,
        "pih_prone": profile.fitzpatrick in (4, 5, 6) or profile.pigment_change_after_procedures,
        "pregnancy": pregnancy,
        "pregnant_or_breastfeeding": pregnancy
        in ("pregnant", "breastfeeding", "trying_to_conceive"),
        "keloid_history": profile.keloid_history,
        "keloid_tendency": profile.keloid_history or raised_scars or scars.papular > 0,
        "raised_scars": raised_scars,
        "severe_atrophic": scars.icepick > 0 or scars.boxcar_deep > 0,
        "herpes_labialis_history": profile.herpes_labialis_history,
        "anticoagulants": profile.anticoagulants,
        "bdd_screen_positive": profile.bdd_screen_positive,
        "minor": profile.age <= 17,
        "age_over_21": profile.age >= 22,
        "hypopigmentation": profile.marks.hypopigmentation,
        "trunk": bool(regions & {"chest", "back"}),
        "atrophic_on_face": bool(on_face),
        "distensible": profile.distensible,
        "scars_recent": profile.scar_age_months is not None and profile.scar_age_months < 6,
        "photosensitising_drugs": profile.photosensitising_drugs,
        "recent_tan": profile.recent_tan,
        "vitiligo_or_koebner": profile.vitiligo_or_koebner,
        "immunosuppressed": profile.immunosuppressed,
        "smoker": profile.smoker,
        "lidocaine_allergy": profile.lidocaine_allergy,
        "bovine_collagen_allergy": profile.bovine_collagen_allergy,
        "permanent_filler_in_area": profile.permanent_filler_in_area,
        "implanted_electronic_device": profile.implanted_electronic_device,
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
