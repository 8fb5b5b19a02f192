"""Photos handed in and analysed: one job for the CLI, the API and the pages; kept only if asked,
and then every photo of a 3-D set linked to the analysis; nothing kept when the set is refused."""

from __future__ import annotations

from typing import Any

import pytest

from scarwise.errors import InvalidInput, NotFound
from scarwise.intake import read_photo
from scarwise.testing.scar_scenes import render_scar_scene, scene_files
from scarwise.testing.skin_patches import render_skin_patch
from scarwise.workflows import analyze_upload, analyze_uploads_3d


@pytest.fixture(scope="module")
def scene_photos() -> tuple[Any, list[Any], list[str]]:
    scene = render_scar_scene(seed=3001)
    files = scene_files(scene, "png16")
    return scene, [read_photo(data, name=name) for name, data in files], [n for n, _ in files]


def test_a_3d_set_is_kept_whole_and_linked_in_order(store: Any, scene_photos: Any) -> None:
    scene, photos, names = scene_photos
    person = store.add_person("Ann").person
    done = analyze_uploads_3d(
        photos, names, scene.lights_document(), scene.pixel_mm, store=store, person_id=person.id
    )
    records = store.records(person.id)
    assert len(done.photo_ids) == len(photos) == len(records.photos)
    (analysis,) = records.analyses
    assert analysis.id == done.analysis_id
    assert analysis.photo_ids == done.photo_ids  # the lights' order
    assert analysis.result == done.result.to_json_dict()
    assert done.result.estimates is not None


def test_a_refused_set_keeps_nothing_and_lists_every_problem(store: Any, scene_photos: Any) -> None:
    _scene, photos, names = scene_photos
    person = store.add_person("Bob").person
    with pytest.raises(InvalidInput) as caught:
        analyze_uploads_3d(
            photos[:2], names[:2], [[0, 0, 1], [1, 0, 1]], -1, store=store, person_id=person.id
        )
    fields = {p.field for p in caught.value.problems}
    assert {"images", "pixel_mm", "lights"} <= fields
    records = store.records(person.id)
    assert records.photos == [] and records.analyses == []


def test_an_unknown_person_is_refused_before_the_analysis(store: Any, scene_photos: Any) -> None:
    scene, photos, names = scene_photos
    with pytest.raises(NotFound):
        analyze_uploads_3d(
            photos, names, scene.lights_document(), scene.pixel_mm, store=store, person_id="nobody"
        )


def test_without_a_person_nothing_is_kept(store: Any) -> None:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(render_skin_patch(11).pixels).save(buf, format="PNG")
    done = analyze_upload(read_photo(buf.getvalue()), region="full")
    assert done.photo_ids == [] and done.analysis_id is None
    assert done.result.to_json_dict()["schema"] == "analyze/1"
    assert store.list_people().people == []
