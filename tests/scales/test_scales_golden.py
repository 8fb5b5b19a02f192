"""Every band edge and maximum of the count scales and the phototype, from tests/golden/*.tsv."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

import scarwise

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "contracts" / "examples"


def _rows(name: str) -> list[dict[str, str]]:
    lines = [ln for ln in (GOLDEN / name).read_text().splitlines() if ln and not ln.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def _counts(text: str) -> dict[str, int]:
    return {k: int(v) for k, v in (pair.split("=") for pair in text.split(",") if pair)}


@pytest.mark.parametrize("row", _rows("gb_quantitative.tsv"), ids=lambda r: r["case"])
def test_gb_quantitative_golden(row: dict[str, str]) -> None:
    result = scarwise.score(
        "gb-quantitative",
        {"counts": _counts(row["counts"]), "hypertrophic_area_cm2": float(row["area_cm2"])},
    )
    assert result.score == int(row["expected"])
    assert result.max == 84
    assert result.score == sum(item.score for item in result.items)


@pytest.mark.parametrize("row", _rows("ecca.tsv"), ids=lambda r: r["case"])
def test_ecca_golden(row: dict[str, str]) -> None:
    result = scarwise.score("ecca", {"counts": _counts(row["counts"])})
    assert result.score == int(row["expected"])
    assert result.max == 540


@pytest.mark.parametrize("row", _rows("fitzpatrick.tsv"), ids=lambda r: r["answers"])
def test_fitzpatrick_golden(row: dict[str, str]) -> None:
    names = [
        "eye_colour",
        "hair_colour",
        "skin_colour",
        "freckles",
        "sun_reaction",
        "tanning",
        "tan_depth",
        "face_sensitivity",
    ]
    answers = dict(zip(names, (int(v) for v in row["answers"].split(",")), strict=True))
    result = scarwise.score("fitzpatrick", {"answers": answers})
    data = result.to_json_dict()
    assert (data["score"], data["type"], data["type_roman"]) == (
        int(row["total"]),
        int(row["type"]),
        row["roman"],
    )
    assert data["questionnaire_version"] == "scf-8-item"


QUALITATIVE_CASES: list[tuple[dict[str, Any], int, str]] = [
    ({"contour": "none", "colour_marks": False}, 0, "no scarring"),
    ({"contour": "none", "colour_marks": True}, 1, "macular"),
    ({"contour": "atrophic", "obvious_at_50cm": False}, 2, "mild"),
    ({"contour": "hypertrophic", "obvious_at_50cm": True, "easily_concealed": True}, 2, "mild"),
    (
        {
            "contour": "atrophic",
            "obvious_at_50cm": True,
            "easily_concealed": False,
            "atrophic_flatten_on_stretch": True,
        },
        3,
        "moderate",
    ),
    (
        {
            "contour": "atrophic",
            "obvious_at_50cm": True,
            "easily_concealed": False,
            "atrophic_flatten_on_stretch": False,
        },
        4,
        "severe",
    ),
    (
        {
            "contour": "hypertrophic",
            "obvious_at_50cm": True,
            "easily_concealed": False,
            "hypertrophy_significant": False,
        },
        3,
        "moderate",
    ),
    (
        {
            "contour": "hypertrophic",
            "obvious_at_50cm": True,
            "easily_concealed": False,
            "hypertrophy_significant": True,
        },
        4,
        "severe",
    ),
    (
        {
            "contour": "both",
            "obvious_at_50cm": True,
            "easily_concealed": False,
            "atrophic_flatten_on_stretch": True,
            "hypertrophy_significant": False,
        },
        3,
        "moderate",
    ),
    (
        {
            "contour": "both",
            "obvious_at_50cm": True,
            "easily_concealed": False,
            "atrophic_flatten_on_stretch": True,
            "hypertrophy_significant": True,
        },
        4,
        "severe",
    ),
    (
        {
            "contour": "both",
            "obvious_at_50cm": True,
            "easily_concealed": False,
            "atrophic_flatten_on_stretch": False,
            "hypertrophy_significant": False,
        },
        4,
        "severe",
    ),
]


@pytest.mark.parametrize(("data", "grade", "label"), QUALITATIVE_CASES)
def test_gb_qualitative_rules(data: dict[str, Any], grade: int, label: str) -> None:
    result = scarwise.score("gb-qualitative", data)
    assert (result.score, result.to_json_dict()["label"], result.max) == (grade, label, 4)
    assert result.to_json_dict()["items"][0]["item"] == "contour"


def test_gb_qualitative_names_every_missing_field() -> None:
    with pytest.raises(scarwise.InvalidInput) as info:
        scarwise.score("gb-qualitative", {"contour": "both"})
    fields = [p.field for p in info.value.problems]
    assert fields == [
        "obvious_at_50cm",
        "easily_concealed",
        "atrophic_flatten_on_stretch",
        "hypertrophy_significant",
    ]


@pytest.mark.parametrize("rating", range(6))
def test_scar_s_labels_and_relevance(rating: int) -> None:
    labels = ["clear", "almost clear", "mild", "moderate", "severe", "very severe"]
    data = scarwise.score("scar-s", {"face": rating, "back": 1}).to_json_dict()
    assert data["score"] == max(rating, 1)
    assert data["items"][0] == {"item": "face", "score": rating, "label": labels[rating]}
    assert data["clinically_relevant"] == (["face"] if rating >= 2 else [])
    assert data["max"] == 5


def test_scar_s_sites_are_never_summed() -> None:
    assert scarwise.score("scar-s", {"face": 3, "chest": 3, "back": 3}).score == 3


def test_gb_quantitative_region_is_echoed_not_added() -> None:
    data = scarwise.score(
        "gb-quantitative", {"region": "back", "counts": {"papular": 11}}
    ).to_json_dict()
    assert (data["region"], data["score"]) == ("back", 4)
    assert data["items"][-1] == {"item": "hypertrophic", "area_cm2": 0.0, "score": 0}


EXPECTED_EXAMPLES = {
    "gb-quantitative": 17,  # 1 + 2 + 2 + 9 + 3, worked by hand from the contract table
    "ecca": 110,  # 15*3 + 20*2 + 25*1
    "gb-qualitative": 4,  # atrophic, obvious, not concealed, does not flatten
    "fitzpatrick": 27,  # 3+4+3+4+3+4+3+3 -> type V
}


@pytest.mark.parametrize("scale", sorted(EXPECTED_EXAMPLES))
def test_contract_examples(scale: str) -> None:
    data = json.loads((EXAMPLES / f"{scale}-example.json").read_text())
    result = scarwise.score(scale, data).to_json_dict()
    assert result["score"] == EXPECTED_EXAMPLES[scale]
    assert (result["ok"], result["schema"], result["scale"]) == (True, "score/1", scale)
    assert result["reference"] and result["scarwise_version"] == scarwise.__version__
