"""Photo analysis over HTTP: the API returns the library's objects; the pages show and save them.

Ground truth comes from :mod:`scarwise.testing` (a synthetic skin patch, a rendered multi-light
scar scene), so the numbers asserted are the library's own on the same bytes.
"""

from __future__ import annotations

import io
import json
import re

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from scarwise.imaging import analyze_photo, parse_lights
from scarwise.intake import read_photo
from scarwise.testing.scar_scenes import render_scar_scene, scene_files
from scarwise.testing.skin_patches import render_skin_patch
from scarwise.workflows import measure_scars_3d


@pytest.fixture(scope="module")
def patch_png() -> bytes:
    patch = render_skin_patch(3, size=(256, 192), ita=30.0)
    buf = io.BytesIO()
    Image.fromarray(patch.pixels).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture(scope="module")
def scene():
    return render_scar_scene(
        5, size_px=(256, 256), pixel_mm=0.1, n_lights=4, counts={"boxcar": 1, "rolling": 1}
    )


def test_analyze_returns_the_library_object(client: TestClient, patch_png: bytes) -> None:
    response = client.post(
        "/api/v1/analyze",
        files={"photo": ("skin.png", patch_png, "image/png")},
        data={"region": "full"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    expected = analyze_photo(read_photo(patch_png), region="full").to_json_dict()
    assert body == expected
    assert body["schema"] == "analyze/1" and body["image_size_px"] == [256, 192]


def test_analyze_rejects_a_non_image(client: TestClient) -> None:
    response = client.post(
        "/api/v1/analyze", files={"photo": ("x.png", b"<html>not a photo</html>", "image/png")}
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_input"


def test_analyze_upload_over_the_limit_is_413(client: TestClient) -> None:
    big = b"\x89PNG\r\n\x1a\n" + b"\0" * 2_200_000  # settings allow 2,000,000 bytes per photo
    response = client.post("/api/v1/analyze", files={"photo": ("big.png", big, "image/png")})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "invalid_input"


def test_analyze_missing_photo_is_invalid_input(client: TestClient) -> None:
    response = client.post("/api/v1/analyze", data={"region": "full"}, files={"other": ("a", b"x")})
    assert response.status_code == 422
    assert response.json()["error"]["errors"][0]["field"] == "photo"


def test_analyze3d_returns_the_library_object(client: TestClient, scene) -> None:
    files = scene_files(scene, "png16")
    response = client.post(
        "/api/v1/analyze3d",
        files=[("images", (name, data, "image/png")) for name, data in files],
        data={"lights": json.dumps(scene.lights_document()), "pixel_mm": str(scene.pixel_mm)},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    photos = [read_photo(data, name=name) for name, data in files]
    lights = parse_lights(scene.lights_document(), [name for name, _ in files])
    assert body == measure_scars_3d(photos, lights, scene.pixel_mm).to_json_dict()
    assert body["schema"] == "analyze3d/1"
    assert body["estimates"]["ecca"]["scale"] == "ecca"  # the same job as the CLI's
    assert body["summary"]["count"] >= 1


def test_analyze3d_needs_three_images(client: TestClient, scene) -> None:
    files = scene_files(scene, "png16")[:2]
    response = client.post(
        "/api/v1/analyze3d",
        files=[("images", (name, data, "image/png")) for name, data in files],
        data={"lights": "[[0,0,1],[1,0,1]]", "pixel_mm": "0.1"},
    )
    assert response.status_code == 422
    problems = response.json()["error"]["errors"]
    # the command line's checks, every problem at once: too few images and too few lights
    assert {"field": "images", "expected": "3 or more images (one per light)", "got": 2} in problems
    assert "lights" in {p["field"] for p in problems}


def test_analyze3d_malformed_lights_json(client: TestClient, scene) -> None:
    files = scene_files(scene, "png16")
    response = client.post(
        "/api/v1/analyze3d",
        files=[("images", (name, data, "image/png")) for name, data in files],
        data={"lights": "[[0, 0, 1]", "pixel_mm": "0.1"},
    )
    assert response.status_code == 422
    assert response.json()["error"]["errors"][0]["field"] == "lights"


def test_colour_page_shows_overlay_and_saves_to_history(
    client: TestClient, token: str, patch_png: bytes
) -> None:
    person = client.post(
        "/people", data={"name": "Photo Person", "csrf_token": token}, follow_redirects=False
    )
    person_id = person.headers["location"].rsplit("/", 1)[1]
    response = client.post(
        "/analyze",
        data={"csrf_token": token, "region": "full", "person_id": person_id},
        files={"photo": ("skin.png", patch_png, "image/png")},
    )
    assert response.status_code == 200, response.text[:300]
    assert 'src="data:image/png;base64,' in response.text
    assert "Saved to the history of" in response.text
    history = client.get(f"/people/{person_id}").text
    assert re.search(r"photo", history) and "analysis" in history


def test_depth_page_keeps_every_photo_of_the_set_like_the_command_line(
    client: TestClient, token: str, scene
) -> None:
    person = client.post(
        "/people", data={"name": "Depth Person", "csrf_token": token}, follow_redirects=False
    )
    person_id = person.headers["location"].rsplit("/", 1)[1]
    files = scene_files(scene, "png16")
    response = client.post(
        "/analyze3d",
        data={
            "csrf_token": token,
            "lights": json.dumps(scene.lights_document()),
            "pixel_mm": str(scene.pixel_mm),
            "person_id": person_id,
        },
        files=[("images", (name, data, "image/png")) for name, data in files],
    )
    assert response.status_code == 200, response.text[:500]
    records = client.app.state.ctx.store.records(person_id)
    assert len(records.photos) == len(files)
    (analysis,) = records.analyses
    assert sorted(analysis.photo_ids) == sorted(p.id for p in records.photos)
    assert analysis.result["estimates"] is not None


def test_depth_page_shows_measurements(client: TestClient, token: str, scene) -> None:
    files = scene_files(scene, "png16")
    response = client.post(
        "/analyze3d",
        data={
            "csrf_token": token,
            "lights": json.dumps(scene.lights_document()),
            "pixel_mm": "0.1",
        },
        files=[("images", (name, data, "image/png")) for name, data in files],
    )
    assert response.status_code == 200, response.text[:500]
    assert response.text.count('src="data:image/png;base64,') == 2
    assert "Each scar" in response.text


def test_depth_page_refuses_deeply_nested_lights_in_words(
    client: TestClient, token: str, scene
) -> None:
    files = scene_files(scene, "png16")
    response = client.post(
        "/analyze3d",
        data={"csrf_token": token, "lights": "[" * 3000, "pixel_mm": "0.1"},
        files=[("images", (name, data, "image/png")) for name, data in files],
    )
    assert response.status_code == 422
    assert "nested" in response.text
