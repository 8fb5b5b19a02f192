"""Restore checks a whole backup before it changes anything, and swaps it in under the store lock.

Every bad backup is refused with exit 3 and leaves the database file and the photo folder byte
for byte as they were (and the store usable); a stray temporary in a backup is ignored; a
restore racing a writer never leaves a photo row without its file.
"""

from __future__ import annotations

import hashlib
import io
import json
import multiprocessing
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from scarwise.cli.main import run
from scarwise.errors import InvalidInput
from scarwise.store import backup, doctor, open_store, restore
from scarwise.testing import hostile_backups as hostile
from scarwise.testing.store_fixtures import TickingClock


@pytest.fixture(autouse=True)
def _children_can_import_this_module(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[2]))


def _png(seed: int, size: tuple[int, int] = (40, 30)) -> bytes:
    rng = np.random.default_rng(seed)
    buffer = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)).save(
        buffer, format="PNG"
    )
    return buffer.getvalue()


class Live:
    """A SQLite store in ``tmp/live`` with two people, three photos and some notes."""

    def __init__(self, tmp: Path) -> None:
        self.root = tmp / "live"
        self.db = self.root / "store.db"
        self.url = f"sqlite:///{self.db}"
        self.photo_dir = self.root / "store-photos"
        with self.open() as store:
            ann = store.add_person("Ann").person
            bob = store.add_person("Bob").person
            for seed in (1, 2):
                store.add_photo_bytes(ann.id, _png(seed), date="2026-03-01")
            store.add_photo_bytes(bob.id, _png(3), date="2026-03-02")
            store.add_note(ann.id, "first visit", date="2026-03-01")
            self.ann, self.bob = ann.id, bob.id

    def open(self):
        return open_store(self.url, photo_dir=self.photo_dir, clock=TickingClock())

    def fingerprint(self) -> dict[str, str]:
        """Every file of the store (database and photo folder) by its SHA-256, and the names
        beside them (a leftover staging folder would show)."""
        files = [p for p in self.root.rglob("*") if p.is_file() and not p.name.endswith(".lock")]
        out = {
            str(p.relative_to(self.root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files
        }
        out["names"] = ",".join(sorted(p.name for p in self.root.iterdir()))
        return out

    def make_backup(self, name: str) -> Path:
        out = self.root.parent / "backups" / f"{name}.db"
        with self.open() as store:
            backup(store, out)
        return out


@pytest.fixture
def live(tmp_path: Path) -> Live:
    return Live(tmp_path)


def _refused_and_untouched(live: Live, bad: Path, words: str) -> InvalidInput:
    before = live.fingerprint()
    with live.open() as store, pytest.raises(InvalidInput) as err:
        restore(store, bad)
    assert live.fingerprint() == before
    text = (err.value.message + " " + (err.value.hint or "")).lower()
    assert words in text, text
    with live.open() as store:  # the store still works
        assert [p.name for p in store.list_people().people] == ["Ann", "Bob"]
        store.add_note(live.ann, "still here", date="2026-04-01")
        assert doctor(store).doctor.healthy
    return err.value


def test_a_backup_from_a_newer_scarwise_is_refused_before_anything_changes(live: Live) -> None:
    bad = live.make_backup("newer")
    hostile.set_revision(bad, "0099")
    error = _refused_and_untouched(live, bad, "newer scarwise")
    assert error.problems[0].got == "0099"
    # and a good backup still restores afterwards
    good = live.make_backup("good")
    with live.open() as store:
        store.add_person("Cy")
        assert restore(store, good).restore.photos == 3
        assert [p.name for p in store.list_people().people] == ["Ann", "Bob"]


def test_an_unknown_revision_is_refused(live: Live) -> None:
    bad = live.make_backup("unknown")
    hostile.set_revision(bad, "zz-not-ours")
    _refused_and_untouched(live, bad, "does not know")


def test_a_backup_with_a_corrupted_page_is_refused(live: Live) -> None:
    bad = live.make_backup("corrupt")
    hostile.corrupt_page(bad)
    _refused_and_untouched(live, bad, "damaged")


@pytest.mark.parametrize(
    ("plant", "words"),
    [
        (hostile.plant_trigger, "triggers or views"),
        (hostile.plant_view, "triggers or views"),
        (hostile.plant_table, "not the ones scarwise makes"),
    ],
)
def test_a_backup_with_planted_schema_objects_is_refused(live: Live, plant, words) -> None:
    bad = live.make_backup("planted")
    plant(bad)
    _refused_and_untouched(live, bad, words)
    with live.open() as store:  # the trigger never reached the live store
        store.add_note(live.bob, "hello", date="2026-04-02")
        assert len(store.list_people().people) == 2


def test_a_non_image_in_the_backups_photo_folder_is_refused_by_the_intake_gate(live: Live) -> None:
    bad = live.make_backup("nonimage")
    hostile.replace_photo_with(bad, b"#!/bin/sh\necho not a photo\n")  # its hash matches its row
    error = _refused_and_untouched(live, bad, "photos of the backup")
    assert "not a supported image" in error.problems[0].expected or error.problems


def test_one_damaged_photo_leaves_nothing_behind(live: Live) -> None:
    bad = live.make_backup("damaged")
    hostile.damage_photo(bad, index=1)
    error = _refused_and_untouched(live, bad, "photos of the backup")
    assert error.problems[0].got == "different content"


def test_a_missing_backup_database_or_a_junk_file(live: Live, tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"hello, not a database" * 100)
    _refused_and_untouched(live, junk, "not a readable scarwise database")


def test_a_stray_temporary_in_the_backup_is_ignored(live: Live) -> None:
    bk = live.make_backup("stray")
    stray = hostile.add_stray_temporary(bk)
    with live.open() as store:
        store.delete_person(live.bob)
        result = restore(store, bk).restore
        assert result.photos == 3
        assert [p.name for p in store.list_people().people] == ["Ann", "Bob"]
        for person in (live.ann, live.bob):
            for photo in store.records(person).photos:
                assert store.photo_png(photo.id)
        assert not list(store.photo_dir.rglob(".tmp-*"))
        assert doctor(store).doctor.healthy
    assert stray.is_file()  # the backup itself is not changed either


def test_a_path_with_hash_and_question_marks_backs_up_and_restores(live: Live) -> None:
    folder = live.root.parent / "odd #1 ?x"
    with live.open() as store:
        result = backup(store, folder / "snap#2.db").backup
        assert result.photos == 3
        store.delete_person(live.ann)
        assert restore(store, folder / "snap#2.db").restore.photos == 3
        assert [p.name for p in store.list_people().people] == ["Ann", "Bob"]


def test_restore_swaps_in_the_backup_and_removes_photos_it_does_not_name(live: Live) -> None:
    bk = live.make_backup("swap")
    with live.open() as store:
        cy = store.add_person("Cy").person
        extra = store.add_photo_bytes(cy.id, _png(9), date="2026-05-01").photos[0]
        restore(store, bk)
        assert not store.photos.exists(extra.sha256)
        assert {p.name for p in store.list_people().people} == {"Ann", "Bob"}
        report = doctor(store).doctor
        assert report.healthy and report.photo_files == 3


def test_the_cli_refuses_a_bad_backup_with_exit_3(live: Live, capsys) -> None:
    bad = live.make_backup("cli")
    hostile.plant_trigger(bad)
    before = live.fingerprint()
    code = run(["track", "restore", str(bad), "--yes", "--db", live.url, "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert code == 3
    assert payload["ok"] is False and payload["error"]["code"] == "invalid_input"
    assert "trigger" in payload["error"]["message"]
    assert live.fingerprint() == before


# --- a restore racing a writer -----------------------------------------------------------------

WRITER_IMAGES = (21, 22, 23)


def _writer(url: str, photo_dir: str, person: str, rounds: int, ready) -> None:
    store = open_store(url, photo_dir=photo_dir)
    images = [_png(seed) for seed in WRITER_IMAGES]
    for i in range(rounds):
        store.add_photo_bytes(person, images[i % len(images)], date="2026-06-01")
        ready.set()
    store.close()


def test_a_restore_racing_a_writer_never_leaves_a_row_without_its_file(live: Live) -> None:
    bk = live.make_backup("race")
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Event()
    writer = ctx.Process(target=_writer, args=(live.url, str(live.photo_dir), live.ann, 400, ready))
    writer.start()
    try:
        assert ready.wait(60)
        with live.open() as store:
            for _ in range(8):
                restore(store, bk)
                rows = store.records(live.ann).photos + store.records(live.bob).photos
                for photo in rows:
                    assert store.photos.exists(photo.sha256), photo
    finally:
        writer.join(120)
    assert writer.exitcode == 0
    with live.open() as store:
        report = doctor(store).doctor
        assert report.missing_files == 0 and report.healthy, report


def test_restore_leaves_no_staging_folder_even_when_it_fails(live: Live) -> None:
    bad = live.make_backup("staging")
    hostile.damage_photo(bad, index=0)
    with live.open() as store, pytest.raises(InvalidInput):
        restore(store, bad)
    assert not [p for p in live.root.iterdir() if ".restore-" in p.name]
    shutil.rmtree(bad.with_name("staging-photos"))
    with live.open() as store, pytest.raises(InvalidInput) as err:
        restore(store, bad)
    assert {p.got for p in err.value.problems} == {"missing"}
