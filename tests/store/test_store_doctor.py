"""``scarwise track doctor``: reports what a crash leaves behind, ``--fix`` removes only that."""

from __future__ import annotations

import io
import json
import threading
import time

import numpy as np
import pytest
from PIL import Image

from scarwise.cli.main import run
from scarwise.store import doctor, open_store
from scarwise.store.backups import staging_prefix


def _png(seed: int) -> bytes:
    buffer = io.BytesIO()
    pixels = np.random.default_rng(seed).integers(0, 255, (30, 40, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_sound_store_is_healthy(store) -> None:
    ann = store.add_person("Ann").person
    store.add_photo_bytes(ann.id, _png(1))
    report = doctor(store).doctor
    assert report.healthy and report.photo_files == 1
    assert (report.orphan_files, report.temporary_files, report.missing_files) == (0, 0, 0)


def test_doctor_reports_and_fix_removes_only_what_no_row_names(store) -> None:
    ann = store.add_person("Ann").person
    kept, lost = (
        store.add_photo_bytes(ann.id, _png(1)).photos
        + store.add_photo_bytes(ann.id, _png(2)).photos
    )
    orphan, _ = store.photos.put(b"\x89PNG\r\n\x1a\n written, then the process died")
    shard = store.photos.path_for(kept.sha256).parent
    (shard / ".tmp-abc123.png").write_bytes(b"half a photo")
    (store.photo_dir / ".tmp-root.png").write_bytes(b"half")
    (store.photo_dir / "notes.txt").write_text("someone else's file")
    leftover = store.photo_dir.parent / (staging_prefix(store.photo_dir) + "x1")
    (leftover / "photos").mkdir(parents=True)
    store.photos.path_for(lost.sha256).unlink()  # a row whose file is gone
    found = doctor(store).doctor
    assert not found.healthy
    assert found.orphans == [orphan] and found.orphan_files == 1
    assert found.temporary_files == 3
    assert [(m.photo, m.sha256) for m in found.missing] == [(lost.id, lost.sha256)]
    assert found.unknown_files == 1
    fixed = doctor(store, fix=True).doctor
    assert fixed.removed_files == 4 and fixed.fixed
    assert not fixed.healthy and fixed.missing_files == 1  # nothing can bring that file back
    assert store.photos.exists(kept.sha256) and store.photo_png(kept.id)
    assert not store.photos.exists(orphan) and not leftover.exists()
    assert (store.photo_dir / "notes.txt").is_file()  # not scarwise's: left alone
    again = doctor(store).doctor
    assert (again.orphan_files, again.temporary_files) == (0, 0)


def test_an_interrupted_deletion_is_finished_later(store, monkeypatch: pytest.MonkeyPatch) -> None:
    import scarwise.store.people as people

    ann = store.add_person("Ann").person
    bob = store.add_person("Bob").person
    shared = _png(3)
    ann_only = store.add_photo_bytes(ann.id, _png(4)).photos[0]
    store.add_photo_bytes(ann.id, shared)
    bob_photo = store.add_photo_bytes(bob.id, shared).photos[0]
    monkeypatch.setattr(people, "purge_pending", lambda store: 0)  # "crash" after the commit
    store.delete_person(ann.id)
    assert store.photos.exists(ann_only.sha256)
    report = doctor(store).doctor
    assert report.pending_deletions == 2 and not report.healthy
    monkeypatch.undo()
    doctor(store, fix=True)
    assert not store.photos.exists(ann_only.sha256)
    assert store.photos.exists(bob_photo.sha256)  # Bob's photo is the same image: it stays
    assert doctor(store).doctor.healthy


def test_opening_the_store_finishes_pending_deletions(tmp_path, monkeypatch) -> None:
    import scarwise.store.people as people

    url, photos = f"sqlite:///{tmp_path / 'p.db'}", tmp_path / "p-photos"
    with open_store(url, photo_dir=photos) as store:
        ann = store.add_person("Ann").person
        digest = store.add_photo_bytes(ann.id, _png(5)).photos[0].sha256
        monkeypatch.setattr(people, "purge_pending", lambda store: 0)
        store.delete_person(ann.id)
        assert store.photos.exists(digest)
    monkeypatch.undo()
    with open_store(url, photo_dir=photos) as store:
        assert not store.photos.exists(digest)
        assert doctor(store).doctor.pending_deletions == 0


def test_doctor_waits_for_a_writer_between_its_file_and_its_row(store) -> None:
    ann = store.add_person("Ann").person
    holding = threading.Event()
    digest: list[str] = []

    def writer() -> None:
        with store.lock.shared():
            digest.append(store.photos.put(_png(6))[0])  # the file is there, the row not yet
            holding.set()
            time.sleep(0.6)
            with store.writing() as s:
                from scarwise.store import models as m

                s.add(
                    m.Photo(
                        id="w1",
                        person_id=ann.id,
                        occurred_at=store.when("2026-03-01"),
                        sha256_original="0" * 64,
                        sha256=digest[0],
                        width_px=40,
                        height_px=30,
                    )
                )

    thread = threading.Thread(target=writer)
    thread.start()
    assert holding.wait(10)
    started = time.monotonic()
    fixed = doctor(store, fix=True).doctor
    waited = time.monotonic() - started
    thread.join(10)
    assert waited > 0.3  # it waited for the writer ...
    assert fixed.orphan_files == 0 and store.photo_png("w1")  # ... and so kept its file


def test_the_doctor_command(tmp_path, capsys) -> None:
    db = f"sqlite:///{tmp_path / 'd.db'}"
    assert run(["track", "doctor", "--db", db, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is True and out["schema"] == "track-doctor/1"
    assert out["doctor"]["healthy"] is True and out["doctor"]["fixed"] is False
    orphan_dir = tmp_path / "d-photos" / "ab"
    orphan_dir.mkdir(parents=True)
    (orphan_dir / ".tmp-x.png").write_bytes(b"x")
    assert run(["track", "doctor", "--db", db]) == 0
    text = capsys.readouterr().out
    assert "1 temporary file(s)" in text and "doctor --fix" in text
    assert run(["track", "doctor", "--fix", "--db", db, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)["doctor"]
    assert out["fixed"] is True and out["removed_files"] == 1 and out["healthy"] is True
