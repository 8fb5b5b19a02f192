"""Deleting one photo, one session or one routine step: only that record, and the photo's file
unless another photo row has the same image; someone else's record is not found."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import func, select

from scarwise.errors import NotFound
from scarwise.store import models as m
from scarwise.store.deletions import pending_count


def _png(seed: int) -> bytes:
    pixels = np.random.default_rng(seed).integers(0, 255, size=(48, 64, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, "PNG")
    return buf.getvalue()


def _count(store, model, **where) -> int:
    query = select(func.count()).select_from(model)
    for key, value in where.items():
        query = query.where(getattr(model, key) == value)
    with store.reading() as s:
        return int(s.scalar(query))


def test_delete_one_photo_keeps_the_rest(store):
    ann = store.add_person("Ann").person
    bob = store.add_person("Bob").person
    own, shared, other = (
        store.add_photo_bytes(ann.id, _png(seed), date="2026-03-01").photos[0] for seed in (1, 2, 3)
    )
    bobs = store.add_photo_bytes(bob.id, _png(2), date="2026-03-01").photos[0]
    analysis = store.record_analysis(
        ann.id,
        {"schema": "analyze3d/1", "scarwise_version": "0.1.0"},
        photo_ids=[own.id, other.id],
        date="2026-03-02",
    ).analysis

    deleted = store.delete_photo(own.id, person_id=ann.id)
    assert deleted.id == own.id and deleted.sha256 == own.sha256
    assert not store.photos.path_for(own.sha256).exists()
    assert pending_count(store) == 0
    with pytest.raises(NotFound):
        store.photo(own.id)
    records = store.records(ann.id)
    assert {p.id for p in records.photos} == {shared.id, other.id}
    # the analysis made from it stays, naming only the photos that are left
    assert [a.photo_ids for a in records.analyses if a.id == analysis.id] == [[other.id]]

    # the same image is Bob's too: the row goes, the file stays for him
    store.delete_photo(shared.id)
    assert store.photos.path_for(shared.sha256).is_file()
    assert store.photo_png(bobs.id)
    assert _count(store, m.Photo) == 2


def test_delete_photo_of_someone_else_or_twice_is_not_found(store):
    ann = store.add_person("Ann").person
    bob = store.add_person("Bob").person
    photo = store.add_photo_bytes(ann.id, _png(4)).photos[0]
    with pytest.raises(NotFound) as err:
        store.delete_photo(photo.id, person_id=bob.id)
    assert err.value.problems[0].field == "photo"
    assert store.photos.path_for(photo.sha256).is_file() and _count(store, m.Photo) == 1
    store.delete_photo(photo.id, person_id=ann.id)
    with pytest.raises(NotFound):
        store.delete_photo(photo.id)


def test_delete_one_session(store):
    ann = store.add_person("Ann").person
    bob = store.add_person("Bob").person
    first = store.add_session(ann.id, "subcision", date="2026-02-01", notes="left cheek").session
    second = store.add_session(ann.id, "microneedling", date="2026-03-01").session
    with pytest.raises(NotFound) as err:
        store.delete_session(first.id, person_id=bob.id)
    assert err.value.problems[0].field == "session"
    deleted = store.delete_session(first.id, person_id=ann.id)
    assert deleted.id == first.id and deleted.notes == "left cheek"
    assert [s.id for s in store.records(ann.id).sessions] == [second.id]
    assert [e.kind for e in store.history(ann.id).events if e.kind == "session"] == ["session"]
    with pytest.raises(NotFound):
        store.delete_session(first.id)


def test_delete_one_routine_step_with_its_doses(store):
    ann = store.add_person("Ann").person
    bob = store.add_person("Bob").person
    wrong = store.add_regimen_item(ann.id, "sunscreen", "daily", start="2026-03-01").regimen
    kept = store.add_regimen_item(ann.id, "topical-retinoid", "daily", start="2026-03-01").regimen
    for day in (1, 2, 3):
        store.log_dose(wrong.id, date=f"2026-03-0{day}")
    store.log_dose(kept.id, date="2026-03-02")
    with pytest.raises(NotFound) as err:
        store.delete_regimen_item(wrong.id, person_id=bob.id)
    assert err.value.problems[0].field == "regimen"
    assert _count(store, m.DoseLog) == 4
    deleted = store.delete_regimen_item(wrong.id, person_id=ann.id)
    assert deleted.treatment == "sunscreen"
    assert [r.id for r in store.list_regimen(ann.id).regimen] == [kept.id]
    assert _count(store, m.DoseLog, regimen_id=wrong.id) == 0
    assert _count(store, m.DoseLog) == 1
    with pytest.raises(NotFound):
        store.delete_regimen_item(wrong.id)
