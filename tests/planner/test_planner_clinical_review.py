"""The dermatologist's second review: each finding, as a vignette in a clinician's words.

Every test builds a realistic person, plans for them and checks what a dermatologist reading the
plan would check (shared/research/clinical-facts.md; the rule and reference ids are named where a
test rests on one).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

import scarwise
from scarwise.testing.profiles import vignette

KB = scarwise.load_knowledge_base()
PROCEDURES = {t.id for t in KB.treatments.values() if t.procedure}
CLINIC = {t.id for t in KB.treatments.values() if t.setting == "clinic"}
ENERGY_AND_PEELS = {
    "rf-microneedling",
    "fractional-nonablative-laser",
    "fractional-ablative-laser",
    "fully-ablative-laser",
    "picosecond-laser",
    "vascular-laser",
    "ipl",
    "superficial-chemical-peel",
    "medium-chemical-peel",
    "deep-chemical-peel",
}


def _plan(**overrides: Any) -> dict[str, Any]:
    return scarwise.plan(vignette(**overrides)).to_json_dict()


def _recs(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["treatment"]: r for ph in plan["phases"] for r in ph["recommendations"]}


def _offered(plan: dict[str, Any]) -> set[str]:
    return {t for r in _recs(plan).values() for t in (r["treatment"], *r["alternatives"])}


def _excluded(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["treatment"]: e for e in plan["excluded"]}


def _start(plan: dict[str, Any], tid: str) -> int:
    """The week a recommended treatment may start at the earliest."""
    for ph in plan["phases"]:
        for r in ph["recommendations"]:
            if r["treatment"] == tid:
                return int(r["starts_after_weeks"] or ph["starts_after_weeks"])
    raise KeyError(tid)


def _strings(node: object) -> Iterator[str]:
    """Every string anywhere in a JSON value."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


_RECOMMENDS_ISOTRETINOIN = re.compile(
    r"strongly recommended|is recommended|refer for isotretinoin|consider isotretinoin|"
    r"isotretinoin when|needs a prescri",
    re.IGNORECASE,
)


# --- 1. urgent ----------------------------------------------------------------------------------


@pytest.mark.parametrize("pregnancy", ["pregnant", "trying_to_conceive"])
def test_pregnant_patient_on_isotretinoin_is_told_to_stop_and_call_the_prescriber(
    pregnancy: str,
) -> None:
    plan = _plan(scars={"rolling": 6}, active_acne="moderate", isotretinoin="current",
                 pregnancy=pregnancy, sex="female")  # fmt: skip
    assert plan["urgent"], "an urgent message comes first"
    first = plan["urgent"][0]
    assert "Stop taking isotretinoin now" in first and "prescribes it" in first
    assert list(plan)[list(plan).index("knowledge_base_version") + 1] == "urgent"


def test_recent_last_dose_and_pregnancy_is_urgent_too() -> None:
    plan = _plan(pregnancy="pregnant", isotretinoin="stopped_within_6_months",
                 isotretinoin_months_since_stop=0.5)  # fmt: skip
    assert any("less than a month ago" in u for u in plan["urgent"])
    later = _plan(pregnancy="pregnant", isotretinoin_months_since_stop=3)
    assert later["urgent"] == []


def test_breastfeeding_patient_on_isotretinoin_is_told_to_call_the_prescriber() -> None:
    plan = _plan(pregnancy="breastfeeding", isotretinoin="current")
    assert any("breastfeeding" in u for u in plan["urgent"])


def test_urgent_is_always_present_and_usually_empty() -> None:
    assert _plan(scars={"rolling": 4})["urgent"] == []


# --- 2. no isotretinoin for pregnant people -------------------------------------------------------


@pytest.mark.parametrize("pregnancy", ["pregnant", "trying_to_conceive", "breastfeeding"])
def test_pregnant_patient_with_severe_acne_is_never_offered_isotretinoin(pregnancy: str) -> None:
    plan = _plan(scars={"rolling": 8, "icepick": 4}, active_acne="severe", pregnancy=pregnancy)
    assert not [s for s in _strings(plan) if "isotretinoin" in s.lower()]
    acne = _recs(plan)["treat-active-acne"]
    if pregnancy != "breastfeeding":
        care = next(c for c in acne["cautions"] if "suits pregnancy" in c)
        for agent in ("azelaic acid", "benzoyl peroxide", "clindamycin"):
            assert agent in care
        assert {"R54", "R70"} <= {r["id"] for r in plan["references"]}  # Bozzo 2011, Chien 2016
    assert any("safe for the baby" in r["reason"] for r in plan["referrals"])


def test_pregnant_patient_on_isotretinoin_reads_no_sentence_recommending_it() -> None:
    plan = _plan(scars={"rolling": 8}, active_acne="severe", isotretinoin="current",
                 pregnancy="pregnant")  # fmt: skip
    mentions = [s for s in _strings(plan) if "isotretinoin" in s.lower()]
    assert mentions  # the urgent message and the exclusion reasons name it
    assert not [s for s in mentions if _RECOMMENDS_ISOTRETINOIN.search(s)]
    assert not [s for s in mentions if "it is your acne treatment" in s]  # no mixed message


def test_not_pregnant_with_severe_acne_still_hears_that_isotretinoin_is_recommended() -> None:
    plan = _plan(scars={"rolling": 8}, active_acne="severe")
    assert any("isotretinoin is strongly recommended" in r["reason"] for r in plan["referrals"])


# --- 3. procedures wait for acne control ------------------------------------------------------


@pytest.mark.parametrize("acne", ["moderate", "severe"])
def test_moderate_or_severe_active_acne_means_no_clinic_procedure_before_week_12(acne: str) -> None:
    plan = _plan(scars={"rolling": 8, "icepick": 6}, marks={"erythema": True}, active_acne=acne,
                 prefers=["light-therapy"])  # fmt: skip
    clinic = [t for t in _recs(plan) if t in CLINIC]
    assert clinic
    for tid in clinic:
        assert _start(plan, tid) >= 12, tid
    assert _start(plan, "sunscreen") == 0


def test_mild_acne_does_not_delay_procedures_by_three_months() -> None:
    plan = _plan(scars={"rolling": 8}, active_acne="mild")
    assert _start(plan, "subcision") < 12


def test_patient_on_isotretinoin_gets_no_topical_retinoid_stacked_and_no_isotretinoin_referral() -> (
    None
):
    plan = _plan(scars={"rolling": 8}, active_acne="moderate", isotretinoin="current")
    assert "topical-retinoid" not in _offered(plan)
    assert not any("strongly recommended" in r["reason"] for r in plan["referrals"])
    assert any(
        "it is your acne treatment" in c for c in _recs(plan)["treat-active-acne"]["cautions"]
    )


# --- 4. minors --------------------------------------------------------------------------------


def test_sixteen_year_old_gets_no_permanent_filler_no_elective_resurfacing_and_guardian_consent() -> (
    None
):
    plan = _plan(age=16, scars={"rolling": 10, "boxcar_shallow": 6})
    ex = _excluded(plan)
    assert "minor-no-permanent-filler" in ex["biostimulatory-filler"]["rules"]
    for tid in ("fully-ablative-laser", "fractional-ablative-laser", "dermabrasion"):
        assert "minor-defer-resurfacing" in ex[tid]["rules"]
        assert tid not in _offered(plan)
    assert any("parent or guardian" in r["reason"] for r in plan["referrals"])
    for tid in set(_recs(plan)) & PROCEDURES:
        assert any("parent or guardian" in c for c in _recs(plan)[tid]["cautions"])


def test_nineteen_year_old_gets_the_pmma_label_age_caution_not_an_exclusion() -> None:
    plan = _plan(age=19, scars={"rolling": 10}, avoids=["dermal-filler"])
    assert any("over 21" in c for c in _recs(plan)["biostimulatory-filler"]["cautions"])


# --- 5. body dysmorphic disorder ----------------------------------------------------------------


def test_positive_body_image_screen_defers_procedures_and_refers_to_mental_health_and_dermatology() -> (
    None
):
    plan = _plan(scars={"rolling": 10, "icepick": 5}, marks={"erythema": True},
                 bdd_screen_positive=True)  # fmt: skip
    assert not set(_offered(plan)) & PROCEDURES
    assert all(KB.treatments[t].setting == "home" for t in _recs(plan))
    to = {r["to"] for r in plan["referrals"]}
    assert {"mental-health professional", "dermatologist"} <= to
    assert "bdd-defer-procedures" in _excluded(plan)["subcision"]["rules"]


def test_body_image_text_says_distress_rises_with_severity() -> None:
    warning = next(w for w in _plan(bdd_screen_positive=True)["warnings"] if "16.9 %" in w)
    assert "grows with scar severity" in warning and "loosely" not in warning


# --- 6. cold-sore prophylaxis -----------------------------------------------------------------


@pytest.mark.parametrize("prefer", ["fully-ablative-laser", "medium-chemical-peel",
                                    "deep-chemical-peel", "dermabrasion"])  # fmt: skip
def test_full_face_resurfacing_gets_antiviral_prophylaxis_for_everyone(prefer: str) -> None:
    plan = _plan(scars={"rolling": 10, "boxcar_shallow": 10}, age=45, prefers=[prefer],
                 max_downtime_days=30)  # fmt: skip
    rec = _recs(plan)[prefer]
    assert any(
        "usually given to everyone" in c or "given to everyone" in c for c in rec["cautions"]
    )
    assert any("everyone" in w and "valacyclovir" in w for w in plan["warnings"])
    assert {"R57", "R57b"} <= {r["id"] for r in plan["references"]}


def test_cold_sore_history_makes_prophylaxis_essential() -> None:
    plan = _plan(scars={"rolling": 10}, age=45, prefers=["dermabrasion"], max_downtime_days=30,
                 herpes_labialis_history=True)  # fmt: skip
    assert any("essential" in c for c in _recs(plan)["dermabrasion"]["cautions"])
    assert any("You get cold sores" in w and "essential" in w for w in plan["warnings"])


# --- 7. pregnancy, breastfeeding and trying to conceive are separate ----------------------------


def test_breastfeeding_mother_can_still_have_subcision_and_vascular_laser() -> None:
    plan = _plan(scars={"rolling": 10}, marks={"erythema": True}, pregnancy="breastfeeding")
    recs = _recs(plan)
    assert "subcision" in recs and "vascular-laser" in recs
    ex = _excluded(plan)
    for tid in ("topical-retinoid", "dermal-filler"):
        assert tid in ex and ex[tid]["references"]
    assert any("lidocaine" in c.lower() for c in recs["subcision"]["cautions"])


def test_pregnant_patient_has_procedures_deferred_with_the_rule_saying_what_it_rests_on() -> None:
    plan = _plan(scars={"rolling": 10}, pregnancy="pregnant")
    ex = _excluded(plan)
    assert not set(_recs(plan)) & PROCEDURES
    assert ex["subcision"]["rules"] == ["pregnancy-defer-procedures"]
    assert "R54" not in ex["subcision"]["references"]  # a paper about creams does not carry it
    rule = next(r for r in KB.rules if r.id == "pregnancy-defer-procedures")
    assert rule.certainty == "memory"


def test_trying_to_conceive_keeps_procedures_with_a_pregnancy_test_caution() -> None:
    plan = _plan(scars={"rolling": 10}, pregnancy="trying_to_conceive")
    recs = _recs(plan)
    assert "subcision" in recs
    assert any("negative pregnancy test" in c for c in recs["subcision"]["cautions"])
    assert "topical-retinoid" in _excluded(plan)


def test_the_older_pregnancy_flag_still_means_pregnant() -> None:
    old = scarwise.plan(vignette(scars={"rolling": 5}, pregnant_or_breastfeeding=True))
    new = scarwise.plan(vignette(scars={"rolling": 5}, pregnancy="pregnant"))
    assert old.phases == new.phases and old.excluded == new.excluded


# --- 8. subcision downtime ----------------------------------------------------------------------


def test_rolling_scars_with_a_two_day_downtime_limit_still_get_subcision() -> None:
    plan = _plan(scars={"rolling": 10}, max_downtime_days=2)
    assert _recs(plan)["subcision"]["downtime_days"] == [1, 2]
    subcision = KB.treatments["subcision"].downtime_days
    assert subcision.references == ["R42"] and subcision.certainty == "verified"


# --- 9. where the scars are ---------------------------------------------------------------------


def test_rolling_scars_only_on_the_back_get_no_filler() -> None:
    plan = _plan(scars={"rolling": 10}, regions=["face", "back"], scar_sites={"rolling": ["back"]})
    ex = _excluded(plan)
    assert "fillers-face-only" in ex["dermal-filler"]["rules"]
    assert not {"dermal-filler", "biostimulatory-filler"} & _offered(plan)
    on_cheeks = _plan(scars={"rolling": 10}, regions=["face", "back"])
    assert {"dermal-filler", "biostimulatory-filler"} & _offered(on_cheeks)


def test_keloid_prone_patient_with_chest_scars_is_warned_about_procedures_there() -> None:
    plan = _plan(scars={"icepick": 6}, keloid_history=True, regions=["face", "chest"],
                 scar_sites={"icepick": ["chest"]})  # fmt: skip
    assert any("chest, back or shoulders" in c for c in _recs(plan)["tca-cross"]["cautions"])
    face = _plan(scars={"icepick": 6}, keloid_history=True, regions=["face", "chest"],
                 scar_sites={"icepick": ["face"]})  # fmt: skip
    assert not any("chest, back or shoulders" in c for c in _recs(face)["tca-cross"]["cautions"])


def test_non_distensible_scars_or_bovine_collagen_allergy_rule_out_pmma() -> None:
    for extra in ({"distensible": "no"}, {"bovine_collagen_allergy": True}):
        plan = _plan(scars={"rolling": 10}, **extra)
        assert "biostimulatory-filler" not in _offered(plan)
        assert _excluded(plan)["biostimulatory-filler"]["kind"] == "contraindication"
    assert "biostimulatory-filler" in _offered(_plan(scars={"rolling": 10}, distensible="yes"))


# --- 10. TCA CROSS ------------------------------------------------------------------------------


def test_tca_cross_is_for_narrow_deep_scars_not_shallow_boxcars() -> None:
    assert "tca-cross" not in _offered(_plan(scars={"boxcar_shallow": 12}))
    rec = _recs(_plan(scars={"icepick": 12}))["tca-cross"]
    assert rec["interval_weeks"] == [4, 6]


# --- 11. dark skin ------------------------------------------------------------------------------


def test_type_vi_patient_with_red_and_brown_marks_gets_no_ipl_no_fractional_co2_and_test_spots() -> (
    None
):
    plan = _plan(fitzpatrick=6, marks={"erythema": True, "hyperpigmentation": True},
                 prefers=["ipl"])  # fmt: skip
    ex = _excluded(plan)
    assert ex["ipl"]["rules"] == ["skin-type-vi-no-ipl"]
    assert "skin-type-vi-no-ablative-fractional" in ex["fractional-ablative-laser"]["rules"]
    assert not {"ipl", "fractional-ablative-laser"} & _offered(plan)
    assert any(n["treatment"] == "ipl" and "safety" in n["reason"] for n in plan["not_chosen"])
    vascular = _recs(plan)["vascular-laser"]["cautions"]
    assert any("own pigment also absorbs" in c for c in vascular)
    assert any("test spot" in c for c in vascular)


@pytest.mark.parametrize("fitzpatrick", [4, 5, 6])
def test_every_energy_device_and_peel_gets_a_test_spot_in_types_iv_to_vi(fitzpatrick: int) -> None:
    for tid in sorted(ENERGY_AND_PEELS):
        plan = _plan(fitzpatrick=fitzpatrick, scars={"boxcar_shallow": 8, "rolling": 8},
                     marks={"erythema": True, "hyperpigmentation": True}, prefers=[tid],
                     max_downtime_days=30)  # fmt: skip
        rec = _recs(plan).get(tid)
        if rec is not None:
            assert any("test spot" in c for c in rec["cautions"]), (fitzpatrick, tid)


def test_type_v_red_marks_get_a_vascular_laser_caution_and_ipl_stays_possible() -> None:
    plan = _plan(fitzpatrick=5, marks={"erythema": True}, prefers=["ipl"])
    rec = _recs(plan)["ipl"]
    assert any("own pigment also absorbs" in c for c in rec["cautions"])


# --- 12. preferences ----------------------------------------------------------------------------


@pytest.mark.parametrize("prefer", ["dermabrasion", "deep-chemical-peel", "fully-ablative-laser"])
def test_fair_45_year_old_with_severe_scars_who_prefers_an_older_resurfacing_gets_it(
    prefer: str,
) -> None:
    plan = _plan(age=45, fitzpatrick=2, scars={"boxcar_shallow": 20, "rolling": 20},
                 max_downtime_days=30, budget_usd=None, prefers=[prefer])  # fmt: skip
    rec = _recs(plan)[prefer]
    assert "you prefer it" in rec["rationale"]
    assert plan["not_chosen"] == []


def test_deep_phenol_peel_carries_its_precautions() -> None:
    plan = _plan(age=45, scars={"rolling": 20}, max_downtime_days=30,
                 prefers=["deep-chemical-peel"])  # fmt: skip
    cautions = " ".join(_recs(plan)["deep-chemical-peel"]["cautions"])
    for words in (
        "cardiac screening",
        "ECG monitoring",
        "hydration",
        "Antiviral",
        "Lasting loss of pigment",
    ):
        assert words in cautions, words


def test_fair_skin_with_red_marks_who_prefers_ipl_gets_ipl() -> None:
    plan = _plan(fitzpatrick=2, marks={"erythema": True}, prefers=["ipl"])
    assert "ipl" in _recs(plan)


def test_icepick_scars_and_a_preference_for_punch_grafting_get_punch_grafting() -> None:
    assert "punch-graft" in _recs(_plan(scars={"icepick": 8}, prefers=["punch-graft"]))


def test_a_preferred_treatment_that_is_not_chosen_is_listed_with_the_reason() -> None:
    plan = _plan(scars={"rolling": 10}, fitzpatrick=5,
                 prefers=["dermabrasion", "vascular-laser", "picosecond-laser", "microneedling"])  # fmt: skip
    reasons = {n["treatment"]: n["reason"] for n in plan["not_chosen"]}
    assert reasons["dermabrasion"].startswith("left out for your safety")
    assert "does not fit" in reasons["vascular-laser"]
    # two preferred options of one group: the better-ranked is chosen, the other is its alternative
    chosen = {"picosecond-laser", "microneedling"} & set(_recs(plan))
    assert len(chosen) == 1
    other = ({"picosecond-laser", "microneedling"} - chosen).pop()
    assert "alternative" in reasons[other]


def test_a_preferred_treatment_over_the_downtime_limit_says_so() -> None:
    plan = _plan(scars={"icepick": 5}, prefers=["punch-excision"], max_downtime_days=3)
    reason = next(n["reason"] for n in plan["not_chosen"] if n["treatment"] == "punch-excision")
    assert "downtime" in reason


_SEARCH_BASES: list[dict[str, Any]] = [
    {"age": 45, "fitzpatrick": 2, "scars": {"boxcar_shallow": 20, "rolling": 20, "icepick": 10,
     "boxcar_deep": 5}, "max_downtime_days": 30},
    {"age": 30, "fitzpatrick": 2, "scars": {"keloid": 3, "hypertrophic": 3, "papular": 2}},
    {"age": 25, "fitzpatrick": 3, "marks": {"erythema": True, "hyperpigmentation": True},
     "scar_age_months": 2},
    {"age": 22, "fitzpatrick": 2, "active_acne": "moderate", "scars": {"rolling": 5}},
    {"age": 30, "fitzpatrick": 2, "pregnancy": "pregnant", "marks": {"hyperpigmentation": True}},
]  # fmt: skip


@pytest.mark.parametrize("tid", sorted(KB.treatments))
def test_every_treatment_is_recommended_for_someone_it_suits(tid: str) -> None:
    """A search over realistic people, with and without the treatment preferred."""
    for base in _SEARCH_BASES:
        for prefers in ([], [tid]):
            if tid in _recs(_plan(**base, prefers=prefers)):
                return
    pytest.fail(f"{tid} is recommended to none of the searched people")


# --- 13. citations ------------------------------------------------------------------------------


def test_evidence_rests_on_no_non_peer_reviewed_web_page() -> None:
    assert not {"R32", "R38b", "R55"} & set(KB.references)
    for ref in KB.references.values():
        assert "dermatologynews" not in (ref.url or "") and "patient page" not in ref.citation


def test_titles_recalled_from_memory_say_so() -> None:
    for rid in ("R36", "R37", "R72"):
        assert "from memory" in KB.references[rid].citation
    assert KB.references["R54"].citation.startswith("Bozzo P, Chua-Gocheco A, Einarson A.")


# --- the new profile fields ---------------------------------------------------------------------


def test_patient_with_a_pacemaker_is_not_offered_radiofrequency_microneedling() -> None:
    plan = _plan(scars={"rolling": 10, "boxcar_shallow": 10}, fitzpatrick=5,
                 implanted_electronic_device=True)  # fmt: skip
    assert "rf-microneedling" not in _offered(plan)
    assert "implanted-device-no-radiofrequency" in _excluded(plan)["rf-microneedling"]["rules"]
    assert any("implanted electronic device" in w for w in plan["warnings"])


def test_recent_tan_defers_every_laser_and_light_treatment_four_weeks() -> None:
    plan = _plan(marks={"erythema": True}, scars={"boxcar_shallow": 10}, recent_tan=True,
                 prefers=["picosecond-laser"])  # fmt: skip
    for tid in ("vascular-laser", "picosecond-laser"):
        assert _start(plan, tid) >= 4
        assert any("tan has faded" in c for c in _recs(plan)[tid]["cautions"])


def test_photosensitising_antibiotics_add_a_light_and_laser_caution() -> None:
    plan = _plan(marks={"erythema": True}, photosensitising_drugs=True)
    assert any("sensitive to light" in c for c in _recs(plan)["vascular-laser"]["cautions"])
    assert not any("sensitive to light" in c for c in _recs(plan)["sunscreen"]["cautions"])


def test_lidocaine_allergy_flags_procedures_done_under_local_anaesthetic() -> None:
    plan = _plan(scars={"rolling": 10}, lidocaine_allergy=True)
    assert any("Lidocaine allergy" in c for c in _recs(plan)["subcision"]["cautions"])


def test_permanent_filler_in_the_scarred_area_means_no_needling_or_resurfacing_over_it() -> None:
    plan = _plan(scars={"rolling": 10, "boxcar_shallow": 5}, permanent_filler_in_area=True)
    assert not {"microneedling", "rf-microneedling", "subcision", "fractional-ablative-laser"} & (
        _offered(plan)
    )
    assert any(r["to"] == "dermatologic surgeon" and "Permanent filler" in r["reason"]
               for r in plan["referrals"])  # fmt: skip


def test_vitiligo_rules_out_freezing_and_warns_about_koebner_after_injury() -> None:
    plan = _plan(
        scars={"keloid": 2, "rolling": 6}, vitiligo_or_koebner=True, prefers=["cryotherapy"]
    )
    assert "vitiligo-no-cryotherapy" in _excluded(plan)["cryotherapy"]["rules"]
    assert any("Koebner" in c for c in _recs(plan)["subcision"]["cautions"])


def test_immunosuppressed_smoker_gets_healing_cautions() -> None:
    plan = _plan(scars={"rolling": 10}, immunosuppressed=True, smoker=True)
    cautions = " ".join(_recs(plan)["subcision"]["cautions"])
    assert "heal more slowly" in cautions and "Smoking slows wound healing" in cautions


def test_pigment_change_after_earlier_procedures_counts_as_high_pih_risk() -> None:
    fair = _plan(fitzpatrick=2, scars={"rolling": 10, "boxcar_shallow": 5},
                 pigment_change_after_procedures=True)  # fmt: skip
    assert "dark-skin-no-full-ablation" in _excluded(fair)["fully-ablative-laser"]["rules"]
    assert any("priming" in w for w in fair["warnings"])
    resurfacing = next(r for ph in fair["phases"] if ph["key"] == "resurfacing"
                       for r in ph["recommendations"])  # fmt: skip
    assert KB.treatments[resurfacing["treatment"]].pih_risk.level in ("none", "low")


def test_recent_red_marks_wait_and_are_reassessed_while_old_ones_get_treated() -> None:
    recent = _plan(marks={"erythema": True}, scar_age_months=2)
    assert "wait-and-reassess" in _recs(recent)
    assert _start(recent, "vascular-laser") >= 12
    old = _plan(marks={"erythema": True}, scar_age_months=14)
    assert "wait-and-reassess" not in _recs(old) and _start(old, "vascular-laser") < 12
    unknown = _plan(marks={"erythema": True}, prefers=["wait-and-reassess"])
    reason = next(n["reason"] for n in unknown["not_chosen"])
    assert "recent marks" in reason


def test_redness_gel_is_the_option_when_a_vascular_laser_is_not_wanted() -> None:
    plan = _plan(marks={"erythema": True}, avoids=["vascular-laser"])
    assert "topical-alpha-agonist" in _recs(plan)


def test_keloids_list_cryotherapy_beside_steroid_injections_with_a_test_spot_caution() -> None:
    plan = _plan(scars={"keloid": 3})
    assert "cryotherapy" in _recs(plan)["intralesional-corticosteroid"]["alternatives"]
    frozen = _recs(_plan(scars={"keloid": 3}, prefers=["cryotherapy"]))["cryotherapy"]
    assert any("test spot" in c for c in frozen["cautions"])


def test_months_since_stopping_fill_in_the_isotretinoin_status() -> None:
    person = scarwise.planner.parse_profile(vignette(isotretinoin_months_since_stop=2))
    assert person.isotretinoin == "stopped_within_6_months"
    assert (
        scarwise.planner.parse_profile(vignette(isotretinoin_months_since_stop=9)).isotretinoin
        == "stopped_over_6_months"
    )


def test_plans_stay_decision_support_and_say_when_to_see_a_dermatologist() -> None:
    for overrides in ({"age": 16}, {"pregnancy": "pregnant"}, {"fitzpatrick": 6},
                      {"bdd_screen_positive": True}):  # fmt: skip
        plan = _plan(scars={"rolling": 5}, **overrides)
        assert "decision support" in plan["disclaimer"]
        assert "board-certified dermatologist" in plan["disclaimer"]
        assert plan["referrals"]
