"""Profiles built by code: hypothesis strategies for random valid profiles, and clinical vignettes.

``profiles()`` draws any profile ``contracts/profile.md`` allows (as the dict a JSON file would
hold), so property tests can check the planner's safety promises over the whole input space.
``vignette(...)`` builds a readable named case with explicit overrides for example-based tests.

Needs the ``dev`` extra (hypothesis); importing :mod:`scarwise` never imports this module.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

from scarwise.knowledge.vocabulary import TREATMENT_IDS
from scarwise.planner.models import HEALTH_FLAGS

__all__ = ["BASE_PROFILE", "FLAGS", "profiles", "resolved_pregnancy", "vignette"]

#: A quiet baseline: adult, skin type II, nothing wrong, no limits.
BASE_PROFILE: dict[str, Any] = {
    "age": 30,
    "sex": "unknown",
    "fitzpatrick": 2,
    "scars": {
        "icepick": 0,
        "boxcar_shallow": 0,
        "boxcar_deep": 0,
        "rolling": 0,
        "hypertrophic": 0,
        "keloid": 0,
        "papular": 0,
    },
    "marks": {"erythema": False, "hyperpigmentation": False, "hypopigmentation": False},
    "regions": ["face"],
    "active_acne": "none",
    "isotretinoin": "never",
    "pregnant_or_breastfeeding": False,
    "keloid_history": False,
    "herpes_labialis_history": False,
    "anticoagulants": False,
    "bdd_screen_positive": False,
    "budget_usd": None,
    "max_downtime_days": None,
    "prefers": [],
    "avoids": [],
}


def vignette(**overrides: Any) -> dict[str, Any]:
    """A profile dict: :data:`BASE_PROFILE` with ``overrides`` (``scars``/``marks`` merge by key).

    Example: ``vignette(scars={"icepick": 10}, fitzpatrick=5)``. Giving ``pregnancy`` drops the
    base's older ``pregnant_or_breastfeeding``, and giving ``isotretinoin_months_since_stop``
    drops the base's ``isotretinoin: never``, unless those are overridden too (so the two forms
    never disagree by accident).
    """
    profile = copy.deepcopy(BASE_PROFILE)
    if "pregnancy" in overrides and "pregnant_or_breastfeeding" not in overrides:
        del profile["pregnant_or_breastfeeding"]
    if "isotretinoin_months_since_stop" in overrides and "isotretinoin" not in overrides:
        del profile["isotretinoin"]
    for key, value in overrides.items():
        if key in ("scars", "marks"):
            profile[key].update(value)
        else:
            profile[key] = value
    return profile


_count = st.one_of(st.just(0), st.integers(min_value=1, max_value=40))
_treatments = st.lists(st.sampled_from(TREATMENT_IDS), max_size=6, unique=True)
_REGIONS = ("face", "chest", "back", "other")
_ISOTRETINOIN = ("never", "current", "stopped_within_6_months", "stopped_over_6_months")
_PREGNANCY = ("none", "pregnant", "breastfeeding", "trying_to_conceive")
#: The optional yes/no fields of ``contracts/profile.md`` (each drawn, or left out).
FLAGS = HEALTH_FLAGS


@st.composite
def _months_for(draw: st.DrawFn, status: str) -> float | None:
    """Months since the last isotretinoin dose that agree with ``status`` (or None)."""
    if status in ("never", "current") or draw(st.booleans()):
        return None
    low, high = (0.0, 6.0) if status == "stopped_within_6_months" else (6.0, 120.0)
    return draw(st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False))


@st.composite
def profiles(draw: st.DrawFn) -> dict[str, Any]:
    """Any valid profile (dict form), biased towards the safety factors being set.

    Every field of ``contracts/profile.md`` is drawn: the optional newer ones are sometimes left
    out (a profile without them keeps its meaning), ``pregnancy`` comes with or without the older
    ``pregnant_or_breastfeeding`` (agreeing), ``prefers`` and ``avoids`` never share a treatment,
    and ``scar_sites`` stays within ``regions``.
    """
    regions = draw(st.lists(st.sampled_from(_REGIONS), min_size=1, max_size=4, unique=True))
    scars = {k: draw(_count) for k in BASE_PROFILE["scars"]}
    isotretinoin = draw(st.sampled_from(_ISOTRETINOIN))
    prefers = draw(_treatments)
    avoids = [t for t in draw(_treatments) if t not in prefers]
    profile: dict[str, Any] = {
        "age": draw(st.integers(min_value=12, max_value=120)),
        "sex": draw(st.sampled_from(["female", "male", "other", "unknown"])),
        "fitzpatrick": draw(st.integers(min_value=1, max_value=6)),
        "scars": scars,
        "marks": {k: draw(st.booleans()) for k in BASE_PROFILE["marks"]},
        "regions": regions,
        "active_acne": draw(st.sampled_from(["none", "mild", "moderate", "severe"])),
        "isotretinoin": isotretinoin,
        "keloid_history": draw(st.booleans()),
        "herpes_labialis_history": draw(st.booleans()),
        "anticoagulants": draw(st.booleans()),
        "bdd_screen_positive": draw(st.booleans()),
        "budget_usd": draw(st.one_of(st.none(), st.integers(min_value=0, max_value=20000))),
        "max_downtime_days": draw(st.one_of(st.none(), st.integers(min_value=0, max_value=30))),
        "prefers": prefers,
        "avoids": avoids,
    }
    form = draw(st.sampled_from(["legacy", "new", "both"]))
    pregnancy = draw(st.sampled_from(_PREGNANCY))
    if form == "legacy":
        profile["pregnant_or_breastfeeding"] = pregnancy != "none"
    else:
        profile["pregnancy"] = pregnancy
        if form == "both":
            profile["pregnant_or_breastfeeding"] = pregnancy != "none"
    months = draw(_months_for(isotretinoin))
    if months is not None:
        profile["isotretinoin_months_since_stop"] = months
    for flag in FLAGS:
        value = draw(st.sampled_from([None, False, True]))
        if value is not None:
            profile[flag] = value
    if draw(st.booleans()):
        profile["scar_sites"] = {
            kind: draw(st.lists(st.sampled_from(regions), min_size=1, unique=True))
            for kind, count in scars.items()
            if count > 0 and draw(st.booleans())
        }
    age = draw(st.one_of(st.none(), st.floats(min_value=0, max_value=240, allow_nan=False)))
    if age is not None:
        profile["scar_age_months"] = age
    distensible = draw(st.sampled_from([None, "yes", "no", "unknown"]))
    if distensible is not None:
        profile["distensible"] = distensible
    return profile


def resolved_pregnancy(profile: dict[str, Any]) -> str:
    """The ``pregnancy`` a profile dict means (the older ``true`` means ``pregnant``)."""
    if "pregnancy" in profile:
        return str(profile["pregnancy"])
    return "pregnant" if profile.get("pregnant_or_breastfeeding") else "none"
