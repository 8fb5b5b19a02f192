"""THE contraindication filter: the one place that decides what may never enter a plan.

Every path to a plan goes through this module twice:

1. :func:`screen` splits the considered treatments into allowed and blocked (contraindicated by an
   ``exclude`` rule of the knowledge base, or named in the person's ``avoids``), with the reasons
   and references of every rule that fired;
2. :func:`enforce` runs last, on the finished plan: it re-derives the blocked set from the rules
   and the profile, independently of step 1, and raises :class:`~scarwise.errors.SafetyViolation`
   if any blocked treatment reached ``phases`` (as a recommendation or an alternative). The plan
   is then never emitted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from scarwise.errors import Problem, SafetyViolation
from scarwise.planner.models import Plan, Profile
from scarwise.planner.rules import Facts, KBIndex, facts_for, rule_mask

__all__ = ["Block", "blocked_treatments", "enforce", "screen"]


@dataclass(frozen=True, slots=True)
class Block:
    """Why a treatment is out: the kind, reasons, references and rule ids (immutable)."""

    kind: str  # "contraindication" or "avoided"
    reasons: tuple[str, ...]
    references: tuple[str, ...]
    rules: tuple[str, ...]


_CACHE: dict[tuple[object, ...], Mapping[str, Block]] = {}
_CACHE_LIMIT = 20_000
_AVOIDED: Final = Block("avoided", ("you asked to avoid this treatment",), (), ())


def blocked_treatments(index: KBIndex, facts: Facts, avoids: Iterable[str]) -> Mapping[str, Block]:
    """Every treatment id that must not be in a plan for these facts, with why.

    Contraindications first (every ``exclude`` rule that holds, with its reasons and references),
    then the person's ``avoids`` that no rule already excludes. Pure; the contraindications are
    memoised on (knowledge-base version, the exclude rules that fire): many profiles fire the
    same few rules.
    """
    mask = rule_mask(index, facts)
    key = (index.kb.version, mask & index.exclude_mask)  # which exclude rules hold
    contraindicated = _CACHE.get(key)
    if contraindicated is None:
        contraindicated = _contraindications(index, mask)
        if len(_CACHE) >= _CACHE_LIMIT:
            _CACHE.clear()
        _CACHE[key] = contraindicated
    if not avoids:
        return contraindicated
    avoided = [tid for tid in sorted(set(avoids)) if tid not in contraindicated]
    if not avoided:
        return contraindicated
    blocked = dict(contraindicated)
    for tid in avoided:
        blocked[tid] = _AVOIDED
    return blocked


def _contraindications(index: KBIndex, mask: int) -> Mapping[str, Block]:
    found: dict[str, tuple[list[str], list[str], list[str]]] = {}
    for compiled, bit in zip(index.by_effect["exclude"], index.effect_bits["exclude"], strict=True):
        if not mask & bit:
            continue
        rule = compiled.rule
        for tid in rule.treatments:
            reasons, refs, rules = found.setdefault(tid, ([], [], []))
            reasons.append(rule.text)
            rules.append(rule.id)
            refs.extend(r for r in rule.references if r not in refs)
    return {
        tid: Block("contraindication", tuple(reasons), tuple(refs), tuple(rules))
        for tid, (reasons, refs, rules) in found.items()
    }


def screen(
    index: KBIndex, facts: Facts, avoids: Iterable[str], considered: Iterable[str]
) -> tuple[list[str], dict[str, Block]]:
    """Split the considered treatment ids into (allowed, {blocked id: why}), order kept."""
    blocked = blocked_treatments(index, facts, avoids)
    allowed = [tid for tid in considered if tid not in blocked]
    out = {tid: blocked[tid] for tid in considered if tid in blocked}
    return allowed, out


def enforce(plan: Plan, profile: Profile, index: KBIndex) -> Plan:
    """Return ``plan`` unchanged if it is safe; raise :class:`SafetyViolation` otherwise.

    Checks, from the rules and the profile alone: no contraindicated or avoided treatment in any
    phase (as a recommendation or an alternative), no treatment twice, and a disclaimer.
    """
    blocked = blocked_treatments(index, facts_for(profile), profile.avoids)
    problems: list[Problem] = []
    seen: set[str] = set()
    for phase in plan.phases:
        for rec in phase.recommendations:
            if rec.treatment in seen:
                problems.append(
                    Problem(f"phases.{phase.key}", "each treatment at most once", rec.treatment)
                )
            seen.add(rec.treatment)
            for tid in (rec.treatment, *rec.alternatives):
                if tid in blocked:
                    problems.append(
                        Problem(f"phases.{phase.key}", f"no {blocked[tid].kind} treatment", tid)
                    )
    if not plan.disclaimer.strip():
        problems.append(Problem("disclaimer", "a non-empty disclaimer", plan.disclaimer))
    if problems:
        raise SafetyViolation(
            "internal error: an unsafe plan was blocked and not emitted", problems=problems
        )
    return plan
