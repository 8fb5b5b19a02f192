"""Hostile and damaged export archives: each is invalid input (exit 3) and stores nothing, and
none of them costs more than a little memory (peak RSS of a child process, measured)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from scarwise.cli.main import run
from scarwise.errors import InvalidInput
from scarwise.store import export_zip, import_zip, open_store
from scarwise.testing import hostile_archives as hostile
from scarwise.workflows import record_assessment

DOC = "scarwise-export.json"


def _png() -> bytes:
    rng = np.random.default_rng(4)
    buffer = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (30, 40, 3), dtype=np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def good(store, tmp_path: Path) -> Path:
    """An export of one person (then deleted from the store, so it would import cleanly)."""
    ann = store.add_person("Ann").person
    record_assessment(store, ann.id, "scar-s", {"face": 3}, date="2026-03-01")
    store.add_photo_bytes(ann.id, _png(), date="2026-03-01")
    store.add_note(ann.id, "felt better", date="2026-03-02")
    store.add_session(ann.id, "subcision", date="2026-03-03", settings={"needle": "18G"})
    out = tmp_path / "good.zip"
    export_zip(store, out)
    store.delete_person(ann.id)
    return out


def _rewrite(good: Path, out: Path, edit) -> Path:
    """A copy of ``good`` whose document text is ``edit(document as a dict)`` as JSON text
    (``edit`` may return text itself, for literals json.dumps would not write)."""
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in zin.namelist():
            data = zin.read(name)
            if name == DOC:
                changed = edit(json.loads(data))
                data = (
                    changed.encode() if isinstance(changed, str) else json.dumps(changed).encode()
                )
            zout.writestr(name, data)
    return out


def _refused(store, archive: Path) -> InvalidInput:
    files = set(store.photos.all_digests())
    with pytest.raises(InvalidInput) as err:
        import_zip(store, archive)
    assert store.list_people().people == []
    assert set(store.photos.all_digests()) == files
    return err.value


def test_the_good_archive_imports(store, good: Path) -> None:
    assert import_zip(store, good).import_.people == 1


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda g, o: hostile.with_bad_crc(g, o), id="bad-crc"),
        pytest.param(lambda g, o: hostile.with_corrupt_data(g, o), id="corrupt-deflate"),
        pytest.param(lambda g, o: hostile.with_encryption_flag(g, o), id="encrypted"),
        pytest.param(lambda g, o: hostile.with_compression_method(g, o, 99), id="method-99"),
        pytest.param(lambda g, o: hostile.with_compression_method(g, o, 14), id="method-lzma"),
        pytest.param(
            lambda g, o: hostile.with_two_documents(g, o, b'{"schema": "x"}'), id="two-docs"
        ),
    ],
)
def test_damaged_archives_are_invalid_input(store, good: Path, tmp_path: Path, damage) -> None:
    error = _refused(store, damage(good, tmp_path / "bad.zip"))
    assert error.problems and error.problems[0].field


def test_a_damaged_photo_member_is_invalid_input(store, good: Path, tmp_path: Path) -> None:
    photo = next(n for n in zipfile.ZipFile(good).namelist() if n.startswith("photos/"))
    error = _refused(store, hostile.with_bad_crc(good, tmp_path / "bad.zip", member=photo))
    assert error.problems[0].field == photo


def test_archives_that_inflate_far_beyond_the_limit_are_refused(store, tmp_path: Path) -> None:
    honest = hostile.deflate_bomb(tmp_path / "bomb.zip", 1_800_000_000)
    assert honest.stat().st_size < 3_000_000
    _refused(store, honest)
    lying = hostile.deflate_bomb(tmp_path / "lying.zip", 1_800_000_000, declared_size=1000)
    _refused(store, lying)


def test_a_document_too_deep_or_with_too_many_values_is_refused(store, tmp_path: Path) -> None:
    wide = hostile.deflate_bomb(tmp_path / "wide.zip", 30_000_000, fill=b"{},", suffix=b"{}]}")
    error = _refused(store, wide)
    assert "values" in error.problems[0].expected
    deep = hostile.deflate_bomb(
        tmp_path / "deep.zip",
        3_000_000,
        fill=b"[",
        prefix=b'{"schema": "scarwise-export/1", "people": ',
    )
    error = _refused(store, deep)
    assert "levels deep" in error.problems[0].expected


def _first(doc: dict, table: str) -> dict:
    return doc["people"][0][table][0]


@pytest.mark.parametrize(
    ("edit", "field_part"),
    [
        pytest.param(
            lambda d: json.dumps(d).replace('"score": 3', '"score": 1e30', 1),
            "score",
            id="score-1e30",
        ),
        pytest.param(
            lambda d: json.dumps(d).replace('"score": 3', '"score": ' + "1" + "0" * 30, 1),
            DOC,
            id="score-10**30",
        ),
        pytest.param(
            lambda d: (_first(d, "assessments").update(score=3_000_000_000, max=3_000_000_000), d)[
                1
            ],
            "max",
            id="score-3e9",
        ),
        pytest.param(
            lambda d: (_first(d, "notes").update(date="0001-01-01T00:00:00Z"), d)[1],
            "date",
            id="year-1",
        ),
        pytest.param(
            lambda d: (_first(d, "notes").update(date="9999-12-31T23:59:59Z"), d)[1],
            "date",
            id="year-9999",
        ),
        pytest.param(
            lambda d: (_first(d, "notes").update(date=1_700_000_000), d)[1],
            "date",
            id="number-as-date",
        ),
        pytest.param(
            lambda d: (_first(d, "notes").update(text="x" * 10_001), d)[1],
            "text",
            id="note-over-cap",
        ),
        pytest.param(
            lambda d: (_first(d, "sessions").update(notes="y" * 10_001), d)[1],
            "notes",
            id="session-notes-over-cap",
        ),
        pytest.param(
            lambda d: (_first(d, "notes").update(text="nul\x00byte"), d)[1],
            "text",
            id="nul-in-text",
        ),
        pytest.param(
            lambda d: json.dumps(d).replace('"18G"', "NaN", 1),
            DOC,
            id="nan-in-settings",
        ),
        pytest.param(
            lambda d: json.dumps(d).replace('"18G"', "1e400", 1),
            DOC,
            id="overflow-in-settings",
        ),
    ],
)
def test_values_the_command_line_refuses_are_refused_by_import(
    store, good: Path, tmp_path: Path, edit, field_part: str
) -> None:
    error = _refused(store, _rewrite(good, tmp_path / "edited.zip", edit))
    assert any(field_part in p.field for p in error.problems), error.problems


def test_the_cli_exits_3_for_a_damaged_archive(good: Path, tmp_path: Path, capsys) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    for name, archive in (
        ("crc", hostile.with_bad_crc(good, tmp_path / "crc.zip")),
        ("enc", hostile.with_encryption_flag(good, tmp_path / "enc.zip")),
        ("bomb", hostile.deflate_bomb(tmp_path / "b.zip", 100_000_000)),
    ):
        code = run(["track", "import", str(archive), "--db", db, "--json"])
        payload = json.loads(capsys.readouterr().out)
        assert code == 3, (name, payload)
        assert payload["error"]["code"] == "invalid_input"


def test_export_into_a_directory_writes_a_dated_zip(store, tmp_path: Path) -> None:
    store.add_person("Ann")
    folder = tmp_path / "exports"
    folder.mkdir()
    first = Path(export_zip(store, folder).export.file)
    second = Path(export_zip(store, folder).export.file)
    assert first.parent == folder and first.name.startswith("scarwise-export-")
    assert first.name.endswith(".zip") and second.name.endswith("-2.zip")
    assert first.stat().st_mode & 0o777 == 0o600
    new = Path(export_zip(store, f"{tmp_path / 'new-folder'}/").export.file)
    assert new.parent == tmp_path / "new-folder" and new.is_file()


def test_cli_export_out_dir(tmp_path: Path, capsys) -> None:
    db = f"sqlite:///{tmp_path / 'e.db'}"
    assert run(["track", "person", "add", "--name", "Ann", "--db", db, "--json"]) == 0
    capsys.readouterr()
    code = run(["track", "export", "--out", str(tmp_path), "--db", db, "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert code == 0, payload
    written = Path(payload["export"]["file"])
    assert written.parent == tmp_path and zipfile.is_zipfile(written)
    code = run(["track", "export", "--out", f"{tmp_path / 'made'}/", "--db", db, "--json"])
    made = Path(json.loads(capsys.readouterr().out)["export"]["file"])
    assert code == 0 and made.parent == tmp_path / "made" and zipfile.is_zipfile(made)


# --- memory: a child process imports each archive and reports its peak RSS ------------------

# The peak comes from /proc/self/status (VmHWM) where there is one: Linux keeps ru_maxrss across
# exec, so a child of a large pytest process would start with its parent's peak; resource's
# ru_maxrss is the fallback elsewhere.
_MEASURE = textwrap.dedent(
    """
    import json, resource, sys
    from pathlib import Path
    from scarwise.errors import exit_code_for
    from scarwise.store import import_zip, open_store

    def peak_kib():
        status = Path("/proc/self/status")
        if status.is_file():
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    store = open_store(sys.argv[1], photo_dir=sys.argv[2])
    before = peak_kib()
    try:
        import_zip(store, sys.argv[3])
        code = 0
    except BaseException as err:
        code = exit_code_for(err)
    print(json.dumps({"code": code, "before_kib": before, "peak_kib": peak_kib()}))
    """
)


@pytest.mark.slow
def test_hostile_archives_cost_little_memory(tmp_path: Path) -> None:
    archives = {
        "1.8 GB of spaces": hostile.deflate_bomb(tmp_path / "spaces.zip", 1_800_000_000),
        "1.8 GB, headers say 1 kB": hostile.deflate_bomb(
            tmp_path / "lying.zip", 1_800_000_000, declared_size=1000
        ),
        "580 MB of {}": hostile.deflate_bomb(
            tmp_path / "objects.zip", 580_000_000, fill=b"{},", suffix=b"{}]}"
        ),
        "30 MB of {}": hostile.deflate_bomb(
            tmp_path / "wide.zip", 30_000_000, fill=b"{},", suffix=b"{}]}"
        ),
        "3 MB of [": hostile.deflate_bomb(
            tmp_path / "deep.zip",
            3_000_000,
            fill=b"[",
            prefix=b'{"schema": "scarwise-export/1", "people": ',
        ),
    }
    script = tmp_path / "measure.py"
    script.write_text(_MEASURE)
    url, photos = f"sqlite:///{tmp_path / 'm.db'}", tmp_path / "m"
    open_store(url, photo_dir=photos).close()  # migrated here: the child imports no Alembic
    for what, archive in archives.items():
        assert archive.stat().st_size < 2_000_000, what
        done = subprocess.run(
            [sys.executable, str(script), url, str(photos), str(archive)],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        measured = json.loads(done.stdout.strip().splitlines()[-1])
        grown_mib = (measured["peak_kib"] - measured["before_kib"]) / 1024
        print(f"{what}: {archive.stat().st_size} bytes zipped, peak grew {grown_mib:.0f} MiB")
        assert measured["code"] == 3, what
        assert grown_mib < 200, (what, grown_mib)
        assert measured["peak_kib"] < 600 * 1024, (what, measured)
