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

__all__ = ["BASE_PROFILE", "profiles", "vignette"]

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

    Example: ``vignette(scars={"icepick": 10}, fitzpatrick=5)``.
    """
    profile = copy.deepcopy(BASE_PROFILE)
    for key, value in overrides.items():
        if key in ("scars", "marks"):
            profile[key].update(value)
        else:
            profile[key] = value
    return profile


_count = st.one_of(st.just(0), st.integers(min_value=1, max_value=40))
_treatments = st.lists(st.sampled_from(TREATMENT_IDS), max_size=6, unique=True)


@st.composite
def profiles(draw: st.DrawFn) -> dict[str, Any]:
    """Any valid profile (dict form), biased towards the safety factors being set."""
    return {
        "age": draw(st.integers(min_value=12, max_value=120)),
        "sex": draw(st.sampled_from(["female", "male", "other", "unknown"])),
        "fitzpatrick": draw(st.integers(min_value=1, max_value=6)),
        "scars": {k: draw(_count) for k in BASE_PROFILE["scars"]},
        "marks": {k: draw(st.booleans()) for k in BASE_PROFILE["marks"]},
        "regions": draw(
            st.lists(
                st.sampled_from(["face", "chest", "back", "other"]),
                min_size=1,
                max_size=4,
                unique=True,
            )
        ),
        "active_acne": draw(st.sampled_from(["none", "mild", "moderate", "severe"])),
        "isotretinoin": draw(
            st.sampled_from(
                ["never", "current", "stopped_within_6_months", "stopped_over_6_months"]
            )
        ),
        "pregnant_or_breastfeeding": draw(st.booleans()),
        "keloid_history": draw(st.booleans()),
        "herpes_labialis_history": draw(st.booleans()),
        "anticoagulants": draw(st.booleans()),
        "bdd_screen_positive": draw(st.booleans()),
        "budget_usd": draw(st.one_of(st.none(), st.integers(min_value=0, max_value=20000))),
        "max_downtime_days": draw(st.one_of(st.none(), st.integers(min_value=0, max_value=30))),
        "prefers": draw(_treatments),
        "avoids": draw(_treatments),
    }
