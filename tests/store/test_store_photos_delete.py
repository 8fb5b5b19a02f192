"""Photos go through the intake gate, are stored stripped, and leave the disk when their person does."""

from __future__ import annotations

import hashlib
import io

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import func, select

from scarwise.errors import InvalidInput, NotFound, PhotoRejected
from scarwise.store import models as m
from scarwise.workflows import record_assessment


def _jpeg_with_gps(path, seed: int, size=(64, 48)):
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 255, size=(size[1], size[0], 3), dtype=np.uint8)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif.get_ifd(0x8825)[2] = (51.0, 30.0, 0.0)  # GPSLatitude
    Image.fromarray(pixels).save(path, format="JPEG", exif=exif.tobytes(), quality=95)
    return path


def _count(store, model) -> int:
    with store.reading() as s:
        return int(s.scalar(select(func.count()).select_from(model)))


def test_photos_are_stored_stripped_and_content_addressed(store, tmp_path):
    ann = store.add_person("Ann").person
    original = _jpeg_with_gps(tmp_path / "front.jpg", seed=1)
    photos = store.add_photos(ann.id, [original], date="2026-03-01", region="face").photos
    assert len(photos) == 1
    photo = photos[0]
    assert photo.sha256_original == hashlib.sha256(original.read_bytes()).hexdigest()
    assert (photo.width_px, photo.height_px) == (64, 48)
    stored = store.photo_png(photo.id)
    assert hashlib.sha256(stored).hexdigest() == photo.sha256 != photo.sha256_original
    assert store.photos.path_for(photo.sha256).is_file()
    with Image.open(io.BytesIO(stored)) as im:
        assert im.format == "PNG"
        assert not im.getexif() and "exif" not in im.info and "xmp" not in im.info
    assert b"PhoneMaker" not in stored
    # the original bytes are never kept anywhere under the photo directory
    kept = [p.read_bytes() for p in store.photo_dir.rglob("*") if p.is_file()]
    assert original.read_bytes() not in kept
    # the same image twice is one file
    again = store.add_photos(ann.id, [original], date="2026-03-02").photos[0]
    assert again.sha256 == photo.sha256 and again.id != photo.id
    assert len(list(store.photos.all_digests())) == 1


def test_one_bad_photo_stores_nothing(store, tmp_path):
    ann = store.add_person("Ann").person
    good = _jpeg_with_gps(tmp_path / "good.jpg", seed=2)
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg" + bytes(100))
    with pytest.raises(PhotoRejected):
        store.add_photos(ann.id, [good, bad], date="2026-03-01")
    assert _count(store, m.Photo) == 0
    assert list(store.photos.all_digests()) == []
    with pytest.raises(NotFound):
        store.add_photos(ann.id, [tmp_path / "missing.jpg"])
    with pytest.raises(NotFound):
        store.add_photos("nobody", [good])
    with pytest.raises(InvalidInput):
        store.add_photos(ann.id, [good], date="yesterday")
    assert _count(store, m.Photo) == 0 and list(store.photos.all_digests()) == []


def test_delete_person_removes_records_and_photo_files(store, tmp_path):
    ann = store.add_person("Ann").person
    bob = store.add_person("Bob").person
    shared = _jpeg_with_gps(tmp_path / "shared.jpg", seed=3)
    own = _jpeg_with_gps(tmp_path / "own.jpg", seed=4)
    ann_photos = store.add_photos(ann.id, [shared, own], date="2026-03-01").photos
    store.add_photos(bob.id, [shared], date="2026-03-01")
    record_assessment(store, ann.id, "scar-s", {"face": 2}, date="2026-03-01")
    item = store.add_regimen_item(ann.id, "sunscreen", "daily", start="2026-03-01").regimen
    store.log_dose(item.id, date="2026-03-01")
    store.record_analysis(
        ann.id,
        {"schema": "analyze/1", "scarwise_version": "0.1.0"},
        photo_ids=[ann_photos[0].id],
        date="2026-03-01",
    )
    deleted = store.delete_person(ann.id).to_json_dict()
    assert deleted["deleted"] == {"person": ann.id, "photos": 2}
    own_digest = ann_photos[1].sha256
    assert not store.photos.path_for(own_digest).exists()
    # Bob still has the same image, so its file stays
    assert store.photos.path_for(ann_photos[0].sha256).is_file()
    for model in (m.Assessment, m.RegimenItem, m.DoseLog, m.Analysis, m.AnalysisPhoto):
        assert _count(store, model) == 0
    assert _count(store, m.Photo) == 1
    with pytest.raises(NotFound):
        store.delete_person(ann.id)


def test_prune_removes_only_unreferenced_files(store, tmp_path):
    ann = store.add_person("Ann").person
    kept = store.add_photos(ann.id, [_jpeg_with_gps(tmp_path / "k.jpg", seed=5)]).photos[0]
    orphan, _ = store.photos.put(b"\x89PNG\r\n\x1a\n left behind by a crash")
    assert store.prune_photo_files() == 1
    assert not store.photos.exists(orphan) and store.photos.exists(kept.sha256)
    assert store.photo_png(kept.id)
