"""Fault injection: a child process writing photos or deleting people is SIGKILLed at random
moments; no photo row ever lacks its file, and ``doctor --fix`` clears everything left behind."""

from __future__ import annotations

import io
import multiprocessing
import os
import random
import signal
import sqlite3
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import select

from scarwise.store import doctor, open_store
from scarwise.store import models as m
from scarwise.store.files import TEMP_PREFIX

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX"),
]

KILLS = 12


@pytest.fixture(autouse=True)
def _children_can_import_this_module(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[2]))


def _png(rng: np.random.Generator) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (48, 64, 3), dtype=np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


def _add_photos_forever(url: str, photo_dir: str, person: str, seed: int, ready) -> None:
    store = open_store(url, photo_dir=photo_dir)
    rng = np.random.default_rng(seed)
    while True:
        store.add_photo_bytes(person, _png(rng), date="2026-03-01")
        ready.set()


def _add_and_delete_people_forever(url: str, photo_dir: str, seed: int, ready) -> None:
    store = open_store(url, photo_dir=photo_dir)
    rng = np.random.default_rng(seed)
    n = 0
    while True:
        person = store.add_person(f"Temp {seed}-{n}").person
        n += 1
        for _ in range(2):
            store.add_photo_bytes(person.id, _png(rng), date="2026-03-01")
        store.add_note(person.id, "to be deleted", date="2026-03-01")
        store.delete_person(person.id)
        ready.set()


def _kill_at_random(target, args: tuple, rounds: int, seed: int) -> None:
    ctx = multiprocessing.get_context("spawn")
    chance = random.Random(seed)
    for k in range(rounds):
        ready = ctx.Event()
        child = ctx.Process(target=target, args=(*args, seed * 100 + k, ready), daemon=True)
        child.start()
        assert ready.wait(120), "the child never got going"
        time.sleep(chance.uniform(0.0, 0.4))
        os.kill(child.pid, signal.SIGKILL)
        child.join(30)
        assert child.exitcode == -signal.SIGKILL


def _rows_and_files(url: str, photo_dir: Path) -> tuple[set[str], set[str]]:
    with open_store(url, photo_dir=photo_dir) as store:
        with store.reading() as s:
            referenced = set(s.scalars(select(m.Photo.sha256)))
        return referenced, set(store.photos.all_digests())


def _assert_sound(db: Path) -> None:
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        con.close()


def test_killing_photo_writers_never_loses_a_file_and_doctor_clears_the_rest(tmp_path):
    url, photos = f"sqlite:///{tmp_path / 'kill.db'}", tmp_path / "kill-photos"
    with open_store(url, photo_dir=photos) as store:
        person = store.add_person("Ann").person.id
    _kill_at_random(_add_photos_forever, (url, str(photos), person), KILLS, seed=7)
    referenced, files = _rows_and_files(url, photos)
    assert referenced, "the children stored nothing"
    assert referenced <= files  # no row without its file, crash or not
    with open_store(url, photo_dir=photos) as store:
        found = doctor(store).doctor
        assert found.missing_files == 0
        fixed = doctor(store, fix=True).doctor
        assert fixed.removed_files == found.orphan_files + found.temporary_files + 0
        again = doctor(store).doctor
        assert again.healthy and again.orphan_files == again.temporary_files == 0
    referenced, files = _rows_and_files(url, photos)
    assert referenced == files
    assert not list(photos.rglob(f"{TEMP_PREFIX}*"))
    _assert_sound(tmp_path / "kill.db")


def test_killing_person_deletes_leaves_no_file_of_a_deleted_person_after_doctor(tmp_path):
    url, photos = f"sqlite:///{tmp_path / 'del.db'}", tmp_path / "del-photos"
    with open_store(url, photo_dir=photos) as store:
        keeper = store.add_person("Keeper").person.id
        rng = np.random.default_rng(1)
        kept = store.add_photo_bytes(keeper, _png(rng), date="2026-01-01").photos[0]
    _kill_at_random(_add_and_delete_people_forever, (url, str(photos)), KILLS, seed=11)
    referenced, files = _rows_and_files(url, photos)
    assert referenced <= files
    with open_store(url, photo_dir=photos) as store:
        assert doctor(store).doctor.missing_files == 0
        doctor(store, fix=True)
        report = doctor(store).doctor
        assert report.healthy and report.pending_deletions == 0
        people = {p.id for p in store.list_people().people}
        with store.reading() as s:
            owners = set(s.scalars(select(m.Photo.person_id)))
    assert owners <= people
    referenced, files = _rows_and_files(url, photos)
    assert files == referenced  # every file left belongs to someone still in the store
    assert kept.sha256 in files
    _assert_sound(tmp_path / "del.db")
