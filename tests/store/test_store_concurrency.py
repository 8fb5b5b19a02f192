"""Two processes writing to one SQLite store at once: every write lands, the file stays sound."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

import pytest

from scarwise.store import open_store

WRITES = 60


@pytest.fixture(autouse=True)
def _children_can_import_this_module(monkeypatch: pytest.MonkeyPatch) -> None:
    """Spawned children unpickle the target by this module's name (``tests.store...``), so the
    project root must be on their ``sys.path`` (they copy the parent's) however pytest started."""
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[2]))


def _writer(url: str, photo_dir: str, person_id: str, tag: str) -> None:
    store = open_store(url, photo_dir=photo_dir)
    item = store.add_regimen_item(person_id, "sunscreen", "daily", start="2026-01-01").regimen
    for i in range(WRITES):
        store.log_dose(item.id, date=f"2026-01-01T00:00:{i % 60:02d}+00:00")
        store.add_note(person_id, f"{tag}-{i}", date="2026-01-02")
    store.close()


def test_two_processes_write_concurrently(tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    store = open_store(url, photo_dir=tmp_path / "photos")
    ann = store.add_person("Ann").person
    ctx = multiprocessing.get_context("spawn")
    procs = [
        ctx.Process(target=_writer, args=(url, str(tmp_path / "photos"), ann.id, tag))
        for tag in "ab"
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0]
    records = store.records(ann.id)
    assert len(records.doses) == 2 * WRITES
    assert sorted(n.text for n in records.notes) == sorted(
        f"{t}-{i}" for t in "ab" for i in range(WRITES)
    )
    store.close()
    con = sqlite3.connect(tmp_path / "shared.db")
    try:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert con.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    finally:
        con.close()


def test_two_processes_open_a_new_store_at_once(tmp_path):
    # both race to create the schema: BEGIN IMMEDIATE makes one wait for the other
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    ctx = multiprocessing.get_context("spawn")
    procs = [
        ctx.Process(target=_open_and_add, args=(url, str(tmp_path / "p"), n)) for n in ("A", "B")
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0]
    with open_store(url, photo_dir=tmp_path / "p") as store:
        assert sorted(p.name for p in store.list_people().people) == ["A", "B"]


def _open_and_add(url: str, photo_dir: str, name: str) -> None:
    with open_store(url, photo_dir=photo_dir) as store:
        store.add_person(name)
