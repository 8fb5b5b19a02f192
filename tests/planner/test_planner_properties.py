"""Properties over random valid profiles: nothing contraindicated or avoided is ever recommended,
ids are unique and in the vocabulary, limits hold, the disclaimer is there, the schema validates.

The plans are made with the memo off, so each one is computed from scratch."""

from __future__ import annotations

from typing import Any

import jsonschema_rs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scarwise
from scarwise.knowledge.vocabulary import TREATMENT_IDS
from scarwise.planner import Memo
from scarwise.planner.schemas import committed_schemas
from scarwise.testing.profiles import profiles, resolved_pregnancy

KB = scarwise.load_knowledge_base()
OFF = Memo(enabled=False)
PLAN_SCHEMA = jsonschema_rs.validator_for(committed_schemas()["plan-1.schema.json"])
PROFILE_SCHEMA = jsonschema_rs.validator_for(committed_schemas()["profile.schema.json"])
PROCEDURES = {t.id for t in KB.treatments.values() if t.procedure}
SETTINGS = settings(
    max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


def _oracle_forbidden(p: dict[str, Any]) -> set[str]:
    """Exclusions written out by hand from clinical-facts §4, independently of rules.yaml."""
    forbidden = set(p["avoids"])
    if p["isotretinoin"] in ("current", "stopped_within_6_months"):
        forbidden |= {"dermabrasion", "fully-ablative-laser"}  # §4.1 [V]
    pregnancy = resolved_pregnancy(p)  # the older `pregnant_or_breastfeeding: true` is pregnant
    if pregnancy != "none":
        forbidden |= {"topical-retinoid", "hydroquinone", "intralesional-5fu"}  # §4.2
    if pregnancy == "pregnant":
        forbidden |= PROCEDURES  # elective procedures wait until after the pregnancy
    if pregnancy == "breastfeeding":
        forbidden |= {"deep-chemical-peel", "dermal-filler", "biostimulatory-filler"}
    if p["isotretinoin"] == "current":
        forbidden |= {"topical-retinoid"}  # not stacked on isotretinoin
    if p["fitzpatrick"] >= 4 or p.get("pigment_change_after_procedures"):
        forbidden |= {"fully-ablative-laser", "deep-chemical-peel", "dermabrasion"}  # §4.3
    if p["fitzpatrick"] == 6:
        forbidden |= {"ipl", "fractional-ablative-laser"}
    if p["bdd_screen_positive"]:
        forbidden |= PROCEDURES  # relative contraindication: home care only until assessed
    if p["age"] < 18:
        forbidden |= {
            "biostimulatory-filler",
            "fully-ablative-laser",
            "fractional-ablative-laser",
            "dermabrasion",
            "deep-chemical-peel",
            "medium-chemical-peel",
        }
    if p.get("distensible") == "no" or p.get("bovine_collagen_allergy"):
        forbidden |= {"biostimulatory-filler"}  # PMMA-collagen: distensible scars, bovine collagen
    if p.get("implanted_electronic_device"):
        forbidden |= {"rf-microneedling"}
    if p.get("vitiligo_or_koebner"):
        forbidden |= {"cryotherapy"}
    if p.get("permanent_filler_in_area"):
        forbidden |= {"microneedling", "rf-microneedling", "subcision", "dermabrasion"}
    s = p["scars"]
    if p["keloid_history"] or s["keloid"] or s["hypertrophic"] or s["papular"]:
        forbidden |= {"fully-ablative-laser", "deep-chemical-peel", "dermabrasion"}  # §4.4
    if p["active_acne"] in ("moderate", "severe"):
        forbidden |= {
            "fully-ablative-laser",
            "fractional-ablative-laser",
            "deep-chemical-peel",
            "medium-chemical-peel",
            "dermabrasion",
        }  # §4.5
    return forbidden


@SETTINGS
@given(profiles())
def test_plans_are_safe_and_well_formed(profile: dict[str, Any]) -> None:
    assert PROFILE_SCHEMA.is_valid(profile)
    plan = scarwise.plan(profile, memo=OFF)
    data = plan.to_json_dict()
    assert PLAN_SCHEMA.is_valid(data), list(PLAN_SCHEMA.iter_errors(data))[:3]

    recs = [r for ph in data["phases"] for r in ph["recommendations"]]
    ids = [r["treatment"] for r in recs]
    offered = set(ids) | {a for r in recs for a in r["alternatives"]}
    assert len(ids) == len(set(ids))
    assert set(ids) <= set(TREATMENT_IDS)
    assert not (offered & _oracle_forbidden(profile))

    excluded = [e["treatment"] for e in data["excluded"]]
    assert len(excluded) == len(set(excluded))
    assert not (set(excluded) & set(ids))
    for e in data["excluded"]:
        if e["kind"] == "contraindication":
            assert e["references"] and e["rules"] and e["reason"]

    assert isinstance(data["urgent"], list) and isinstance(data["not_chosen"], list)
    planned_ids = set(ids)
    for item in data["not_chosen"]:
        assert item["treatment"] in profile["prefers"] and item["treatment"] not in planned_ids
        assert item["reason"]
    assert {n["treatment"] for n in data["not_chosen"]} == set(profile["prefers"]) - planned_ids
    assert data["disclaimer"].strip() and "not a diagnosis" in data["disclaimer"]
    assert data["referrals"]
    assert "do not erase" in data["warnings"][0]
    assert data["knowledge_base_version"] == KB.version
    assert [ph["order"] for ph in data["phases"]] == list(range(1, len(data["phases"]) + 1))
    assert "sunscreen" in ids or "sunscreen" in profile["avoids"]

    limit = profile["max_downtime_days"]
    if limit is not None:
        assert all(r["downtime_days"][1] <= limit for r in recs)
    budget = profile["budget_usd"]
    if budget is not None:
        essential = sum(r["cost_usd"][0] for r in recs if KB.treatments[r["treatment"]].essential)
        assert sum(r["cost_usd"][0] for r in recs) <= max(budget, essential)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(profiles(), st.sampled_from(TREATMENT_IDS))
def test_avoiding_any_treatment_removes_it(profile: dict[str, Any], tid: str) -> None:
    profile["avoids"] = (
        [*profile["avoids"], tid] if tid not in profile["avoids"] else profile["avoids"]
    )
    # naming a treatment in both prefers and avoids is an error now (test_planner_profile_errors)
    profile["prefers"] = [p for p in profile["prefers"] if p != tid]
    data = scarwise.plan(profile, memo=OFF).to_json_dict()
    offered = {
        t
        for ph in data["phases"]
        for r in ph["recommendations"]
        for t in (r["treatment"], *r["alternatives"])
    }
    assert tid not in offered


@settings(max_examples=60, deadline=None, derandomize=True)
@given(profiles())
def test_same_profile_same_plan(profile: dict[str, Any]) -> None:
    first = scarwise.plan(profile, memo=OFF).to_json_dict()
    assert first == scarwise.plan(dict(profile), memo=OFF).to_json_dict()
