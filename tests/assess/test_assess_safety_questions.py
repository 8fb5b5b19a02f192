"""The questionnaire asks for the newer profile fields in plain words, and maps them right."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

import scarwise
from scarwise.assess import applies, assess, demo_answers_path, load_questions
from scarwise.web.wizard import read_step, site_rows, step_view


def _demo() -> dict[str, Any]:
    return yaml.safe_load(demo_answers_path().read_text(encoding="utf-8"))


def _question(field: str) -> Any:
    return next(q for s in load_questions() for q in s.questions if q.field == field)


def _step_of(field: str) -> int:
    return next(
        i for i, s in enumerate(load_questions()) if any(q.field == field for q in s.questions)
    )


def test_health_checklist_ticks_set_the_profile_fields() -> None:
    answers = _demo() | {"conditions": ["recent_tan", "implanted_electronic_device", "smoker"]}
    profile = assess(answers).profile
    assert profile.recent_tan and profile.implanted_electronic_device and profile.smoker
    assert not profile.lidocaine_allergy
    labels = " ".join(c.label for c in _question("conditions").choices)
    for plain in ("pacemaker", "self-tan", "cow", "doxycycline", "vitiligo"):
        assert plain in labels


def test_pregnancy_is_asked_with_three_separate_answers() -> None:
    q = _question("pregnancy")
    assert [c.value for c in q.choices] == [
        "none",
        "pregnant",
        "breastfeeding",
        "trying_to_conceive",
    ]
    assert q.choices[0].label == "No"
    profile = assess(_demo() | {"pregnancy": "breastfeeding"}).profile
    assert profile.pregnancy == "breastfeeding" and profile.pregnant_or_breastfeeding
    older = _demo()
    del older["pregnancy"]
    assert assess(older | {"pregnant_or_breastfeeding": True}).profile.pregnancy == "pregnant"


def test_months_since_isotretinoin_is_asked_only_after_stopping() -> None:
    q = _question("isotretinoin_months_since_stop")
    assert not applies(q, {"isotretinoin": "never"}) and not applies(q, {"isotretinoin": "current"})
    assert applies(q, {"isotretinoin": "stopped_over_6_months"})
    with pytest.raises(scarwise.InvalidInput) as info:
        assess(
            _demo()
            | {"isotretinoin": "stopped_within_6_months", "isotretinoin_months_since_stop": 10}
        )
    assert [p.field for p in info.value.problems] == ["isotretinoin_months_since_stop"]


def test_stretch_test_answer_becomes_distensible() -> None:
    demo = _demo()
    assert assess(demo).profile.distensible == "no"  # the demo's dents do not flatten
    demo["visibility"]["flatten_on_stretch"] = True
    assert assess(demo).profile.distensible == "yes"
    del demo["visibility"]["flatten_on_stretch"]
    assert assess(demo).profile.distensible == "unknown"


def test_scar_sites_are_asked_when_there_are_several_regions_and_map_boxcars() -> None:
    q = _question("scar_sites")
    answers = {"regions": ["face", "back"], "scars": {"rolling": 3, "boxcar": 2}}
    assert applies(q, answers) and not applies(q, {**answers, "regions": ["face"]})
    assert [key for key, _ in site_rows(answers)] == ["boxcar", "rolling"]
    demo = _demo() | {"regions": ["face", "back"],
                      "scar_sites": {"icepick": ["face"], "boxcar": ["back"], "rolling": ["face", "back"]}}  # fmt: skip
    profile = assess(demo).profile
    assert profile.scar_sites is not None
    assert profile.scar_sites["boxcar_shallow"] == ["back"] and profile.scar_sites[
        "boxcar_deep"
    ] == ["back"]
    with pytest.raises(scarwise.InvalidInput) as info:
        assess(demo | {"scar_sites": {"rolling": ["chest"]}})
    assert [p.field for p in info.value.problems] == ["scar_sites.rolling.0"]


def test_wizard_reads_the_checklist_the_sites_and_the_scar_age() -> None:
    health = _step_of("conditions")
    base = {"regions": ["face"], "isotretinoin": "never"}
    form = {"active_acne": "none", "isotretinoin": "never", "pregnancy": "none",
            "keloid_history": "no", "herpes_labialis_history": "no", "anticoagulants": "no"}  # fmt: skip
    updated, _, errors = read_step(health, base, form, {})
    assert errors == {} and updated["conditions"] == []  # none ticked is an answer
    updated, _, errors = read_step(health, base, form, {"conditions": ["smoker", "nonsense"]})
    assert errors == {"conditions": "choose from the options shown"}

    scars = _step_of("scar_sites")
    answers = {"regions": ["face", "back"], "scars": {"icepick": 2, "rolling": 3}}
    counts = {
        f"scars.{k}": "0"
        for k in ("icepick", "boxcar", "rolling", "hypertrophic", "keloid", "papular")
    }
    counts |= {"scars.icepick": "2", "scars.rolling": "3", "scar_age_months": ""}
    view = step_view(scars, answers)
    assert view.rows["scar_sites"] and view.regions == ["face", "back"]
    lists = {"scar_sites.icepick": ["face"], "scar_sites.rolling": ["face", "chest"]}
    updated, _, errors = read_step(scars, answers, counts, lists)
    assert errors == {} and updated["scar_sites"] == {"icepick": ["face"], "rolling": ["face"]}
    assert updated.get("scar_age_months") is None
    updated, _, errors = read_step(scars, answers, counts, {"scar_sites.icepick": ["face"]})
    assert "scar_sites" in errors
    updated, _, errors = read_step(scars, answers, {**counts, "scar_age_months": "-3"}, lists)
    assert "scar_age_months" in errors
