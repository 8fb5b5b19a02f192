"""Bad scale input: every problem listed, the right error class, never a silent zero."""

from __future__ import annotations

from typing import Any

import pytest

import scarwise


@pytest.mark.parametrize(
    ("scale", "data", "fields"),
    [
        (
            "ecca",
            {"counts": {"icepick_v": -1, "boxcar_u": 2.5, "icepik_v": 3}},
            ["counts.icepick_v", "counts.boxcar_u", "counts.icepik_v"],
        ),
        ("ecca", {"counts": {"icepick_v": True}}, ["counts.icepick_v"]),
        ("ecca", {"count": {}}, ["count"]),
        (
            "gb-quantitative",
            {"region": "leg", "hypertrophic_area_cm2": -1},
            ["region", "hypertrophic_area_cm2"],
        ),
        ("gb-quantitative", {"counts": [1, 2]}, ["counts"]),
        (
            "fitzpatrick",
            {"answers": {"eye_colour": 5}},
            [
                "answers.eye_colour",
                "answers.hair_colour",
                "answers.skin_colour",
                "answers.freckles",
                "answers.sun_reaction",
                "answers.tanning",
                "answers.tan_depth",
                "answers.face_sensitivity",
            ],
        ),
        (
            "fitzpatrick",
            {
                "answers": {
                    k: 1
                    for k in (
                        "eye_colour",
                        "hair_colour",
                        "skin_colour",
                        "freckles",
                        "sun_reaction",
                        "tanning",
                        "tan_depth",
                        "face_sensitivity",
                    )
                },
                "questionnaire_version": "ten-item",
            },
            ["questionnaire_version"],
        ),
        ("scar-s", {"face": 6, "neck": 1}, ["face", "neck"]),
        ("scar-s", {}, ["face|chest|back"]),
        ("gb-qualitative", {"contour": "wavy"}, ["contour"]),
    ],
)
def test_every_problem_is_listed(scale: str, data: dict[str, Any], fields: list[str]) -> None:
    with pytest.raises(scarwise.InvalidInput) as info:
        scarwise.score(scale, data)
    assert [p.field for p in info.value.problems] == fields
    assert info.value.exit_code == 3


@pytest.mark.parametrize("data", [[1, 2], "text", 3, None])
def test_not_an_object(data: Any) -> None:
    with pytest.raises(scarwise.InvalidInput, match="expected a JSON object"):
        scarwise.score("ecca", data)


def test_unknown_scale_is_not_found() -> None:
    with pytest.raises(scarwise.NotFound) as info:
        scarwise.score("dlqi", {})
    assert info.value.exit_code == 4
    assert "gb-qualitative" in info.value.problems[0].expected


def test_message_names_field_expected_and_got() -> None:
    with pytest.raises(scarwise.InvalidInput) as info:
        scarwise.score("scar-s", {"face": 9})
    assert info.value.message == "input.face: expected a number ≤ 5, got 9"
