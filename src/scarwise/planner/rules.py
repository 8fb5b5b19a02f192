"""Transparent predicates: the facts of a profile, which rules hold, and what they block.

Hand-written on purpose (STYLE §7: plain Python predicates; durable-rules and experta are stale):
every rule is data in ``knowledge/data/rules.yaml`` and its ``when`` is a conjunction of
``fact in [values]`` tests over the facts computed here, so anyone can read why a rule fired.

:func:`blocked_treatments` is the selection's screening: what the fired ``exclude`` rules and the
person's ``avoids`` keep out, with the reasons the plan shows. The final check on a finished plan,
:func:`scarwise.planner.safety.enforce`, evaluates the same rules with code of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from scarwise.knowledge.models import Rule
from scarwise.knowledge.vocabulary import ATROPHIC_TYPES, MARK_TYPES, SCAR_TYPES
from scarwise.planner.index import EFFECTS, KBIndex
from scarwise.planner.models import Profile

__all__ = [
    "Block",
    "Facts",
    "blocked_treatments",
    "facts_for",
    "fired_rules",
    "holds",
    "holds_when",
    "pih_prone",
    "present_targets",
]

Facts = Mapping[str, object]


def facts_for(profile: Profile) -> dict[str, object]:
    """The facts rules test, computed from a profile (names match ``FACT_VALUES``)."""
    scars = profile.scars
    raised = scars.hypertrophic > 0 or scars.keloid > 0
    present = [t for t in SCAR_TYPES if getattr(scars, t) > 0]
    # Where the scars are (``scar_sites``, by default every type in every region of ``regions``).
    where = {r for t in present for r in profile.sites(t)} if present else set(profile.regions)
    months = profile.isotretinoin_months_since_stop
    age = profile.scar_age_months
    return {
        "isotretinoin": profile.isotretinoin,
        "on_isotretinoin": profile.isotretinoin == "current",
        # The label asks for no pregnancy until a month after the last dose (R76 [S]).
        "isotretinoin_within_1_month": profile.isotretinoin == "current"
        or (months is not None and months < 1),
        "active_acne": profile.active_acne,
        "fitzpatrick": profile.fitzpatrick,
        # A known pigment change after procedures counts like skin type IV-VI (R33 [V]: ask it).
        "pih_prone": pih_prone(profile),
        "pregnancy": profile.pregnancy,
        "pregnant_or_breastfeeding": profile.pregnancy != "none",
        "keloid_history": profile.keloid_history,
        # Papular scars correlate with keloids: treat them as a keloid-risk marker (§4.4, R4 [V]).
        "keloid_tendency": profile.keloid_history or raised or scars.papular > 0,
        "raised_scars": raised,
        # Icepick and deep punched-out scars are Goodman-Baron grade-4 examples (§2.1 [M]).
        "severe_atrophic": scars.icepick > 0 or scars.boxcar_deep > 0,
        "herpes_labialis_history": profile.herpes_labialis_history,
        "anticoagulants": profile.anticoagulants,
        "bdd_screen_positive": profile.bdd_screen_positive,
        "minor": profile.age < 18,
        "age_over_21": profile.age > 21,
        "hypopigmentation": profile.marks.hypopigmentation,
        # Hypertrophic scars are more common on the chest and back (clinical-facts §1.2 [S]).
        "trunk": "chest" in where or "back" in where,
        "atrophic_on_face": any(
            "face" in profile.sites(t) for t in ATROPHIC_TYPES if getattr(scars, t) > 0
        ),
        "distensible": profile.distensible,
        "scars_recent": age is not None and age < 6,
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


def pih_prone(profile: Profile) -> bool:
    """Whether dark marks after treatment are a high risk: skin type IV-VI (clinical-facts §4.3)
    or dark or light patches after earlier procedures or injuries."""
    return profile.fitzpatrick >= 4 or profile.pigment_change_after_procedures


def holds_when(when: Mapping[str, Sequence[object]], facts: Facts) -> bool:
    """Whether every ``fact: [values]`` test passes (an empty ``when`` holds)."""
    return all(facts[fact] in allowed for fact, allowed in when.items())


def present_targets(profile: Profile) -> tuple[str, ...]:
    """The plan targets this profile has, in vocabulary order, always ending with ``all``."""
    scars = profile.scars
    marks = profile.marks
    found = [t for t in SCAR_TYPES if getattr(scars, t) > 0]
    found += [m for m in MARK_TYPES if getattr(marks, m)]
    if profile.active_acne != "none":
        found.append("active_acne")
    found.append("all")
    return tuple(found)


def holds(rule: Rule, facts: Facts) -> bool:
    """Whether every ``fact: [values]`` test of the rule's ``when`` passes (an empty one holds)."""
    return holds_when(rule.when, facts)


def fired_rules(index: KBIndex, facts: Facts) -> dict[str, tuple[Rule, ...]]:
    """The rules that hold for ``facts``, by effect, in knowledge-base order (the same test as
    :func:`holds`, over the index's precompiled conditions; a fact's values are all of one type,
    so set membership is exact)."""
    fired: dict[str, tuple[Rule, ...]] = {}
    for effect in EFFECTS:
        found = []
        for rule, when in index.conditions[effect]:
            for fact, allowed in when:
                if facts[fact] not in allowed:
                    break
            else:
                found.append(rule)
        fired[effect] = tuple(found)
    return fired


@dataclass(frozen=True, slots=True)
class Block:
    """Why a treatment is out: the kind, reasons, references and rule ids (immutable)."""

    kind: str  # "contraindication" or "avoided"
    reasons: tuple[str, ...]
    references: tuple[str, ...]
    rules: tuple[str, ...]


_AVOIDED: Final = Block("avoided", ("you asked to avoid this treatment",), (), ())


def blocked_treatments(excludes: Iterable[Rule], avoids: Iterable[str]) -> dict[str, Block]:
    """Every treatment id the fired ``excludes`` rules or the person's ``avoids`` keep out, with why.

    Contraindications first (each with the texts, references and ids of every rule that excludes
    it, in rule order), then the avoided treatments no rule already excludes, sorted by id.
    """
    found: dict[str, tuple[list[str], list[str], list[str]]] = {}
    for rule in excludes:
        for tid in rule.treatments:
            reasons, refs, rules = found.setdefault(tid, ([], [], []))
            reasons.append(rule.text)
            rules.append(rule.id)
            refs.extend(r for r in rule.references if r not in refs)
    blocked = {
        tid: Block("contraindication", tuple(reasons), tuple(refs), tuple(rules))
        for tid, (reasons, refs, rules) in found.items()
    }
    for tid in sorted(set(avoids)):
        blocked.setdefault(tid, _AVOIDED)
    return blocked
