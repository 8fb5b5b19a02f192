"""Export -> import round-trips exactly; a bad export stores nothing; backup and restore."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest
from PIL import Image

from scarwise.errors import InvalidInput, NotFound, UsageError
from scarwise.store import open_store
from scarwise.testing.store_fixtures import TickingClock, make_store_url


def _png(path, seed):
    rng = np.random.default_rng(seed)
    Image.fromarray(rng.integers(0, 255, size=(40, 50, 3), dtype=np.uint8)).save(path)
    return path


def _fill(store, tmp_path):
    ann = store.add_person("Ann").person
    bob = store.add_person("Bob").person
    store.record_assessment(
        ann.id, "ecca", {"counts": {"boxcar_u": 6}}, date="2026-03-01", rater="Dr A"
    )
    store.record_assessment(ann.id, "scar-s", {"face": 3, "back": 1}, date="2026-03-01T09:30+01:00")
    photos = store.add_photos(
        ann.id,
        [_png(tmp_path / "a.png", 1), _png(tmp_path / "b.png", 2)],
        date="2026-03-01",
        region="face",
    ).photos
    store.record_analysis(
        ann.id,
        {
            "schema": "analyze3d/1",
            "scarwise_version": "0.1.0",
            "summary": {"count": 3, "total_volume_mm3": 0.9},
        },
        photo_ids=[p.id for p in photos],
        date="2026-03-01",
    )
    store.record_plan(
        ann.id,
        {"age": 31},
        {"schema": "plan/1", "phases": []},
        knowledge_base_version="kb-1",
        date="2026-03-02",
    )
    item = store.add_regimen_item(
        ann.id,
        "topical-retinoid",
        "every-other-day",
        start="2026-03-02",
        stop="2026-05-01",
        notes="pea-sized",
    ).regimen
    for day in range(2, 30, 2):
        store.log_dose(item.id, date=f"2026-03-{day:02d}T21:00+01:00")
    store.log_dose(item.id, date="2026-03-30", status="skipped")
    store.add_session(
        ann.id,
        "subcision",
        date="2026-03-15",
        provider="Dr B",
        settings={"cannula": "22G"},
        downtime_days=4.5,
        side_effects=["bruising", "swelling"],
        outcome_rating=4,
        notes="ok",
    )
    store.add_note(ann.id, "felt better", date="2026-04-01")
    store.add_photos(bob.id, [_png(tmp_path / "a.png", 1)], date="2026-03-03")
    return ann, bob


def test_export_import_round_trip_gives_the_same_history(store, tmp_path, store_backend):
    ann, bob = _fill(store, tmp_path)
    out = tmp_path / "export.zip"
    result = store.export_zip(out).to_json_dict()
    assert result["export"] == {"file": str(out), "people": 2, "photos": 3}
    with zipfile.ZipFile(out) as zf:
        names = sorted(zf.namelist())
        document = json.loads(zf.read("scarwise-export.json"))
    assert document["schema"] == "scarwise-export/1"
    assert (
        names[0] == "photos/" + names[0][7:71] + ".png" and len(names) == 3
    )  # 2 distinct images + json

    url, drop = make_store_url(store_backend, tmp_path / "other")
    (tmp_path / "other").mkdir()
    try:
        with open_store(
            url, photo_dir=tmp_path / "other" / "photos", clock=TickingClock()
        ) as target:
            imported = target.import_zip(out).to_json_dict()
            assert imported["import"] == {"people": 2, "photos": 3}
            for person in (ann, bob):
                assert (
                    target.history(person.id).to_json_dict()
                    == store.history(person.id).to_json_dict()
                )
                assert target.records(person.id) == store.records(person.id)
            assert target.list_people() == store.list_people()
            photo = target.records(ann.id).photos[0]
            assert target.photo_png(photo.id) == store.photo_png(photo.id)
            # importing the same export twice is refused, and adds nothing
            with pytest.raises(InvalidInput) as err:
                target.import_zip(out)
            assert {p.got for p in err.value.problems} == {ann.id, bob.id}
            assert len(target.list_people().people) == 2
    finally:
        drop()


def test_export_of_chosen_people(store, tmp_path):
    ann, _bob = _fill(store, tmp_path)
    out = tmp_path / "ann.zip"
    assert store.export_zip(out, [ann.id]).export.people == 1
    with pytest.raises(NotFound):
        store.export_zip(tmp_path / "x.zip", ["nobody"])
    assert not (tmp_path / "x.zip").exists()


def _rewrite(src, dst, *, document=None, drop=(), extra=None, replace=None):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for name in zin.namelist():
            if name in drop:
                continue
            data = zin.read(name)
            if name == "scarwise-export.json" and document is not None:
                data = json.dumps(document(json.loads(data))).encode()
            if replace and name in replace:
                data = replace[name]
            zout.writestr(name, data)
        for name, data in (extra or {}).items():
            zout.writestr(name, data)
    return dst


def test_bad_exports_store_nothing(store, tmp_path):
    ann, _ = _fill(store, tmp_path)
    good = tmp_path / "good.zip"
    store.export_zip(good, [ann.id])
    store.delete_person(ann.id)
    bob_files = set(store.photos.all_digests())
    photo_name = next(n for n in zipfile.ZipFile(good).namelist() if n.startswith("photos/"))

    def bad_treatment(doc):
        doc["people"][0]["sessions"][0]["treatment"] = "snake-oil"
        return doc

    def long_name(doc):
        doc["people"][0]["person"]["name"] = "x" * 300
        return doc

    def bad_hash(doc):
        doc["people"][0]["photos"][0]["sha256"] = "../../etc/passwd"
        return doc

    def newer(doc):
        doc["schema"] = "scarwise-export/2"
        return doc

    def naive_date(doc):
        doc["people"][0]["notes"][0]["date"] = "2026-04-01T00:00:00"
        return doc

    cases = [
        (_rewrite(good, tmp_path / "t.zip", document=bad_treatment), InvalidInput),
        (_rewrite(good, tmp_path / "d.zip", document=naive_date), InvalidInput),
        (_rewrite(good, tmp_path / "l.zip", document=long_name), InvalidInput),
        (_rewrite(good, tmp_path / "p.zip", document=bad_hash), InvalidInput),
        (_rewrite(good, tmp_path / "m.zip", drop=[photo_name]), InvalidInput),
        (
            _rewrite(good, tmp_path / "h.zip", replace={photo_name: b"\x89PNG\r\n\x1a\n tampered"}),
            InvalidInput,
        ),
        (_rewrite(good, tmp_path / "x.zip", extra={"../../evil.sh": b"rm -rf /"}), InvalidInput),
        (_rewrite(good, tmp_path / "n.zip", document=newer), UsageError),
        (tmp_path / "a.png", InvalidInput),
        (tmp_path / "nope.zip", NotFound),
    ]
    for path, error in cases:
        with pytest.raises(error):
            store.import_zip(path)
        assert [p.name for p in store.list_people().people] == ["Bob"], path
        assert set(store.photos.all_digests()) == bob_files, path
    # a photo whose bytes match their name but are not an image fails the intake gate
    junk = b"GIF89a not allowed here"
    import hashlib

    digest = hashlib.sha256(junk).hexdigest()

    def point_at_junk(doc):
        doc["people"][0]["photos"][0]["sha256"] = digest
        return doc

    gate = _rewrite(
        good, tmp_path / "g.zip", document=point_at_junk, extra={f"photos/{digest}.png": junk}
    )
    with pytest.raises(InvalidInput):
        store.import_zip(gate)
    assert [p.name for p in store.list_people().people] == ["Bob"]
    assert set(store.photos.all_digests()) == bob_files
    # and the good one still imports
    assert store.import_zip(good).import_.people == 1


def test_backup_and_restore_sqlite(tmp_path):
    store = open_store(
        f"sqlite:///{tmp_path / 'live.db'}",
        photo_dir=tmp_path / "live-photos",
        clock=TickingClock(),
    )
    ann, bob = _fill(store, tmp_path)
    before = store.history(ann.id).to_json_dict()
    result = store.backup(tmp_path / "bk" / "snap.db").backup
    assert result.method == "sqlite-online-backup" and result.photos == 2
    assert (tmp_path / "bk" / "snap-photos").is_dir()
    with pytest.raises(UsageError):  # never overwrites
        store.backup(tmp_path / "bk" / "snap.db")
    # the backup is itself a readable store
    with open_store(f"sqlite:///{tmp_path / 'bk' / 'snap.db'}") as copy:
        assert copy.history(ann.id).to_json_dict() == before
        assert copy.photo_png(copy.records(ann.id).photos[0].id)
    # damage the live store, then restore
    ann_only = {p.sha256 for p in store.records(ann.id).photos} - {
        p.sha256 for p in store.records(bob.id).photos
    }
    store.delete_person(ann.id)
    store.add_person("Cy")
    assert len(ann_only) == 1 and not store.photos.path_for(ann_only.pop()).exists()
    restored = store.restore(tmp_path / "bk" / "snap.db").restore
    assert restored.photos == 2
    assert store.history(ann.id).to_json_dict() == before
    assert [p.name for p in store.list_people().people] == ["Ann", "Bob"]
    for photo in store.records(ann.id).photos:
        assert store.photo_png(photo.id)
    with pytest.raises(NotFound):
        store.restore(tmp_path / "missing.db")
    not_a_db = tmp_path / "bk" / "junk.db"
    not_a_db.write_bytes(b"hello")
    with pytest.raises(InvalidInput):
        store.restore(not_a_db)
    assert [p.name for p in store.list_people().people] == ["Ann", "Bob"]
    store.close()


@pytest.mark.postgres
def test_backup_of_postgresql_gives_pg_dump_advice(tmp_path):
    url, drop = make_store_url("postgresql", tmp_path)
    try:
        with open_store(url, photo_dir=tmp_path / "p") as store:
            with pytest.raises(UsageError) as err:
                store.backup(tmp_path / "x.db")
            assert "pg_dump" in (err.value.hint or "")
            with pytest.raises(UsageError):
                store.restore(tmp_path / "x.db")
    finally:
        drop()
