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

from scarwise.errors import Problem, SafetyViolation
from scarwise.planner.models import Plan, Profile
from scarwise.planner.rules import Facts, KBIndex, facts_for

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


def blocked_treatments(index: KBIndex, facts: Facts, avoids: Iterable[str]) -> Mapping[str, Block]:
    """Every treatment id that must not be in a plan for these facts, with why.

    Pure; memoised on (knowledge-base version, facts, avoids) because the fact space is small.
    """
    avoided = tuple(sorted(set(avoids)))
    key = (index.kb.version, *sorted(facts.items()), avoided)
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    found: dict[str, tuple[list[str], list[str], list[str]]] = {}
    for compiled in index.by_effect["exclude"]:
        if not compiled.holds(facts):
            continue
        rule = compiled.rule
        for tid in rule.treatments:
            reasons, refs, rules = found.setdefault(tid, ([], [], []))
            reasons.append(rule.text)
            rules.append(rule.id)
            refs.extend(r for r in rule.references if r not in refs)
    blocked: dict[str, Block] = {
        tid: Block("contraindication", tuple(reasons), tuple(refs), tuple(rules))
        for tid, (reasons, refs, rules) in found.items()
    }
    for tid in avoided:
        if tid not in blocked:
            blocked[tid] = Block("avoided", ("you asked to avoid this treatment",), (), ())
    if len(_CACHE) >= _CACHE_LIMIT:
        _CACHE.clear()
    _CACHE[key] = blocked
    return blocked


def screen(
    index: KBIndex, facts: Facts, avoids: Iterable[str], considered: Iterable[str]
) -> tuple[list[str], dict[str, Block]]:
    """Split the considered treatment ids into (allowed, {blocked id: why}), order kept."""
    blocked = blocked_treatments(index, facts, avoids)
    allowed: list[str] = []
    out: dict[str, Block] = {}
    for tid in considered:
        if tid in blocked:
            out[tid] = blocked[tid]
        else:
            allowed.append(tid)
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
