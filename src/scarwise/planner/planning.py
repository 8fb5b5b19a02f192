"""``plan(profile)``: the pure function from a profile and a knowledge base to a ``plan/1``.

Steps: validate the profile -> facts -> candidates by target -> safety screen -> downtime ->
choice per group -> budget -> phases -> words -> :func:`scarwise.planner.safety.enforce` (last).
The same profile and knowledge base always give the same plan; the plan records the
knowledge-base version.

This module is the one edge where the :class:`~scarwise.planner.memo.Memo` is used: it remembers
the candidates per set of targets and each finished recommendation, both pure functions of their
keys. The final safety check runs on every plan, memo or not, and uses none of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from pydantic import ValidationError

from scarwise.errors import Problem, ProfileError, from_validation_error
from scarwise.knowledge.loader import load_knowledge_base
from scarwise.knowledge.models import KnowledgeBase
from scarwise.planner.candidates import consider
from scarwise.planner.explain import (
    plan_references,
    recommendation,
    recommendation_key,
    referrals_and_warnings,
    summary,
)
from scarwise.planner.memo import MEMO, Memo
from scarwise.planner.models import (
    Budget,
    Exclusion,
    NotChosen,
    Plan,
    Profile,
    Recommendation,
    profile_problems,
)
from scarwise.planner.rules import (
    Block,
    blocked_treatments,
    facts_for,
    fired_rules,
    present_targets,
)
from scarwise.planner.safety import enforce
from scarwise.planner.select import Dropped, Selection, select
from scarwise.planner.sequence import build_phases

__all__ = ["parse_profile", "plan"]


def parse_profile(data: Mapping[str, Any] | Profile) -> Profile:
    """A :class:`Profile` from a dict (as read from JSON/YAML) or a Profile.

    Raises
    ------
    ProfileError
        Listing every problem (unknown fields, unknown treatment ids, out-of-range values).
    """
    if isinstance(data, Profile):
        return data
    if not isinstance(data, Mapping):
        raise ProfileError(
            problems=[Problem("", "a JSON object (the profile)", type(data).__name__)],
            prefix="profile",
        )
    raw = dict(data)
    problems = profile_problems(raw)  # across fields: listed with the field problems
    try:
        person = Profile.model_validate(raw, context={"cross_checked": True})
    except ValidationError as err:
        found = from_validation_error(err, cls=ProfileError, prefix="profile")
        raise ProfileError(problems=[*found.problems, *problems], prefix="profile") from err
    if problems:
        raise ProfileError(problems=problems, prefix="profile")
    return person


def plan(
    profile: Mapping[str, Any] | Profile,
    *,
    knowledge_base: KnowledgeBase | None = None,
    memo: Memo | None = None,
) -> Plan:
    """Make a treatment plan for ``profile`` (``contracts/profile.md``).

    Parameters
    ----------
    profile
        A dict as read from a profile file, or a :class:`Profile`.
    knowledge_base
        Defaults to the packaged knowledge base, loaded once per process.
    memo
        Where parts of plans are remembered; defaults to the shared
        :data:`~scarwise.planner.memo.MEMO`. Pass ``Memo(enabled=False)`` to plan without one:
        the plan is the same.

    Raises
    ------
    ProfileError
        The profile is invalid; every problem is listed.
    SafetyViolation
        A contraindicated treatment reached the plan (a bug); the plan is not returned.
    """
    person = parse_profile(profile)
    kb = knowledge_base if knowledge_base is not None else load_knowledge_base()
    memo = memo if memo is not None else MEMO
    index = memo.index(kb)
    facts = facts_for(person)
    pih = bool(facts["pih_prone"])
    targets = present_targets(person)
    fired = fired_rules(index, facts)
    candidates = memo.get("candidates", index, targets, partial(consider, index, targets))
    blocked = blocked_treatments(fired["exclude"], person.avoids)
    chosen_set = select(person, candidates, blocked, index.course_costs, facts)

    planned = {ch.candidate.id for ch in chosen_set.chosen}
    cautions: dict[str, list[str]] = {}
    waits: dict[str, int] = {}
    refs: set[str] = set()  # reference ids used; listed in the knowledge base's order at the end
    for rule in (*fired["caution"], *fired["defer"]):
        hit = planned.intersection(rule.treatments)
        for tid in hit:
            cautions.setdefault(tid, []).append(rule.text)
            if rule.weeks is not None:
                waits[tid] = max(waits.get(tid, 0), rule.weeks)
        if hit:
            refs.update(rule.references)

    items: list[tuple[str, Recommendation]] = []
    total_lo = total_hi = 0
    years: set[int] = set()
    for ch in chosen_set.chosen:
        t = ch.candidate.treatment
        own_cautions = cautions.get(t.id, ())
        rec = memo.get(
            "recommendation",
            index,
            recommendation_key(ch, own_cautions, pih),
            partial(recommendation, index, ch, own_cautions, pih),
        )
        items.append((t.phase, rec))
        lo, hi = index.course_costs[t.id]
        total_lo += lo
        total_hi += hi
        years.add(t.cost.year)
        refs.update(rec.evidence.references)
    phases = build_phases(kb, items, waits)

    excluded = [_exclusion(tid, block) for tid, block in chosen_set.blocked.items()]
    excluded += [_exclusion(d.treatment, d) for d in chosen_set.dropped]
    for e in excluded:
        refs.update(e.references)

    # Alternatives are options the dermatologist may pick, so their warnings apply too.
    offered = planned | {alt for ch in chosen_set.chosen for alt in ch.alternatives}
    considered = offered | set(chosen_set.blocked)
    referrals, warnings, urgent, rule_refs = referrals_and_warnings(
        index, fired, offered, considered
    )
    refs.update(rule_refs)
    refs.update(kb.expectations.references)
    warnings.insert(0, kb.expectations.text)
    for tid in chosen_set.preferred_unused:
        warnings.append(
            f"You preferred {kb.treatments[tid].name}, but it does not fit the scar types "
            "and marks in this profile, so it is not in the plan."
        )
    budget_note = _budget_note(person.budget_usd, (total_lo, total_hi))
    if person.budget_usd is not None and total_hi > person.budget_usd:  # over at the high end
        warnings.append(budget_note)
    tips = [tip.text for tip in kb.prevention]
    refs.update(index.prevention_references)

    result = Plan(
        knowledge_base_version=kb.version,
        urgent=urgent,
        summary=summary(index, person, targets, phases, excluded, (total_lo, total_hi)),
        phases=phases,
        excluded=excluded,
        not_chosen=_not_chosen(kb, person, chosen_set),
        referrals=referrals,
        warnings=warnings,
        prevention=tips,
        budget=Budget(
            budget_usd=person.budget_usd,
            estimated_total_usd=[total_lo, total_hi],
            cost_source_years=sorted(years),
            note=budget_note,
        ),
        references=plan_references(index, refs),
        disclaimer=kb.disclaimer,
    )
    return enforce(result, person, kb)


def _not_chosen(kb: KnowledgeBase, person: Profile, chosen_set: Selection) -> list[NotChosen]:
    """Every treatment the person preferred that is not recommended, with the reason."""
    planned = {ch.candidate.id: ch for ch in chosen_set.chosen}
    dropped = {d.treatment: d.reason for d in chosen_set.dropped}
    out: list[NotChosen] = []
    for tid in person.prefers:
        if tid in planned:
            continue
        if tid in chosen_set.blocked:
            reason = "left out for your safety: " + "; ".join(chosen_set.blocked[tid].reasons)
        elif tid in chosen_set.unsuitable:
            reason = "not suitable for you: " + chosen_set.unsuitable[tid]
        elif tid in dropped:
            reason = dropped[tid]
        elif tid in chosen_set.preferred_unused:
            reason = "it does not fit the scar types and marks in this profile"
        else:
            winner = next((ch for ch in planned.values() if tid in ch.alternatives), None)
            if winner is None:
                reason = "another option was chosen for the same scars or marks"
            else:
                also = ", which you also prefer," if winner.preferred else ""
                reason = (
                    f"{winner.candidate.treatment.name}{also} was chosen among these similar "
                    "options; this one is listed as its alternative"
                )
        out.append(NotChosen(treatment=tid, reason=reason))
    return out


def _exclusion(treatment: str, why: Block | Dropped) -> Exclusion:
    if isinstance(why, Block):
        return Exclusion(
            treatment=treatment,
            reason="; ".join(why.reasons),
            references=list(why.references),
            kind=why.kind,
            rules=list(why.rules),
        )
    return Exclusion(treatment=why.treatment, reason=why.reason, references=[], kind=why.kind)


def _budget_note(budget: float | None, total: tuple[int, int]) -> str:
    lo, hi = total
    if budget is None:
        return f"No budget limit was given; the plan's estimated cost is ${lo:,}-${hi:,}."
    if hi <= budget:
        return (
            f"The plan's estimated cost (${lo:,}-${hi:,}) is within your budget of ${budget:,.0f}."
        )
    if lo > budget:
        return (
            f"Sun protection and acne care stay in the plan whatever the budget, because they "
            f"prevent new scars; with them the low estimate (${lo:,}) is over your budget of "
            f"${budget:,.0f}. Everything else that did not fit is listed under 'Not in this plan'."
        )
    return (
        f"The plan's low estimate (${lo:,}) fits your budget of ${budget:,.0f}, but the high "
        f"estimate (${hi:,}) does not: prices vary by clinic and region."
    )
