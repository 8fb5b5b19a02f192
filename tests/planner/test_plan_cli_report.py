"""``scarwise plan``: JSON per the contract, stdin and YAML, the rich rendering, Markdown and HTML."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import scarwise
from scarwise.cli.main import run
from scarwise.reports import render_html, render_markdown
from scarwise.testing.profiles import vignette

EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "contracts" / "examples"
EXAMPLE = EXAMPLES / "profile-example.json"


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_plan_json_matches_the_api(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "plan", "--profile", str(EXAMPLE), "--json")
    assert code == 0
    obj = json.loads(out)
    api = scarwise.plan(json.loads(EXAMPLE.read_text(encoding="utf-8"))).to_json_dict()
    assert obj == api
    assert set(obj) >= {
        "ok",
        "schema",
        "scarwise_version",
        "summary",
        "phases",
        "excluded",
        "referrals",
        "warnings",
        "disclaimer",
    }


def test_plan_reads_yaml_and_stdin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = vignette(scars={"icepick": 4})
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(profile), encoding="utf-8")
    code, out, _ = _run(capsys, "plan", "--profile", str(path), "--json")
    assert code == 0 and json.loads(out)["schema"] == "plan/1"
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(profile)))
    code, out2, _ = _run(capsys, "plan", "--profile", "-", "--json")
    assert code == 0 and json.loads(out2) == json.loads(out)


def test_plan_rich_rendering_reads_like_a_plan(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "plan", "--profile", str(EXAMPLE))
    assert code == 0
    for words in (
        "Your scar treatment plan",
        "Step 1: Prepare and prevent",
        "Not in this plan",
        "Who to see",
        "not a diagnosis",
        "valacyclovir",
    ):
        assert words in out


def test_plan_writes_markdown_and_html(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    md, html = tmp_path / "plan.md", tmp_path / "plan.html"
    assert (
        _run(capsys, "plan", "--profile", str(EXAMPLE), "--format", "markdown", "--out", str(md))[0]
        == 0
    )
    assert (
        _run(
            capsys,
            "plan",
            "--profile",
            str(EXAMPLE),
            "--format",
            "html",
            "--out",
            str(html),
            "--json",
        )[0]
        == 0
    )
    text = md.read_text(encoding="utf-8")
    assert text.startswith("# Your acne-scar treatment plan")
    assert "## Not in this plan" in text and "doi:10.1001/jamadermatol.2017.2077" in text
    page = html.read_text(encoding="utf-8")
    assert (
        "<h1>Your acne-scar treatment plan</h1>" in page and "http" not in page.split("<main>")[0]
    )
    assert "TCA CROSS" in page and "PMID 12460296" in page


def test_format_needs_out_and_a_known_format(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(capsys, "plan", "--profile", str(EXAMPLE), "--format", "html")[0] == 2
    assert _run(capsys, "plan", "--profile", str(EXAMPLE), "--format", "pdf", "--out", "x")[0] == 2


def test_html_escapes_text() -> None:
    plan = scarwise.plan(vignette(scars={"icepick": 1}))
    hostile = plan.model_copy(update={"summary": "<script>alert(1)</script>"})
    page = render_html(hostile)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "<script>" not in render_html(plan)


def test_markdown_includes_scores_when_given_an_assessment() -> None:
    from scarwise.assess import assess, demo_answers_path

    assessment = assess(yaml.safe_load(demo_answers_path().read_text(encoding="utf-8")))
    text = render_markdown(scarwise.plan(assessment.profile), assessment)
    assert "| fitzpatrick | 24 / 32 | type IV |" in text


def test_missing_profile_file_is_not_found(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "plan", "--profile", "no-such.json", "--json")
    assert code == 4 and json.loads(out)["error"]["code"] == "not_found"


def test_report_to_a_directory_or_missing_parent_is_invalid_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for out in (tmp_path, tmp_path / "missing" / "plan.html"):
        code, out_text, err = _run(
            capsys,
            "plan",
            "--profile",
            str(EXAMPLE),
            "--format",
            "html",
            "--out",
            str(out),
            "--json",
        )
        obj = json.loads(out_text)
        assert code == 3 and obj["error"]["errors"][0]["field"] == "out"
        assert "Traceback" not in err
