"""Bad profiles are ProfileError (exit 3) listing every problem; the committed schemas match."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import scarwise
from scarwise.cli.main import run
from scarwise.planner.schemas import committed_schemas, generate_schemas
from scarwise.testing.profiles import vignette


def _fields(data: Any) -> list[str]:
    with pytest.raises(scarwise.ProfileError) as info:
        scarwise.plan(data)
    assert info.value.exit_code == 3 and info.value.code == "invalid_input"
    return [p.field for p in info.value.problems]


def test_contract_bad_profile_lists_both_problems() -> None:
    assert sorted(_fields({"age": 30, "fitzpatrick": 9, "colour": "x"})) == [
        "colour",
        "fitzpatrick",
    ]


def test_every_problem_listed_including_unknown_treatment_ids() -> None:
    fields = _fields(
        {
            "age": 5,
            "fitzpatrick": 0,
            "sex": "robot",
            "scars": {"icepick": -1, "boxcar": 3, "rolling": 2.5},
            "marks": {"erythema": "yes"},
            "regions": ["face", "neck"],
            "budget_usd": -10,
            "max_downtime_days": False,
            "prefers": ["laser-magic", "subcision"],
            "avoids": ["tca-cross", "unicorn"],
        }
    )
    assert sorted(fields) == sorted(
        [
            "age",
            "fitzpatrick",
            "sex",
            "scars.icepick",
            "scars.boxcar",
            "scars.rolling",
            "marks.erythema",
            "regions.1",
            "budget_usd",
            "max_downtime_days",
            "prefers.0",
            "avoids.1",
        ]
    )


def test_missing_required_fields_and_non_object() -> None:
    assert sorted(_fields({})) == ["age", "fitzpatrick"]
    assert _fields(["not", "an", "object"]) == [""]


def test_booleans_are_not_numbers() -> None:
    assert _fields(vignette(age=True)) == ["age"]


def test_profile_message_names_the_profile_field() -> None:
    with pytest.raises(scarwise.ProfileError) as info:
        scarwise.plan({"age": 30, "fitzpatrick": 9})
    assert info.value.message.startswith("profile.fitzpatrick: expected a number ≤ 6, got 9")


def test_cli_bad_profile_exit_3_with_every_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"age": 30, "fitzpatrick": 9, "colour": "x", "avoids": ["nope"]}))
    code = run(["plan", "--profile", str(path), "--json"])
    captured = capsys.readouterr()
    obj = json.loads(captured.out)
    assert code == 3 and obj["ok"] is False and obj["error"]["code"] == "invalid_input"
    assert sorted(e["field"] for e in obj["error"]["errors"]) == [
        "avoids.0",
        "colour",
        "fitzpatrick",
    ]
    assert "Traceback" not in captured.err


def test_committed_json_schemas_match_the_models() -> None:
    assert committed_schemas() == json.loads(json.dumps(generate_schemas(), sort_keys=True))


def test_profile_schema_lists_the_treatment_vocabulary() -> None:
    schema = committed_schemas()["profile.schema.json"]
    items = schema["properties"]["avoids"]["items"]
    assert len(items["enum"]) == 35 and items["enum"][0] == "sunscreen"


_CONTRADICTORY = {
    "age": 30,
    "fitzpatrick": 3,
    "scars": {"rolling": 1001, "keloid": 5},
    "regions": ["face"],
    "prefers": ["subcision", "microneedling"],
    "avoids": ["microneedling"],
    "pregnancy": "none",
    "pregnant_or_breastfeeding": True,
    "isotretinoin": "never",
    "isotretinoin_months_since_stop": 4,
    "scar_sites": {"keloid": ["chest"]},
}
_CONTRADICTION_FIELDS = [
    "avoids.0",
    "isotretinoin_months_since_stop",
    "pregnant_or_breastfeeding",
    "scar_sites.keloid.0",
    "scars.rolling",
]


def test_contradictory_profile_lists_every_problem_at_once() -> None:
    assert sorted(_fields(_CONTRADICTORY)) == _CONTRADICTION_FIELDS


def test_cross_field_problems_are_listed_with_field_problems() -> None:
    fields = _fields({**_CONTRADICTORY, "fitzpatrick": 9, "smoker": "often"})
    assert sorted(fields) == sorted([*_CONTRADICTION_FIELDS, "fitzpatrick", "smoker"])


@pytest.mark.parametrize(
    ("status", "months"),
    [("current", 2), ("stopped_within_6_months", 9), ("stopped_over_6_months", 1)],
)
def test_months_since_stopping_must_agree_with_the_isotretinoin_answer(
    status: str, months: float
) -> None:
    assert _fields(vignette(isotretinoin=status, isotretinoin_months_since_stop=months)) == [
        "isotretinoin_months_since_stop"
    ]


def test_a_scar_type_with_scars_needs_a_site() -> None:
    assert _fields(vignette(scars={"rolling": 3}, scar_sites={"rolling": []})) == [
        "scar_sites.rolling"
    ]


def test_a_profile_built_in_python_is_checked_too() -> None:
    with pytest.raises(ValueError, match=r"avoids\.0"):
        scarwise.Profile(age=30, fitzpatrick=2, prefers=["subcision"], avoids=["subcision"])


def test_cli_contradictory_profile_exit_3_with_every_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "contradictory.json"
    path.write_text(json.dumps(_CONTRADICTORY), encoding="utf-8")
    code = run(["plan", "--profile", str(path), "--json"])
    captured = capsys.readouterr()
    obj = json.loads(captured.out)
    assert code == 3 and obj["ok"] is False and obj["error"]["code"] == "invalid_input"
    assert sorted(e["field"] for e in obj["error"]["errors"]) == _CONTRADICTION_FIELDS
    assert "Traceback" not in captured.err


def test_api_contradictory_profile_is_422_with_every_error(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from scarwise.config import Settings
    from scarwise.web import create_app

    app = create_app(Settings(data_dir=tmp_path / "data", database_url=None))
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        response = client.post("/api/v1/plan", json=_CONTRADICTORY)
    assert response.status_code == 422
    body = response.json()
    assert body["ok"] is False and body["error"]["code"] == "invalid_input"
    assert sorted(e["field"] for e in body["error"]["errors"]) == _CONTRADICTION_FIELDS
