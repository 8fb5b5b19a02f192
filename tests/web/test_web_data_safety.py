"""Hostile JSON and heavy uploads over HTTP: 422/413/429 with the contract's error object, never a
500; the serve warning says plainly that there is no login."""

from __future__ import annotations

import io
import json
import threading

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image

from scarwise.cli.main import run
from scarwise.config import Settings
from scarwise.web import create_app

DEEP = "[" * 3000 + "]" * 3000


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text[:300]
    body = json.loads(response.text)  # strict JSON: a NaN in the answer would not parse back
    assert set(body) == {"ok", "error"} and body["ok"] is False
    assert body["error"]["code"] == code
    assert response.headers["content-type"].startswith("application/json")
    for row in body["error"]["errors"]:
        assert set(row) == {"field", "expected", "got"}
    return body["error"]


@pytest.mark.parametrize("path", ["/api/v1/plan", "/api/v1/score/ecca", "/api/v1/score/scar-s"])
@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('{"age": NaN}', "a finite number"),
        ('{"age": Infinity}', "a finite number"),
        ('{"age": 1e400}', "a number a double can hold"),
        ('{"age": 100000000000000000000000000000}', "an integer within 64 bits"),
        (DEEP, "levels deep"),
        ('{"scars": ' + DEEP + "}", "levels deep"),
    ],
)
def test_hostile_json_is_invalid_input_not_a_server_error(
    client: TestClient, path: str, body: str, expected: str
) -> None:
    response = client.post(path, content=body, headers={"content-type": "application/json"})
    error = _error(response, 422, "invalid_input")
    assert expected in error["errors"][0]["expected"]
    assert error["errors"][0]["field"] == "body"


def test_error_objects_write_non_finite_numbers_as_text() -> None:
    """What the error handlers apply to every payload, so an answer is always strict JSON."""
    from scarwise.web.guard import json_safe

    assert json_safe({"a": [float("nan"), 1.5, {"b": float("-inf")}]}) == {
        "a": ["nan", 1.5, {"b": "-inf"}]
    }


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (180, 140, 120)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def small_budget(tmp_path) -> FastAPI:
    return create_app(
        Settings(data_dir=tmp_path / "data", database_url=None, max_analysis_pixels=10_000)
    )


def test_the_3d_pixel_budget_is_checked_before_any_photo_is_decoded(
    small_budget: FastAPI, base_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def never(*args, **kwargs):
        raise AssertionError("a photo was decoded before the budget was checked")

    monkeypatch.setattr("scarwise.web.routes.api.read_photo", never)
    images = [("images", (f"l{i}.png", _png(100, 50), "image/png")) for i in range(3)]
    lights = json.dumps([[0.5, 0, 0.87], [-0.5, 0, 0.87], [0, 0.5, 0.87]])
    with TestClient(small_budget, base_url=base_url) as c:
        response = c.post(
            "/api/v1/analyze3d", files=images, data={"lights": lights, "pixel_mm": "0.1"}
        )
    error = _error(response, 413, "invalid_input")
    assert error["errors"] == [
        {
            "field": "images",
            "expected": "at most 10000 pixels in all photos together",
            "got": 15000,
        }
    ]
    assert "SCARWISE_MAX_ANALYSIS_PIXELS" in error["hint"]


def test_the_3d_page_has_the_same_budget(small_budget: FastAPI, base_url: str) -> None:
    with TestClient(small_budget, base_url=base_url) as c:
        c.get("/")
        token = c.cookies.get("scarwise_csrf")
        response = c.post(
            "/analyze3d",
            files=[("images", (f"l{i}.png", _png(100, 50), "image/png")) for i in range(3)],
            data={"lights": "[]", "pixel_mm": "0.1", "csrf_token": token},
        )
    assert response.status_code == 413
    assert "10000 pixels" in response.text and response.headers["content-type"].startswith(
        "text/html"
    )


def test_deeply_nested_lights_are_invalid_input(client: TestClient) -> None:
    images = [("images", (f"l{i}.png", _png(20, 20), "image/png")) for i in range(3)]
    response = client.post(
        "/api/v1/analyze3d", files=images, data={"lights": DEEP, "pixel_mm": "0.1"}
    )
    assert _error(response, 422, "invalid_input")["errors"][0]["field"] == "lights"


def test_a_second_analysis_while_one_runs_gets_429(
    web_app: FastAPI, base_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import scarwise.web.routes.api as api

    entered, release = threading.Event(), threading.Event()
    original = api.read_photo  # the analysis's first step, inside its slot

    def slow(*args, **kwargs):
        entered.set()
        assert release.wait(30)
        return original(*args, **kwargs)

    monkeypatch.setattr(api, "read_photo", slow)
    photo = {"photo": ("skin.png", _png(64, 48), "image/png")}
    answers: dict[str, object] = {}
    with TestClient(web_app, base_url=base_url, raise_server_exceptions=False) as c:

        def first() -> None:
            answers["first"] = c.post("/api/v1/analyze", files=photo, data={"region": "full"})

        worker = threading.Thread(target=first)
        worker.start()
        assert entered.wait(30)
        second = c.post("/api/v1/analyze", files=photo, data={"region": "full"})
        error = _error(second, 429, "usage")
        assert "another photo analysis is running" in error["message"]
        assert second.headers["retry-after"] == "10"
        c.get("/")
        page = c.post(
            "/analyze",
            files=photo,
            data={"region": "full", "csrf_token": c.cookies.get("scarwise_csrf")},
        )
        assert page.status_code == 429 and "another photo analysis" in page.text
        release.set()
        worker.join(60)
        assert answers["first"].status_code == 200  # type: ignore[attr-defined]
        third = c.post("/api/v1/analyze", files=photo, data={"region": "full"})
        assert third.status_code == 200


def test_serving_off_loopback_warns_that_there_is_no_login(
    monkeypatch: pytest.MonkeyPatch, capsys, tmp_path
) -> None:
    started: list[str] = []
    monkeypatch.setattr("scarwise.web.server.run", lambda app, **kw: started.append(kw["host"]))
    monkeypatch.setenv("SCARWISE_DATA_DIR", str(tmp_path / "data"))
    assert run(["serve", "--host", "0.0.0.0", "--port", "0"]) == 0
    err = " ".join(capsys.readouterr().err.split())
    assert started == ["0.0.0.0"]
    assert "WARNING" in err and "no login" in err
    assert "anyone who can reach this address can read every record and face photo" in err
    assert "clinic" not in err.lower()
    assert run(["serve", "--port", "0"]) == 0
    assert "WARNING" not in capsys.readouterr().err
