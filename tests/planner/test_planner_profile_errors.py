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
