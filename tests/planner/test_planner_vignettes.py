"""Clinical vignettes: each scar type, each safety factor and combinations give the expected
first-line options and exclusions (shared/research/clinical-facts.md §3.2, §4, §5)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import scarwise
from scarwise.errors import SafetyViolation
from scarwise.planner.models import Plan, Recommendation
from scarwise.planner.safety import enforce
from scarwise.testing.profiles import vignette

EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "contracts" / "examples"
PROCEDURES = {t.id for t in scarwise.load_knowledge_base().treatments.values() if t.procedure}


def _plan(**overrides: Any) -> dict[str, Any]:
    return scarwise.plan(vignette(**overrides)).to_json_dict()


def _planned(plan: dict[str, Any]) -> dict[str, str]:
    """treatment id -> phase key."""
    return {r["treatment"]: ph["key"] for ph in plan["phases"] for r in ph["recommendations"]}


def _offered(plan: dict[str, Any]) -> set[str]:
    return {
        t
        for ph in plan["phases"]
        for r in ph["recommendations"]
        for t in (r["treatment"], *r["alternatives"])
    }


def _excluded(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["treatment"]: e for e in plan["excluded"]}


def _rec(plan: dict[str, Any], tid: str) -> dict[str, Any]:
    return next(r for ph in plan["phases"] for r in ph["recommendations"] if r["treatment"] == tid)


# --- each scar type ---------------------------------------------------------------------------


def test_icepick_gets_tca_cross_first_with_punch_alternatives() -> None:
    plan = _plan(scars={"icepick": 15})
    planned = _planned(plan)
    assert planned["tca-cross"] == "focal"
    assert _rec(plan, "tca-cross")["alternatives"] == ["punch-excision", "punch-graft"]
    assert "82 %" in _rec(plan, "tca-cross")["rationale"]
    assert planned["sunscreen"] == "prepare"
    assert {"to": "dermatologic surgeon"}.items() <= next(
        r for r in plan["referrals"] if r["to"] == "dermatologic surgeon"
    ).items()


def test_shallow_boxcar_gets_a_first_line_resurfacing_device() -> None:
    plan = _plan(scars={"boxcar_shallow": 10})
    planned = _planned(plan)
    resurfacing = [t for t, k in planned.items() if k == "resurfacing"]
    assert len(resurfacing) == 1
    assert resurfacing[0] in {
        "microneedling",
        "rf-microneedling",
        "fractional-nonablative-laser",
        "fractional-ablative-laser",
        "picosecond-laser",
    }
    assert "fully-ablative-laser" in _rec(plan, resurfacing[0])["alternatives"]


def test_deep_boxcar_gets_punch_elevation_then_resurfacing() -> None:
    planned = _planned(_plan(scars={"boxcar_deep": 4}))
    assert planned["punch-elevation"] == "focal"
    assert "resurfacing" in planned.values()


def test_rolling_gets_subcision_resurfacing_and_filler_in_order() -> None:
    plan = _plan(scars={"rolling": 12})
    planned = _planned(plan)
    assert planned["subcision"] == "focal"
    assert planned["dermal-filler"] == "volume" or planned["biostimulatory-filler"] == "volume"
    keys = [ph["key"] for ph in plan["phases"]]
    assert keys.index("focal") < keys.index("resurfacing") < keys.index("volume")
    starts = [ph["starts_after_weeks"] for ph in plan["phases"]]
    assert starts == sorted(starts) and starts[0] == 0


@pytest.mark.parametrize("kind", ["hypertrophic", "keloid"])
def test_raised_scars_get_silicone_and_steroid_and_a_referral(kind: str) -> None:
    plan = _plan(scars={kind: 3})
    planned = _planned(plan)
    assert planned["silicone-gel"] == "focal" and planned["intralesional-corticosteroid"] == "focal"
    assert any("Keloid or hypertrophic" in r["reason"] for r in plan["referrals"])
    if kind == "keloid":
        assert "intralesional-5fu" in planned


def test_keloid_with_rolling_excludes_aggressive_resurfacing() -> None:
    plan = _plan(scars={"keloid": 1, "rolling": 10})
    ex = _excluded(plan)
    for tid in ("fully-ablative-laser", "deep-chemical-peel", "dermabrasion"):
        assert ex[tid]["kind"] == "contraindication"
        assert "keloid-no-aggressive-resurfacing" in ex[tid]["rules"]
        assert tid not in _offered(plan)


def test_papular_scars_count_as_keloid_tendency() -> None:
    plan = _plan(scars={"papular": 5, "boxcar_shallow": 5})
    assert "silicone-gel" in _planned(plan)
    assert "keloid-no-aggressive-resurfacing" in _excluded(plan)["fully-ablative-laser"]["rules"]


def test_red_marks_get_a_vascular_laser_with_a_redness_gel_and_ipl_as_alternatives() -> None:
    plan = _plan(marks={"erythema": True})
    assert _planned(plan)["vascular-laser"] == "colour"
    assert _rec(plan, "vascular-laser")["alternatives"] == ["topical-alpha-agonist", "ipl"]


def test_brown_marks_get_hydroquinone_sunscreen_and_no_irritating_resurfacing_needed() -> None:
    plan = _plan(marks={"hyperpigmentation": True}, fitzpatrick=5)
    planned = _planned(plan)
    assert planned["hydroquinone"] == "colour" and planned["sunscreen"] == "prepare"
    assert _rec(plan, "hydroquinone")["alternatives"] == ["azelaic-acid"]


def test_white_marks_warn_and_refer() -> None:
    plan = _plan(marks={"hypopigmentation": True})
    assert any("white marks" in w for w in plan["warnings"])
    assert any("white marks" in r["reason"] for r in plan["referrals"])


def test_no_scars_gives_prevention_and_maintenance_only() -> None:
    plan = _plan()
    assert _planned(plan) == {"sunscreen": "prepare"}
    assert "prevention and maintenance only" in plan["summary"]
    assert plan["excluded"] == []
    assert any("pick" in tip for tip in plan["prevention"])


# --- each safety factor -----------------------------------------------------------------------


@pytest.mark.parametrize("status", ["current", "stopped_within_6_months"])
def test_recent_isotretinoin_blocks_dermabrasion_and_full_ablation_only(status: str) -> None:
    plan = _plan(scars={"rolling": 10, "boxcar_shallow": 5}, isotretinoin=status)
    ex = _excluded(plan)
    assert {t for t, e in ex.items() if e["kind"] == "contraindication"} == {
        "dermabrasion",
        "fully-ablative-laser",
    }
    for tid in ("dermabrasion", "fully-ablative-laser"):
        assert set(ex[tid]["references"]) == {"R52", "R53"}
        assert ex[tid]["reason"].startswith("isotretinoin")
    # no delay needed for fractional lasers, superficial peels, subcision (R52, R53 [V])
    offered = _offered(plan)
    assert {"fractional-ablative-laser", "fractional-nonablative-laser", "subcision"} <= offered
    assert any("isotretinoin" in r["reason"].lower() for r in plan["referrals"])


def test_isotretinoin_stopped_over_6_months_blocks_nothing() -> None:
    plan = _plan(scars={"rolling": 10}, isotretinoin="stopped_over_6_months")
    assert plan["excluded"] == []


def test_pregnancy_defers_procedures_and_blocks_retinoid_and_hydroquinone() -> None:
    plan = _plan(
        scars={"rolling": 5, "icepick": 5},
        marks={"hyperpigmentation": True},
        active_acne="mild",
        pregnant_or_breastfeeding=True,
        sex="female",
    )
    planned = _planned(plan)
    assert not (set(planned) & PROCEDURES)
    assert "topical-retinoid" not in planned and "hydroquinone" not in planned
    assert (
        planned["azelaic-acid"] == "colour"
    )  # the pregnancy-compatible alternative takes its place
    ex = _excluded(plan)
    assert ex["hydroquinone"]["references"] == ["R54"]
    assert "subcision" in ex and "tca-cross" in ex
    assert any("obstetric" in r["reason"] for r in plan["referrals"])


def test_dark_skin_excludes_full_ablation_and_prefers_low_pih_devices() -> None:
    plan = _plan(scars={"boxcar_shallow": 10, "rolling": 5}, fitzpatrick=5)
    ex = _excluded(plan)
    assert ex["fully-ablative-laser"]["kind"] == "contraindication"
    assert {"deep-chemical-peel", "dermabrasion"} <= set(ex)
    chosen = [t for t, k in _planned(plan).items() if k == "resurfacing"]
    kb = scarwise.load_knowledge_base()
    assert kb.treatments[chosen[0]].pih_risk.level == "low"
    assert any("priming" in w for w in plan["warnings"])


def test_light_skin_may_get_fractional_laser_first() -> None:
    chosen = [
        t
        for t, k in _planned(
            _plan(scars={"boxcar_shallow": 10, "rolling": 5}, fitzpatrick=2)
        ).items()
        if k == "resurfacing"
    ]
    assert chosen == ["microneedling"] or chosen[0].startswith(("fractional", "rf-", "picosecond"))


def test_herpes_history_warns_about_antiviral_prophylaxis_when_resurfacing_is_offered() -> None:
    plan = _plan(scars={"rolling": 10}, herpes_labialis_history=True)
    assert "fractional-ablative-laser" in _offered(plan)
    warning = next(w for w in plan["warnings"] if "cold sores" in w)
    assert "valacyclovir 500 mg" in warning
    assert "R57" in {r["id"] for r in plan["references"]}
    # no warning when nothing that needs it is on offer
    assert not any(
        "cold sores" in w
        for w in _plan(marks={"erythema": True}, herpes_labialis_history=True)["warnings"]
    )


def test_active_severe_acne_first_and_defers_deep_procedures() -> None:
    plan = _plan(scars={"rolling": 10}, active_acne="severe")
    assert plan["phases"][0]["key"] == "prepare"
    assert {"treat-active-acne", "topical-retinoid"} <= set(_planned(plan))
    ex = _excluded(plan)
    assert {"fractional-ablative-laser", "dermal-filler", "biostimulatory-filler"} <= set(ex)
    assert any("isotretinoin is strongly recommended" in r["reason"] for r in plan["referrals"])
    assert "active" in plan["summary"]


def test_anticoagulants_add_bruising_cautions() -> None:
    plan = _plan(scars={"rolling": 10}, anticoagulants=True)
    assert any(
        "blood thinner" in c or "Anticoagulant" in c for c in _rec(plan, "subcision")["cautions"]
    )
    assert any("blood thinner" in w for w in plan["warnings"])


def test_positive_bdd_screen_refers_to_mental_health_care() -> None:
    plan = _plan(scars={"rolling": 3}, bdd_screen_positive=True)
    assert any(r["to"] == "mental-health professional" for r in plan["referrals"])
    assert any("16.9 %" in w for w in plan["warnings"])


def test_pmma_age_caution_under_22() -> None:
    plan = _plan(scars={"rolling": 10}, age=19, avoids=["dermal-filler"])
    assert any("over 21" in c for c in _rec(plan, "biostimulatory-filler")["cautions"])


def test_every_plan_has_expectations_disclaimer_and_a_referral() -> None:
    plan = _plan(scars={"icepick": 1})
    assert plan["warnings"][0].startswith("Treatments improve acne scars; they do not erase them")
    assert (
        "not a diagnosis" in plan["disclaimer"]
        and "board-certified dermatologist" in plan["disclaimer"]
    )
    assert plan["referrals"]


# --- combinations, wishes, determinism ----------------------------------------------------------


def test_combination_isotretinoin_dark_skin_keloid_pregnancy() -> None:
    plan = _plan(
        scars={"rolling": 10, "keloid": 2},
        fitzpatrick=6,
        isotretinoin="current",
        pregnant_or_breastfeeding=True,
    )
    ex = _excluded(plan)
    assert set(ex["fully-ablative-laser"]["rules"]) == {
        "isotretinoin-no-full-resurfacing",
        "pregnancy-defer-procedures",
        "dark-skin-no-full-ablation",
        "keloid-no-aggressive-resurfacing",
    }
    assert not (set(_planned(plan)) & PROCEDURES)
    assert set(_planned(plan)) == {"sunscreen", "silicone-gel"}


def test_avoids_are_hard_and_prefers_are_soft() -> None:
    base = _plan(scars={"boxcar_shallow": 10}, fitzpatrick=2)
    first = next(t for t, k in _planned(base).items() if k == "resurfacing")
    avoided = _plan(scars={"boxcar_shallow": 10}, fitzpatrick=2, avoids=[first])
    assert first not in _offered(avoided)
    assert _excluded(avoided)[first]["kind"] == "avoided"
    preferred = _plan(scars={"boxcar_shallow": 10}, fitzpatrick=2, prefers=["picosecond-laser"])
    assert _planned(preferred)["picosecond-laser"] == "resurfacing"
    assert "you prefer it" in _rec(preferred, "picosecond-laser")["rationale"]
    runner_up = _plan(scars={"boxcar_shallow": 10}, fitzpatrick=2, prefers=["microdermabrasion"])
    assert "microdermabrasion" in _offered(runner_up)
    assert not any("does not fit" in w for w in runner_up["warnings"])
    unused = _plan(scars={"icepick": 3}, prefers=["vascular-laser"])
    assert "vascular-laser" not in _planned(unused)
    assert any("does not fit" in w for w in unused["warnings"])


def test_budget_keeps_essentials_and_drops_the_rest_with_reasons() -> None:
    plan = _plan(scars={"rolling": 10}, active_acne="mild", budget_usd=0)
    assert set(_planned(plan)) == {"sunscreen", "treat-active-acne"}
    budget = {t for t, e in _excluded(plan).items() if e["kind"] == "budget"}
    assert {"subcision", "topical-retinoid"} <= budget
    assert "budget" in plan["summary"]
    assert "whatever the budget" in plan["budget"]["note"]
    assert plan["budget"]["estimated_total_usd"][0] > 0


def test_budget_prefers_a_cheaper_alternative_that_fits() -> None:
    plan = _plan(scars={"boxcar_shallow": 10}, fitzpatrick=2, budget_usd=1000)
    lows = [r["cost_usd"][0] for ph in plan["phases"] for r in ph["recommendations"]]
    assert sum(lows) <= 1000
    assert any(ph["key"] == "resurfacing" for ph in plan["phases"])


def test_downtime_limit_drops_long_recovery_options() -> None:
    plan = _plan(scars={"rolling": 10, "icepick": 5}, max_downtime_days=2)
    for ph in plan["phases"]:
        for r in ph["recommendations"]:
            assert r["downtime_days"][1] <= 2
    ex = _excluded(plan)
    # punch excision heals for 7-10 days (R21); subcision's 1-2 days (R42) now fit the limit
    assert (
        ex["punch-excision"]["kind"] == "downtime" and "10 days" in ex["punch-excision"]["reason"]
    )
    assert "subcision" in _planned(plan)


def test_plan_is_deterministic_and_records_kb_version() -> None:
    profile = vignette(scars={"rolling": 7, "icepick": 2}, marks={"erythema": True}, fitzpatrick=4)
    one, two = scarwise.plan(profile), scarwise.plan(profile)
    assert one.to_json_dict() == two.to_json_dict()
    assert one.knowledge_base_version == scarwise.load_knowledge_base().version


def test_contract_example_plans() -> None:
    data = json.loads((EXAMPLES / "profile-example.json").read_text(encoding="utf-8"))
    plan = scarwise.plan(data).to_json_dict()
    assert plan["ok"] is True and plan["schema"] == "plan/1"
    ex = _excluded(plan)
    assert ex["dermal-filler"]["kind"] == "avoided"
    assert {"dermabrasion", "fully-ablative-laser"} <= {
        t for t, e in ex.items() if e["kind"] == "contraindication"
    }
    assert any("valacyclovir" in w for w in plan["warnings"])
    assert plan["budget"]["estimated_total_usd"][0] <= 3000


def test_enforce_refuses_a_plan_with_a_contraindicated_item() -> None:
    profile = scarwise.Profile.model_validate(
        vignette(scars={"rolling": 5}, isotretinoin="current")
    )
    plan = scarwise.plan(profile)
    bad = Recommendation.model_validate(
        {**_rec(plan.to_json_dict(), "subcision"), "treatment": "dermabrasion"}
    )
    phase = plan.phases[0].model_copy(
        update={"recommendations": [*plan.phases[0].recommendations, bad]}
    )
    unsafe = plan.model_copy(update={"phases": [phase, *plan.phases[1:]]})
    assert isinstance(unsafe, Plan)
    with pytest.raises(SafetyViolation) as info:
        enforce(unsafe, profile, scarwise.load_knowledge_base())
    assert info.value.exit_code == 1
    assert any(p.got == "dermabrasion" for p in info.value.problems)


def test_chest_and_back_add_a_raised_scar_caution() -> None:
    trunk = _plan(scars={"icepick": 5}, regions=["face", "back"])
    face = _plan(scars={"icepick": 5})
    assert any("chest and back" in c for c in _rec(trunk, "tca-cross")["cautions"])
    assert not any("chest and back" in c for c in _rec(face, "tca-cross")["cautions"])
