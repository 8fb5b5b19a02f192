"""Export -> import round-trips exactly; a bad export stores nothing; backup and restore."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest
from PIL import Image

from scarwise.errors import InvalidInput, NotFound, UsageError
from scarwise.store import backup, export_zip, import_zip, open_store, restore
from scarwise.testing.store_fixtures import TickingClock, make_store_url
from scarwise.workflows import record_assessment


def _png(path, seed):
    rng = np.random.default_rng(seed)
    Image.fromarray(rng.integers(0, 255, size=(40, 50, 3), dtype=np.uint8)).save(path)
    return path


def _fill(store, tmp_path):
    ann = store.add_person("Ann").person
    bob = store.add_person("Bob").person
    record_assessment(
        store, ann.id, "ecca", {"counts": {"boxcar_u": 6}}, date="2026-03-01", rater="Dr A"
    )
    record_assessment(
        store, ann.id, "scar-s", {"face": 3, "back": 1}, date="2026-03-01T09:30+01:00"
    )
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
    result = export_zip(store, out).to_json_dict()
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
            imported = import_zip(target, out).to_json_dict()
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
                import_zip(target, out)
            assert {p.got for p in err.value.problems} == {ann.id, bob.id}
            assert len(target.list_people().people) == 2
    finally:
        drop()


def test_export_of_chosen_people(store, tmp_path):
    ann, _bob = _fill(store, tmp_path)
    out = tmp_path / "ann.zip"
    assert export_zip(store, out, [ann.id]).export.people == 1
    with pytest.raises(NotFound):
        export_zip(store, tmp_path / "x.zip", ["nobody"])
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
    export_zip(store, good, [ann.id])
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
            import_zip(store, path)
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
        import_zip(store, gate)
    assert [p.name for p in store.list_people().people] == ["Bob"]
    assert set(store.photos.all_digests()) == bob_files
    # and the good one still imports
    assert import_zip(store, good).import_.people == 1


def test_backup_and_restore_sqlite(tmp_path):
    store = open_store(
        f"sqlite:///{tmp_path / 'live.db'}",
        photo_dir=tmp_path / "live-photos",
        clock=TickingClock(),
    )
    ann, bob = _fill(store, tmp_path)
    before = store.history(ann.id).to_json_dict()
    result = backup(store, tmp_path / "bk" / "snap.db").backup
    assert result.method == "sqlite-online-backup" and result.photos == 2
    assert (tmp_path / "bk" / "snap-photos").is_dir()
    with pytest.raises(UsageError):  # never overwrites
        backup(store, tmp_path / "bk" / "snap.db")
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
    restored = restore(store, tmp_path / "bk" / "snap.db").restore
    assert restored.photos == 2
    assert store.history(ann.id).to_json_dict() == before
    assert [p.name for p in store.list_people().people] == ["Ann", "Bob"]
    for photo in store.records(ann.id).photos:
        assert store.photo_png(photo.id)
    with pytest.raises(NotFound):
        restore(store, tmp_path / "missing.db")
    not_a_db = tmp_path / "bk" / "junk.db"
    not_a_db.write_bytes(b"hello")
    with pytest.raises(InvalidInput):
        restore(store, not_a_db)
    assert [p.name for p in store.list_people().people] == ["Ann", "Bob"]
    store.close()


@pytest.mark.postgres
def test_backup_of_postgresql_gives_pg_dump_advice(tmp_path):
    url, drop = make_store_url("postgresql", tmp_path)
    try:
        with open_store(url, photo_dir=tmp_path / "p") as store:
            with pytest.raises(UsageError) as err:
                backup(store, tmp_path / "x.db")
            assert "pg_dump" in (err.value.hint or "")
            with pytest.raises(UsageError):
                restore(store, tmp_path / "x.db")
    finally:
        drop()


def test_an_export_written_before_person_records_became_one_model_still_imports(store, tmp_path):
    """``scarwise-export/1`` as the export wrote it with its own per-person model: same shape."""
    import hashlib

    from pydantic import BaseModel, ConfigDict, Field

    import scarwise
    from scarwise.intake import read_photo
    from scarwise.tracking import (
        AnalysisRecord,
        AssessmentRecord,
        DoseRecord,
        NoteRecord,
        PersonRecord,
        PersonRecords,
        PhotoRecord,
        PlanRecord,
        RegimenItemRecord,
        SessionRecord,
    )

    class OldExportedPerson(BaseModel):
        model_config = ConfigDict(extra="forbid")

        person: PersonRecord
        assessments: list[AssessmentRecord] = Field(default_factory=list)
        photos: list[PhotoRecord] = Field(default_factory=list)
        analyses: list[AnalysisRecord] = Field(default_factory=list)
        plans: list[PlanRecord] = Field(default_factory=list)
        regimen: list[RegimenItemRecord] = Field(default_factory=list)
        doses: list[DoseRecord] = Field(default_factory=list)
        sessions: list[SessionRecord] = Field(default_factory=list)
        notes: list[NoteRecord] = Field(default_factory=list)

    class OldExportDocument(BaseModel):
        model_config = ConfigDict(extra="forbid", populate_by_name=True)

        schema_: str = Field(
            default="scarwise-export/1", alias="schema", serialization_alias="schema"
        )
        scarwise_version: str = "0.1.0"
        people: list[OldExportedPerson]

    png = read_photo(_png(tmp_path / "old.png", 5).read_bytes()).to_png_bytes()
    digest = hashlib.sha256(png).hexdigest()
    pid, t = "p" * 32, "2026-02-01T08:00:00Z"
    scored = scarwise.score("scar-s", {"face": 3}).to_json_dict()
    fields = {
        "person": {"id": pid, "name": "Old Ann", "created_at": "2026-01-01T00:00:00Z"},
        "assessments": [
            {
                "id": "a1",
                "person_id": pid,
                "scale": "scar-s",
                "score": scored["score"],
                "max": scored["max"],
                "date": t,
                "rater": "Dr A",
                "inputs": {"face": 3},
                "result": scored,
            }
        ],
        "photos": [
            {
                "id": "ph1",
                "person_id": pid,
                "date": t,
                "sha256_original": "0" * 64,
                "sha256": digest,
                "width_px": 50,
                "height_px": 40,
                "region": "face",
            }
        ],
        "analyses": [
            {
                "id": "x1",
                "person_id": pid,
                "kind": "analyze3d",
                "date": t,
                "photo_ids": ["ph1"],
                "software_version": "0.1.0",
                "result": {"schema": "analyze3d/1", "summary": {"count": 2}},
            }
        ],
        "plans": [
            {
                "id": "pl1",
                "person_id": pid,
                "date": t,
                "knowledge_base_version": "kb-1",
                "status": "active",
                "profile": {"age": 30},
                "plan": {"schema": "plan/1"},
            }
        ],
        "regimen": [
            {
                "id": "r1",
                "person_id": pid,
                "treatment": "sunscreen",
                "frequency": "daily",
                "start": t,
                "stop": None,
                "notes": None,
            }
        ],
        "doses": [{"id": "d1", "person_id": pid, "regimen_id": "r1", "date": t, "status": "taken"}],
        "sessions": [
            {"id": "s1", "person_id": pid, "treatment": "subcision", "date": t, "provider": "Dr B"}
        ],
        "notes": [{"id": "n1", "person_id": pid, "date": t, "text": "from the old version"}],
    }
    old = OldExportDocument(people=[OldExportedPerson.model_validate(fields)])
    old_json = json.dumps(old.model_dump(mode="json", by_alias=True), ensure_ascii=False, indent=1)
    zip_path = tmp_path / "old.zip"
    with zipfile.ZipFile(zip_path, "w") as zf:
        zf.writestr("scarwise-export.json", old_json)
        zf.writestr(f"photos/{digest}.png", png)

    assert import_zip(store, zip_path).import_.people == 1
    assert store.records(pid) == PersonRecords.model_validate(fields)
    kinds = [e.kind for e in store.history(pid).events]
    assert sorted(kinds) == sorted(
        ["assessment", "photo", "analysis", "plan", "regimen", "dose", "session", "note"]
    )
    assert store.photo_png("ph1") == png
    # and the export writes each person exactly as the old export did
    export_zip(store, tmp_path / "new.zip", [pid])
    with zipfile.ZipFile(tmp_path / "new.zip") as zf:
        new = json.loads(zf.read("scarwise-export.json"))
    assert new["people"] == json.loads(old_json)["people"]
