"""``scarwise track`` per contracts/cli.md (Tracking): JSON shapes, exit codes, both engines."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from scarwise.cli.main import run


@pytest.fixture
def cli(capsys, store_url, tmp_path):
    """Run ``scarwise track ... --db URL --json`` in-process; returns (exit code, JSON object)."""

    def call(*args: str):
        code = run(["track", *args, "--db", store_url, "--json"])
        out, _err = capsys.readouterr()
        return code, json.loads(out)

    return call


def _error(obj, code):
    assert set(obj) == {"ok", "error"} and obj["ok"] is False and obj["error"]["code"] == code
    for row in obj["error"]["errors"]:
        assert set(row) == {"field", "expected", "got"}


def test_track_commands_follow_the_contract(cli, tmp_path):
    code, out = cli("person", "add", "--name", "Ann")
    assert (
        code == 0
        and out["ok"] is True
        and out["schema"] == "track-person/1"
        and "scarwise_version" in out
    )
    person = out["person"]["id"]
    assert isinstance(person, str) and out["person"]["name"] == "Ann"

    code, out = cli("person", "list")
    assert code == 0 and [p["name"] for p in out["people"]] == ["Ann"]

    scale_input = tmp_path / "ecca.yaml"
    scale_input.write_text("counts:\n  icepick_v: 5\n")
    code, out = cli(
        "assess",
        person,
        "--scale",
        "ecca",
        "--input",
        str(scale_input),
        "--date",
        "2026-03-01",
        "--rater",
        "Dr A",
    )
    assert code == 0
    assert {k: out["assessment"][k] for k in ("scale", "score", "date")} == {
        "scale": "ecca",
        "score": 30,
        "date": "2026-03-01T00:00:00Z",
    }

    photo = tmp_path / "p.png"
    Image.fromarray(np.full((20, 30, 3), 180, dtype=np.uint8)).save(photo)
    code, out = cli("photo", "add", person, str(photo), "--date", "2026-03-02")
    assert code == 0 and set(out["photos"][0]) >= {"id", "sha256_original", "date"}

    code, out = cli(
        "session",
        "add",
        person,
        "--treatment",
        "subcision",
        "--date",
        "2026-03-10",
        "--provider",
        "Dr B",
        "--notes",
        "cheeks",
        "--side-effect",
        "bruising",
        "--rating",
        "4",
    )
    assert code == 0 and {k: out["session"][k] for k in ("treatment", "date")} == {
        "treatment": "subcision",
        "date": "2026-03-10T00:00:00Z",
    }

    code, out = cli(
        "regimen",
        "add",
        person,
        "--treatment",
        "topical-retinoid",
        "--frequency",
        "daily",
        "--start",
        "2026-03-01",
    )
    assert code == 0
    item = out["regimen"]["id"]
    assert cli("dose", "log", item, "--date", "2026-03-02")[0] == 0
    assert cli("note", "add", person, "feels smoother", "--date", "2026-03-20")[0] == 0
    result = tmp_path / "a3d.json"
    result.write_text(
        json.dumps(
            {
                "ok": True,
                "schema": "analyze3d/1",
                "scarwise_version": "0.1.0",
                "summary": {"count": 3, "total_volume_mm3": 1.2},
            }
        )
    )
    assert cli("analysis", "add", person, "--result", str(result), "--date", "2026-03-03")[0] == 0

    code, out = cli("history", person)
    assert code == 0 and out["person"]["id"] == person
    kinds = [e["kind"] for e in out["events"]]
    assert kinds == ["regimen", "assessment", "photo", "dose", "analysis", "session", "note"]
    assert all(set(e) >= {"kind", "id", "date"} for e in out["events"])

    code, out = cli("progress", person, "--from", "2026-03-01", "--to", "2026-03-31")
    assert code == 0 and out["adherence"]["expected"] == 31 and out["adherence"]["taken"] == 1

    zip_file = tmp_path / "out.zip"
    code, out = cli("export", person, "--out", str(zip_file))
    assert code == 0 and out["export"] == {"file": str(zip_file), "people": 1, "photos": 1}

    code, out = cli("person", "delete", person)  # --json without --yes
    assert code == 2
    _error(out, "usage")
    code, out = cli("person", "delete", person, "--yes")
    assert code == 0 and out["deleted"] == {"person": person, "photos": 1}
    code, out = cli("import", str(zip_file))
    assert code == 0 and out["import"] == {"people": 1, "photos": 1}
    assert len(cli("history", person)[1]["events"]) == len(kinds)


def test_track_errors_have_the_contract_exit_codes(cli, tmp_path):
    _, out = cli("person", "add", "--name", "Ann")
    person = out["person"]["id"]
    code, out = cli("history", "nobody")
    assert code == 4
    _error(out, "not_found")
    code, out = cli("session", "add", person, "--treatment", "snake-oil", "--date", "2026-03-10")
    assert code == 3
    _error(out, "invalid_input")
    assert out["error"]["errors"][0]["field"] == "treatment"
    code, out = cli("session", "add", person, "--treatment", "subcision", "--date", "10/03/2026")
    assert code == 3
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\xff\xd8\xff garbage")
    code, out = cli("photo", "add", person, str(bad))
    assert code == 3
    _error(out, "invalid_input")
    code, out = cli("assess", person, "--scale", "ecca", "--input", str(tmp_path / "missing.json"))
    assert code == 4
    code, out = cli("track-nothing")
    assert code == 2
    assert cli("history", person)[1]["events"] == []


def test_bad_db_url_is_a_usage_error(capsys):
    code = run(["track", "person", "list", "--db", "mysql://x/y", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 2 and out["error"]["code"] == "usage"


def test_default_store_lives_in_the_user_data_dir(tmp_path):
    env = {"XDG_DATA_HOME": str(tmp_path / "xdg"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    cmd = [sys.executable, "-m", "scarwise", "track", "person", "add", "--name", "Zoë", "--json"]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["person"]["name"] == "Zoë"
    assert (tmp_path / "xdg" / "scarwise" / "scarwise.db").is_file()


def test_track_file_that_is_not_an_object_is_invalid_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A profile/result/settings file holding a list is invalid input (exit 3), named by field."""

    bad = tmp_path / "list.json"
    bad.write_text("[1, 2]")
    db = f"sqlite:///{tmp_path / 't.db'}"
    code = run(["track", "plan", "save", "nobody", "--profile", str(bad), "--db", db, "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert code == 3
    assert payload["error"]["errors"] == [
        {"field": "profile", "expected": "one JSON object", "got": "list"}
    ]
