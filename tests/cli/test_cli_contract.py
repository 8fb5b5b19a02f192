"""The command line's contract: exit codes, the one JSON error object, stdin, YAML, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from scarwise.cli.main import run

EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "contracts" / "examples"


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any, str]:
    code = run(list(args))
    out, err = capsys.readouterr()
    try:
        obj = json.loads(out)
    except ValueError:
        obj = None
    return code, obj, err


def _assert_error_shape(obj: Any, code: str) -> None:
    assert set(obj) == {"ok", "error"} and obj["ok"] is False
    assert obj["error"]["code"] == code
    assert isinstance(obj["error"]["message"], str) and obj["error"]["message"]
    for row in obj["error"]["errors"]:
        assert set(row) == {"field", "expected", "got"}


def test_score_json_success(capsys: pytest.CaptureFixture[str]) -> None:
    code, obj, _ = _run(
        capsys, "score", "ecca", "--input", str(EXAMPLES / "ecca-example.json"), "--json"
    )
    assert code == 0
    assert (obj["ok"], obj["schema"], obj["score"]) == (True, "score/1", 110)


def test_global_json_flag_before_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, obj, _ = _run(
        capsys, "--json", "score", "ecca", "--input", str(EXAMPLES / "ecca-example.json")
    )
    assert code == 0 and obj["score"] == 110


def test_yaml_input(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    f = tmp_path / "in.yaml"
    f.write_text("# counted on the left cheek\ncounts:\n  icepick_v: 5\n")
    code, obj, _ = _run(capsys, "score", "ecca", "--input", str(f), "--json")
    assert (code, obj["score"]) == (0, 30)


def test_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO('{"face": 3}'))
    code, obj, _ = _run(capsys, "score", "scar-s", "--input", "-", "--json")
    assert (code, obj["score"], obj["label"]) == (0, 3, "moderate")


@pytest.mark.parametrize(
    ("content", "suffix", "n_errors"),
    [
        ('{"counts": {"icepick_v": -1, "boxcar_u": "x", "bogus": 1}}', ".json", 3),
        ("", ".json", 1),
        ("   \n", ".yaml", 1),
        ("{not json", ".json", 1),
        ("counts: [unclosed", ".yaml", 1),
        ("[1, 2, 3]", ".json", 1),
    ],
)
def test_invalid_input_exit_3(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, suffix: str, n_errors: int
) -> None:
    f = tmp_path / f"in{suffix}"
    f.write_text(content)
    code, obj, err = _run(capsys, "score", "ecca", "--input", str(f), "--json")
    assert code == 3
    _assert_error_shape(obj, "invalid_input")
    assert len(obj["error"]["errors"]) == n_errors
    assert "Traceback" not in err


def test_missing_file_exit_4(capsys: pytest.CaptureFixture[str]) -> None:
    code, obj, _ = _run(capsys, "score", "ecca", "--input", "/no/such/file.json", "--json")
    assert code == 4
    _assert_error_shape(obj, "not_found")


def test_unknown_scale_exit_4(capsys: pytest.CaptureFixture[str]) -> None:
    code, obj, _ = _run(
        capsys, "score", "nope", "--input", str(EXAMPLES / "ecca-example.json"), "--json"
    )
    assert code == 4
    _assert_error_shape(obj, "not_found")


@pytest.mark.parametrize(
    "args",
    [["no-such-command"], ["score", "ecca", "--bogus-option"], ["score", "ecca"], ["score"]],
)
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    code, obj, _ = _run(capsys, *args, "--json")
    assert code == 2
    _assert_error_shape(obj, "usage")


def test_plain_message_without_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    f = tmp_path / "in.json"
    f.write_text('{"face": 7, "chest": -1}')
    code = run(["score", "scar-s", "--input", str(f)])
    out, err = capsys.readouterr()
    assert code == 3 and out == ""
    assert "input.face: expected a number ≤ 5, got 7" in err
    assert "chest" in err and "Traceback" not in err


def test_internal_error_hides_text_and_gives_request_id(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def boom(*_: Any, **__: Any) -> None:
        raise RuntimeError("patient Jane Doe's secret")

    monkeypatch.setattr("scarwise.scales.registry.get_scale", boom)
    code, obj, err = _run(
        capsys, "score", "ecca", "--input", str(EXAMPLES / "ecca-example.json"), "--json"
    )
    assert code == 1
    _assert_error_shape(obj, "internal")
    assert "Jane" not in json.dumps(obj) and "Jane" not in err
    assert len(obj["error"]["request_id"]) == 12


def test_list_scales(capsys: pytest.CaptureFixture[str]) -> None:
    code, obj, _ = _run(capsys, "score", "--list", "--json")
    assert code == 0
    assert [s["id"] for s in obj["scales"]] == [
        "gb-qualitative",
        "gb-quantitative",
        "ecca",
        "scar-s",
        "fitzpatrick",
    ]
    assert all(s["reference"] for s in obj["scales"])


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    import scarwise

    assert run(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"scarwise {scarwise.__version__}"


def test_module_entry_point_and_lazy_imports() -> None:
    """`python -m scarwise --help` works and imports none of the heavy libraries."""
    code = (
        "import sys, runpy; sys.argv = ['scarwise', '--help']\n"
        "try:\n    runpy.run_module('scarwise', run_name='__main__')\nexcept SystemExit as e:\n    rc = e.code\n"
        "heavy = sorted(m for m in ('numpy', 'scipy', 'sqlalchemy', 'fastapi', 'cv2', 'PIL', 'matplotlib', 'dask')"
        " if m in sys.modules)\n"
        "print('HEAVY', heavy, 'RC', rc, file=sys.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert "HEAVY [] RC 0" in proc.stderr, proc.stderr[-2000:]
    assert "Usage" in proc.stdout


def test_missing_extra_names_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Without the imaging extra, `analyze` says which extra to install (exit 2, no traceback)."""
    photo = tmp_path / "p.png"
    Image.new("RGB", (64, 64), (200, 150, 130)).save(photo)
    # numpy and Pillow are core (the intake gate); scipy, scikit-image and OpenCV come with the extra
    extra_only = ("scipy", "skimage", "cv2")
    for name in [m for m in sys.modules if m.split(".")[0] in {*extra_only, "scarwise"}]:
        if name.startswith((*extra_only, "scarwise.imaging")):
            monkeypatch.delitem(sys.modules, name)
    for top in extra_only:
        monkeypatch.setitem(sys.modules, top, None)
    code, obj, err = _run(capsys, "analyze", str(photo), "--json")
    assert code == 2
    _assert_error_shape(obj, "usage")
    assert obj["error"]["hint"] == "pip install 'scarwise[imaging]'"
    assert "Traceback" not in err
