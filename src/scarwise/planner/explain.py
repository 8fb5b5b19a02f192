"""The words of a plan: rationale per item, summary, warnings, referrals, references, disclaimer.

Every sentence is built from knowledge-base text (indication notes, rule texts, scar-type names),
so what a plan says and what the knowledge base cites cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import cast

from scarwise.knowledge.models import Rule
from scarwise.knowledge.vocabulary import Target
from scarwise.planner.index import KBIndex, target_name
from scarwise.planner.models import (
    Exclusion,
    Phase,
    PlanReference,
    Profile,
    ProfileScars,
    Recommendation,
    Referral,
)
from scarwise.planner.select import Chosen

__all__ = [
    "plan_references",
    "rationale",
    "recommendation",
    "recommendation_key",
    "referrals_and_warnings",
    "summary",
    "target_name",
]

_LINE_ORDER = {"first": 0, "add-on": 1, "alternative": 2}
_GROUP_NAMES = {
    "resurfacing": "resurfacing options",
    "icepick-focal": "focal treatments for narrow pits",
    "vascular": "treatments for red marks",
    "depigmenting": "treatments for brown marks",
    "filler": "fillers",
    "raised-focal": "treatments for raised scars",
}


def _join(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def rationale(index: KBIndex, chosen: Chosen, pih: bool) -> str:
    """Why this treatment: the strongest indication's note, the targets, and why it won its group."""
    cand = chosen.candidate
    notes = sorted(cand.notes, key=lambda i: (_LINE_ORDER[i.line], i.target))
    parts = [notes[0].note]
    named = [index.target_names[t] for t in cand.lines if t != "all"]
    if len(named) > 1:
        parts.append(f"It fits your {_join(named)}.")
    only_alternative = all(line == "alternative" for line in cand.lines.values())
    if only_alternative and not chosen.preferred:
        parts.append(
            "It is offered because the first-line options for this were left out "
            "(see 'Not in this plan')."
        )
    if chosen.group_size > 1 and cand.treatment.group is not None:
        reason = (
            ["it ranks best among the options still open to you"]
            if only_alternative
            else ["it fits the most of your scars and marks at the highest evidence line"]
        )
        if chosen.preferred:
            reason.insert(0, "you prefer it")
        if pih and cand.treatment.pih_risk.level in ("none", "low"):
            reason.append("it carries a low risk of dark marks, which matters for your skin")
        group = _GROUP_NAMES.get(cand.treatment.group, cand.treatment.group)
        parts.append(
            f"Chosen among {chosen.group_size} suitable {group} because {_join(reason)}; "
            "the others are listed as alternatives for your dermatologist to weigh."
        )
    elif chosen.preferred:
        parts.append("Included because you prefer it.")
    return " ".join(parts)


def recommendation(
    index: KBIndex, chosen: Chosen, cautions: Sequence[str], pih: bool
) -> Recommendation:
    """Build one :class:`Recommendation` from the knowledge base and the fired caution rules.

    A pure function of the knowledge base and what :func:`recommendation_key` lists: the treatment,
    the targets it fits, ``preferred``, the group size, whether the skin is prone to dark marks
    (``pih``), the cautions and the alternatives.
    """
    cand = chosen.candidate
    t = cand.treatment
    own = [c.text for c in t.cautions]
    lo, hi = index.course_costs[t.id]
    return Recommendation(
        treatment=t.id,
        name=t.name,
        targets=cast("list[Target]", list(cand.lines)),
        rationale=rationale(index, chosen, pih),
        evidence=index.evidence[t.id],
        sessions=list(t.sessions.range) if t.sessions is not None else None,
        interval_weeks=list(t.interval_weeks.range) if t.interval_weeks is not None else None,
        downtime_days=list(t.downtime_days.range),
        cost_usd=[lo, hi],
        cost_source_year=t.cost.year,
        cautions=own + [c for c in cautions if c not in own],
        setting=t.setting,
        alternatives=chosen.alternatives,
    )


def recommendation_key(chosen: Chosen, cautions: Sequence[str], pih: bool) -> tuple[object, ...]:
    """Everything :func:`recommendation` depends on besides the knowledge base (a memo key)."""
    cand = chosen.candidate
    return (
        cand.id,
        tuple(cand.lines),
        chosen.preferred,
        chosen.group_size,
        pih,  # the only way the skin type enters a recommendation
        tuple(cautions),
        tuple(chosen.alternatives),
    )


def referrals_and_warnings(
    index: KBIndex,
    fired: Mapping[str, Sequence[Rule]],
    planned: set[str],
    considered: set[str],
) -> tuple[list[Referral], list[str], list[str], list[str]]:
    """Fired refer, warn and urgent rules (``fired``: :func:`~scarwise.planner.rules.fired_rules`):
    (referrals, warnings, urgent messages, their reference ids)."""
    referrals: list[Referral] = []
    warnings: list[str] = []
    urgent: list[str] = []
    refs: list[str] = []
    for effect in ("urgent", "refer", "warn"):
        for rule in fired[effect]:
            if rule.trigger == "planned" and planned.isdisjoint(rule.treatments):
                continue
            if rule.trigger == "considered" and considered.isdisjoint(rule.treatments):
                continue
            if effect == "refer":
                referrals.append(index.referrals[rule.id])
            elif effect == "urgent":
                urgent.append(rule.text)
            else:
                warnings.append(rule.text)
            refs.extend(rule.references)
    return referrals, warnings, urgent, refs


def summary(
    index: KBIndex,
    profile: Profile,
    targets: Sequence[str],
    phases: Sequence[Phase],
    excluded: Sequence[Exclusion],
    total: tuple[int, int],
) -> str:
    """A plain-language paragraph: what was described, what the plan does, what was left out."""
    scars = profile.scars
    names = index.target_names
    described = [f"{getattr(scars, t)} {names[t]}" for t in targets if t in _SCAR_FIELDS]
    marks = [_MARK_WORDS[t] for t in targets if t in _MARK_WORDS]
    sentences: list[str] = []
    if not described and not marks:
        sentences.append(
            "You reported no scars or marks, so this plan is about prevention and maintenance only."
        )
    else:
        seen = _join(described + marks)
        sentences.append(f"You described {seen}, on skin type {_ROMAN[profile.fitzpatrick - 1]}.")
    if profile.active_acne != "none":
        sentences.append(
            "Your acne is still active, so controlling it comes first: it stops new scars."
        )
    steps = [f"({p.order}) {p.name.lower()}" for p in phases]
    if steps:
        sentences.append(
            f"The plan has {len(phases)} step{'s' if len(phases) > 1 else ''}: {', '.join(steps)}."
        )
    contra = [e.treatment for e in excluded if e.kind == "contraindication"]
    if contra:
        sentences.append(
            f"{len(contra)} option{'s were' if len(contra) > 1 else ' was'} left out for your safety "
            "(see 'Not in this plan')."
        )
    other = [e for e in excluded if e.kind in ("budget", "downtime")]
    if other:
        sentences.append(
            f"{len(other)} option{'s were' if len(other) > 1 else ' was'} left out for your budget or downtime limit."
        )
    sentences.append(
        f"Estimated cost of the plan: about ${total[0]:,}-${total[1]:,} (estimates, never quotes)."
    )
    sentences.append(index.kb.expectations.text)
    return " ".join(sentences)


_ROMAN = ("I", "II", "III", "IV", "V", "VI")
_SCAR_FIELDS = frozenset(ProfileScars.model_fields)
_MARK_WORDS = {
    "erythema": "flat red marks",
    "hyperpigmentation": "flat brown marks",
    "hypopigmentation": "flat white marks",
}


def plan_references(index: KBIndex, ids: Iterable[str]) -> list[PlanReference]:
    """Full citations for the reference ids used, in the knowledge base's order."""
    wanted = ids if isinstance(ids, set | frozenset) else set(ids)
    return [ref for rid, ref in index.references.items() if rid in wanted]
