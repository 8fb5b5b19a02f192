"""The guided self-assessment: answers -> profile and scores (pure), the answers file, the demo."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

import scarwise
from scarwise.assess import Answers, assess, demo_answers_path, load_questions, should_ask
from scarwise.cli.main import run


def _demo() -> dict[str, Any]:
    return yaml.safe_load(demo_answers_path().read_text(encoding="utf-8"))


def test_demo_answers_give_the_expected_profile_and_scores() -> None:
    result = scarwise.assess.assess(_demo())
    p = result.profile
    # SCF total 3+4+3+4+3+3+2+2 = 24 -> type IV (19-24), clinical-facts §6.1 [V]
    assert result.scores["fitzpatrick"].score == 24 and p.fitzpatrick == 4
    assert (p.scars.boxcar_shallow, p.scars.boxcar_deep, p.scars.icepick, p.scars.rolling) == (
        5,
        2,
        12,
        8,
    )
    # atrophic, obvious at 50 cm, not concealed, not flattening on stretch -> grade 4
    assert result.scores["gb-qualitative"].score == 4
    # ECCA: icepick 12 -> 15*2; boxcar 7 -> 20*2; rolling 8 -> 25*2 = 120
    assert result.scores["ecca"].score == 120
    assert p.bdd_screen_positive is False
    assert result.to_json_dict()["schema"] == "assessment/1"


def test_bdd_screen_needs_all_three_answers() -> None:
    answers = _demo()
    answers["body_image"] = {"worried": True, "preoccupied": True, "distress": True}
    assert assess(answers).profile.bdd_screen_positive is True
    answers["body_image"]["distress"] = False
    assert assess(answers).profile.bdd_screen_positive is False


def test_raised_scar_age_maps_to_the_ecca_items() -> None:
    answers = _demo() | {
        "scars": {"hypertrophic": 3, "keloid": 1},
        "raised_scars_recent": True,
        "visibility": {
            "obvious_at_50cm": True,
            "easily_concealed": False,
            "hypertrophy_significant": True,
        },
    }
    ecca = {i["item"]: i["count"] for i in assess(answers).scores["ecca"].model_dump()["items"]}
    assert ecca["hypertrophic_recent"] == 3 and ecca["keloid_or_old_hypertrophic"] == 1


def test_missing_visibility_answers_skip_the_grade_with_a_note() -> None:
    answers = _demo()
    del answers["visibility"]
    result = assess(answers)
    assert "gb-qualitative" not in result.scores
    assert any("obvious_at_50cm" in n for n in result.notes)


def test_bad_answers_list_every_problem() -> None:
    with pytest.raises(scarwise.InvalidInput) as info:
        assess(
            {
                "age": 3,
                "fitzpatrick": {"eye_colour": 9},
                "scars": {"boxcar": 1, "boxcar_deep": 2},
                "pets": "cat",
            }
        )
    fields = {p.field for p in info.value.problems}
    assert {"age", "fitzpatrick.eye_colour", "fitzpatrick.hair_colour", "scars", "pets"} <= fields


def test_question_fields_exist_in_the_answers_model() -> None:
    sections = load_questions()
    assert [s.id for s in sections][:3] == ["about", "skin_type", "scars"]
    for section in sections:
        for q in section.questions:
            top = q.field.split(".")[0]
            assert top in Answers.model_fields, q.field
            if q.kind == "choice":
                assert q.choices
    texts = " ".join(q.text for s in sections for q in s.questions)
    for plain in ("pen tip", "STEEP", "SLOPING", "stretch"):
        assert plain in texts
    assert len(next(s for s in sections if s.id == "skin_type").questions) == 8


def test_conditional_questions() -> None:
    assert should_ask("scars.boxcar", [], {"scars": {"boxcar": 0}}) is False
    assert should_ask("scars.boxcar", [], {"scars": {"boxcar": 3}}) is True
    assert (
        should_ask(None, ["scars.keloid", "scars.hypertrophic"], {"scars": {"keloid": 1}}) is True
    )
    assert should_ask(None, ["scars.keloid"], {}) is False


def test_assess_cli_from_answers_file_writes_profile_and_scores(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "me.json"
    code = run(["assess", "--answers", str(demo_answers_path()), "--out", str(out), "--json"])
    obj = json.loads(capsys.readouterr().out)
    assert code == 0 and obj["schema"] == "assessment/1"
    profile = json.loads(out.read_text(encoding="utf-8"))
    assert profile == obj["profile"]
    scores = json.loads((tmp_path / "me-scores.json").read_text(encoding="utf-8"))
    assert scores["fitzpatrick"]["type"] == 4
    # the written profile plans
    assert run(["plan", "--profile", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True


def test_assess_without_a_terminal_or_answers_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(["assess", "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["error"]["code"] == "usage"


def test_demo_writes_a_readable_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["demo", "--out", str(tmp_path / "demo"), "--json"])
    obj = json.loads(capsys.readouterr().out)
    assert code == 0 and obj["schema"] == "demo/1"
    files = {k: Path(v) for k, v in obj["files"].items()}
    assert set(files) == {"profile", "scores", "plan", "markdown", "html"}
    assert all(f.is_file() and f.parent == (tmp_path / "demo").resolve() for f in files.values())
    plan = json.loads(files["plan"].read_text(encoding="utf-8"))
    assert plan["schema"] == "plan/1" and plan["disclaimer"]
    page = files["html"].read_text(encoding="utf-8")
    assert "Your scores" in page and "skin type IV" in page
    code = run(["demo", "--out", str(tmp_path / "demo2")])
    assert code == 0 and "plan.html" in capsys.readouterr().out


def test_interactive_questionnaire_walks_the_questions(monkeypatch: pytest.MonkeyPatch) -> None:
    from io import StringIO

    from rich.console import Console

    from scarwise.cli.assess import ask_interactively

    typed = iter(
        [
            "5",
            "27",  # age: 5 is out of range, asked again
            "9",
            "1",  # sex: 9 is not a choice
            "1",  # regions: face
            "4",
            "5",
            "4",
            "5",
            "4",
            "4",
            "3",
            "3",  # skin type answers 3,4,3,4,3,3,2,2 = 24
            "12",
            "7",
            "2",
            "8",
            "0",
            "0",
            "0",  # icepick, boxcar, deep boxcar, rolling, hyper, keloid, papular
            "",  # age of the newest scars: not sure (sites are not asked: one region)
            "n",
            "y",
            "n",  # marks
            "y",
            "n",
            "n",  # obvious at 50 cm, concealed, flattens on stretch
            "2",
            "3",
            "",  # mild acne, isotretinoin <6 months, months since the last dose: not sure
            "1",
            "n",
            "y",
            "n",  # not pregnant, no keloids, cold sores, no blood thinner
            "",  # the health checklist: none ticked
            "y",
            "n",  # worried, not preoccupied (distress not asked)
            "4000",
            "7",
        ]
    )
    monkeypatch.setattr("builtins.input", lambda *args: next(typed))
    console = Console(file=StringIO(), force_terminal=False)
    answers = ask_interactively(console)
    assert next(typed, None) is None  # every typed answer was used, none missing
    expected = _demo()
    del expected["avoids"], expected["prefers"]
    expected["scars"] = {**expected["scars"]}
    assert answers["fitzpatrick"] == expected["fitzpatrick"]
    assert answers["scars"] == expected["scars"]
    assert answers["visibility"] == expected["visibility"]
    assert assess(answers).profile == assess(_demo() | {"avoids": []}).profile
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert "pen tip" in text and "Please enter a whole number from 12 to 120" in text
