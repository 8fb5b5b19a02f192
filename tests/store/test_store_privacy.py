"""Local privacy: every file scarwise creates is owner-only, and a deleted person leaves no trace
in the SQLite database or its WAL."""

from __future__ import annotations

import io
import json
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from scarwise.cli.main import run
from scarwise.store import backup, doctor, export_zip, open_store

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """Run with the common umask 022, under which files are world-readable by default."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _png(seed: int) -> bytes:
    buffer = io.BytesIO()
    pixels = np.random.default_rng(seed).integers(0, 255, (30, 40, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def _assert_private_tree(root: Path) -> None:
    assert _mode(root) == 0o700, root
    for path in root.rglob("*"):
        assert _mode(path) == (0o700 if path.is_dir() else 0o600), path


def test_everything_the_store_writes_is_owner_only(tmp_path: Path, loose_umask: None) -> None:
    data = tmp_path / "new-data-dir"
    store = open_store(f"sqlite:///{data / 'store.db'}", photo_dir=data / "store-photos")
    try:
        ann = store.add_person("Ann").person
        store.add_photo_bytes(ann.id, _png(1), date="2026-03-01")
        assert _mode(data) == 0o700  # the folder the store created
        db = data / "store.db"
        for path in (db, db.with_name("store.db-wal"), db.with_name("store.db-shm")):
            assert path.is_file() and _mode(path) == 0o600, path
        _assert_private_tree(store.photo_dir)
        assert _mode(data / ".store-photos.lock") == 0o600
        out = tmp_path / "exports" / "ann.zip"
        export_zip(store, out)
        assert _mode(out) == 0o600 and _mode(out.parent) == 0o700
        result = backup(store, tmp_path / "backups" / "snap.db").backup
        assert _mode(Path(result.file)) == 0o600
        _assert_private_tree(Path(result.photo_dir))
    finally:
        store.close()


def test_an_old_world_readable_store_is_tightened(tmp_path: Path, loose_umask: None) -> None:
    url, photos = f"sqlite:///{tmp_path / 'old.db'}", tmp_path / "old-photos"
    with open_store(url, photo_dir=photos) as store:
        ann = store.add_person("Ann").person
        store.add_photo_bytes(ann.id, _png(2), date="2026-03-01")
    for path in [tmp_path / "old.db", *photos.rglob("*"), photos]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)  # as an older scarwise left them
    with open_store(url, photo_dir=photos) as store:
        assert _mode(tmp_path / "old.db") == 0o600 and _mode(photos) == 0o700
        found = doctor(store).doctor
        assert found.loose_permissions > 0 and not found.healthy
        fixed = doctor(store, fix=True).doctor
        assert fixed.tightened == found.loose_permissions
        assert doctor(store).doctor.healthy
    _assert_private_tree(photos)


def test_track_commands_write_owner_only_reports_and_exports(
    tmp_path: Path, loose_umask: None, capsys
) -> None:
    db = f"sqlite:///{tmp_path / 'cli' / 'cli.db'}"
    assert run(["track", "person", "add", "--name", "Ann", "--db", db, "--json"]) == 0
    person = json.loads(capsys.readouterr().out)["person"]["id"]
    report = tmp_path / "out" / "report.html"
    assert run(["track", "report", person, "--out", str(report), "--db", db, "--json"]) == 0
    assert run(["track", "export", "--out", str(tmp_path / "out" / "e.zip"), "--db", db]) == 0
    capsys.readouterr()
    assert _mode(report) == 0o600 and _mode(tmp_path / "out" / "e.zip") == 0o600
    assert _mode(tmp_path / "out") == 0o700 and _mode(tmp_path / "cli" / "cli.db") == 0o600
    assert os.umask(0o022) == 0o022  # the command put the umask back


NAME = "Zebediah Quillfeather"
NOTE = "unmistakable-note-8841 about the left cheek"


def _traces(db: Path) -> list[str]:
    found = []
    for path in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        if path.is_file():
            data = path.read_bytes()
            found += [f"{path.name}: {t}" for t in (NAME, NOTE) if t.encode() in data]
    return found


def test_a_deleted_person_leaves_no_trace_in_the_database_or_its_wal(tmp_path: Path) -> None:
    db = tmp_path / "trace.db"
    with open_store(f"sqlite:///{db}", photo_dir=tmp_path / "p") as store:
        keep = store.add_person("Keeper").person
        gone = store.add_person(NAME).person
        for day in range(1, 20):
            store.add_note(gone.id, f"{NOTE} day {day}", date=f"2026-03-{day:02d}")
            store.add_note(keep.id, f"an ordinary note {day}", date=f"2026-03-{day:02d}")
        store.add_session(gone.id, "subcision", date="2026-03-05", notes=NOTE)
        from scarwise.store.engine import checkpoint

        checkpoint(store.engine)  # the rows are in the database file, not only in the WAL
        assert _traces(db), "the test data never reached the file"
        store.add_note(keep.id, "after the checkpoint", date="2026-04-01")
        store.delete_person(gone.id)
        assert _traces(db) == []  # while the store is still open
        assert [p.name for p in store.list_people().people] == ["Keeper"]
    assert _traces(db) == []


def test_nan_in_session_settings_is_the_same_clear_error_on_both_backends(
    store_url: str, tmp_path: Path, capsys
) -> None:
    settings = tmp_path / "settings.json"
    settings.write_text('{"energy_mj": NaN, "passes": 2}')
    assert run(["track", "person", "add", "--name", "Ann", "--db", store_url, "--json"]) == 0
    person = json.loads(capsys.readouterr().out)["person"]["id"]
    code = run(
        [
            "track", "session", "add", person, "--treatment", "subcision", "--date",
            "2026-03-01", "--settings", str(settings), "--db", store_url, "--json",
        ]
    )  # fmt: skip
    payload = json.loads(capsys.readouterr().out)
    assert code == 3
    assert payload["error"]["errors"] == [
        {
            "field": "settings.energy_mj",
            "expected": "a finite number (JSON has no NaN or Infinity)",
            "got": "nan",
        }
    ]


@pytest.mark.parametrize(
    "date",
    ["0001-01-01", "9999-12-31", "0001-01-01T00:00+01:00", "9999-12-31T23:00-05:00", "1899-12-31"],
)
def test_dates_far_outside_a_lifetime_are_invalid_input(tmp_path: Path, capsys, date: str) -> None:
    db = f"sqlite:///{tmp_path / 'dates.db'}"
    assert run(["track", "person", "add", "--name", "Ann", "--db", db, "--json"]) == 0
    person = json.loads(capsys.readouterr().out)["person"]["id"]
    for args in (
        ["note", "add", person, "text", "--date", date],
        ["regimen", "add", person, "--treatment", "sunscreen", "--start", date],
        ["progress", person, "--from", date],
    ):
        code = run(["track", *args, "--db", db, "--json"])
        payload = json.loads(capsys.readouterr().out)
        assert code == 3, (args, payload)
        assert "a date from 1900-01-01 to 2199-12-31" in payload["error"]["message"]


def test_a_score_beyond_any_scale_is_invalid_input(tmp_path: Path, capsys) -> None:
    import scarwise

    db = f"sqlite:///{tmp_path / 's.db'}"
    assert run(["track", "person", "add", "--name", "Ann", "--db", db, "--json"]) == 0
    person = json.loads(capsys.readouterr().out)["person"]["id"]
    scored = scarwise.score("scar-s", {"face": 3}).to_json_dict()
    for huge in (10**30, 3_000_000_000):
        path = tmp_path / "score.json"
        path.write_text(json.dumps({**scored, "score": huge, "max": huge}))
        code = run(
            ["track", "assess", person, "--scale", "scar-s", "-i", str(path), "--db", db, "--json"]
        )
        payload = json.loads(capsys.readouterr().out)
        assert code == 3 and payload["error"]["errors"][0]["field"] == "input.max", payload
