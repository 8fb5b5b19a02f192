"""The workflows over the store: the real planner, the colour analysis and the 3-D measurement."""

from __future__ import annotations

import pytest
from PIL import Image

import scarwise
from scarwise.errors import InvalidInput, NotFound, ProfileError
from scarwise.store import known_treatments
from scarwise.workflows import analyze_stored_photo, analyze_stored_photos_3d, save_plan


def _profile():
    from scarwise.testing.profiles import vignette

    return vignette()


def test_treatment_ids_come_from_the_knowledge_base():
    assert known_treatments() == frozenset(scarwise.load_knowledge_base().treatments)
    assert {"subcision", "topical-retinoid", "sunscreen"} <= known_treatments()


def test_save_plan_uses_the_planner_and_keeps_the_kb_version(store):
    ann = store.add_person("Ann").person
    profile = _profile()
    saved = save_plan(store, ann.id, profile, date="2026-03-01").plan
    expected = scarwise.plan(profile).to_json_dict()
    assert saved.knowledge_base_version == scarwise.load_knowledge_base().version
    assert saved.plan["phases"] == expected["phases"] and saved.profile == profile
    event = store.history(ann.id).events[0]
    assert (event.kind, event.id, event.model_extra["knowledge_base_version"]) == (
        "plan",
        saved.id,
        saved.knowledge_base_version,
    )
    with pytest.raises(ProfileError):
        save_plan(store, ann.id, {**profile, "fitzpatrick": 9})
    with pytest.raises(NotFound):
        save_plan(store, "nobody", profile)
    assert len(store.records(ann.id).plans) == 1


def test_analyze_a_stored_photo_keeps_analyze_1(store, tmp_path):
    from scarwise.testing.skin_patches import render_skin_patch

    ann = store.add_person("Ann").person
    patch = render_skin_patch(3, size=(160, 160))
    path = tmp_path / "patch.png"
    Image.fromarray(patch.pixels).save(path)
    photo = store.add_photos(ann.id, [path], date="2026-03-01").photos[0]
    analysis = analyze_stored_photo(store, ann.id, photo.id, region="full").analysis
    assert analysis.kind == "analyze" and analysis.photo_ids == [photo.id]
    assert (
        analysis.result["schema"] == "analyze/1"
        and analysis.software_version == scarwise.__version__
    )
    assert analysis.date == photo.date
    other = store.add_person("Bob").person
    with pytest.raises(NotFound):
        analyze_stored_photo(store, other.id, photo.id)


def test_analyze3d_on_stored_multi_light_photos(store, tmp_path):
    from scarwise.testing.scar_scenes import render_scar_scene, scene_files

    ann = store.add_person("Ann").person
    scene = render_scar_scene(
        5, size_px=(200, 200), pixel_mm=0.05, n_lights=4, counts={"boxcar": 1}
    )
    ids = []
    for name, data in scene_files(scene, "png16"):
        (tmp_path / name).write_bytes(data)
        ids += [p.id for p in store.add_photos(ann.id, [tmp_path / name], date="2026-03-01").photos]
    analysis = analyze_stored_photos_3d(
        store, ann.id, ids, scene.lights_document(), scene.pixel_mm
    ).analysis
    assert analysis.kind == "analyze3d" and analysis.photo_ids == ids
    summary = analysis.result["summary"]
    assert summary["count"] >= 1 and summary["total_volume_mm3"] > 0
    progress = store.progress(ann.id, None, "2026-04-01")
    assert progress.scars.count_to == summary["count"]
    with pytest.raises(InvalidInput):
        analyze_stored_photos_3d(
            store, ann.id, ids[:2], scene.lights_document()[:2], scene.pixel_mm
        )
    assert len(store.records(ann.id).analyses) == 1
