"""The JSON API: the contract's objects and error shape over HTTP (contracts/cli.md, HTTP API)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

import scarwise
from scarwise.web import create_app

ERROR_KEYS = {"code", "message", "errors"}


def _assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["ok"] is False
    assert set(body["error"]) >= ERROR_KEYS
    assert body["error"]["code"] == code
    assert body["error"]["request_id"] == response.headers["x-request-id"]
    return body["error"]


def test_health_names_version_and_store(client: TestClient) -> None:
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {
        "ok": True,
        "scarwise_version": scarwise.__version__,
        "store": "sqlite",
    }


def test_health_reports_postgresql_store(web_settings) -> None:
    settings = web_settings.model_copy(
        update={"database_url": "postgresql+psycopg://postgres@127.0.0.1/test"}
    )
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as c:
        assert c.get("/api/v1/health").json()["store"] == "postgresql"


@pytest.mark.parametrize(
    ("scale", "data"),
    [
        ("ecca", {"counts": {"icepick_v": 25, "rolling_m": 3}}),
        (
            "gb-quantitative",
            {"counts": {"macular": 12, "broad_deep": 2}, "hypertrophic_area_cm2": 6.0},
        ),
        ("scar-s", {"face": 3, "back": 1}),
    ],
)
def test_score_returns_the_cli_object(client: TestClient, scale: str, data: dict) -> None:
    response = client.post(f"/api/v1/score/{scale}", json=data)
    assert response.status_code == 200
    assert response.json() == scarwise.score(scale, data).to_json_dict()


def test_score_ecca_numbers(client: TestClient) -> None:
    body = client.post(
        "/api/v1/score/ecca", json={"counts": {"icepick_v": 25, "rolling_m": 3}}
    ).json()
    # icepick 15 x 3 (more than 20) + rolling 25 x 1 (1-4) = 70 (contracts/scales.md)
    assert (body["schema"], body["score"], body["max"]) == ("score/1", 70, 540)


def test_invalid_input_lists_every_problem(client: TestClient) -> None:
    response = client.post("/api/v1/score/ecca", json={"counts": {"icepick_v": -1, "typo": 2}})
    error = _assert_error(response, 422, "invalid_input")
    assert {row["field"] for row in error["errors"]} == {"counts.icepick_v", "counts.typo"}
    assert [row["got"] for row in error["errors"]] == [-1, 2]


def test_unknown_scale_is_not_found(client: TestClient) -> None:
    error = _assert_error(client.post("/api/v1/score/nope", json={}), 404, "not_found")
    assert error["errors"][0] == {
        "field": "scale",
        "expected": "one of gb-qualitative, gb-quantitative, ecca, scar-s, fitzpatrick",
        "got": "nope",
    }


def test_malformed_json_is_invalid_input(client: TestClient) -> None:
    response = client.post(
        "/api/v1/score/ecca", content=b'{"counts": ', headers={"content-type": "application/json"}
    )
    error = _assert_error(response, 422, "invalid_input")
    assert error["errors"][0]["field"] == "body"
    assert error["errors"][0]["expected"] == "well-formed JSON"


@pytest.mark.parametrize("body", [[1, 2], "text", 3])
def test_non_object_body_is_invalid_input(client: TestClient, body) -> None:
    error = _assert_error(client.post("/api/v1/score/ecca", json=body), 422, "invalid_input")
    assert error["errors"] == [{"field": "body", "expected": "an object", "got": body}]


def test_missing_body_is_invalid_input(client: TestClient) -> None:
    error = _assert_error(client.post("/api/v1/score/ecca"), 422, "invalid_input")
    assert error["errors"][0]["field"] == "body"


def test_oversized_json_body_is_413_before_reading(client: TestClient) -> None:
    response = client.post(
        "/api/v1/score/ecca", content=b" " * 1_100_000, headers={"content-type": "application/json"}
    )
    error = _assert_error(response, 413, "invalid_input")
    assert "1048576 bytes" in error["message"]


def test_oversized_streamed_body_is_413(client: TestClient) -> None:
    def chunks():
        for _ in range(40):
            yield b" " * 65_536  # 2.6 MB with no Content-Length: counted while streaming

    response = client.post(
        "/api/v1/score/ecca", content=chunks(), headers={"content-type": "application/json"}
    )
    _assert_error(response, 413, "invalid_input")


def test_unknown_endpoint_is_json_not_found(client: TestClient) -> None:
    _assert_error(client.get("/api/v1/nothing-here"), 404, "not_found")


def test_wrong_method_is_usage_error(client: TestClient) -> None:
    _assert_error(client.delete("/api/v1/health"), 405, "usage")


def test_internal_error_leaks_nothing(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(scale, data):
        raise RuntimeError("patient Jane Roe, 12 Elm Street")

    monkeypatch.setattr("scarwise.scales.score", boom)
    response = client.post("/api/v1/score/ecca", json={"counts": {}})
    error = _assert_error(response, 500, "internal")
    assert "Jane" not in response.text and "Elm" not in response.text
    assert "Traceback" not in response.text
    assert error["message"].startswith("internal error")


def test_foreign_host_header_is_refused(web_app) -> None:
    with TestClient(web_app, base_url="http://attacker.example") as c:
        response = c.get("/api/v1/health")
    assert response.status_code == 400


def test_extra_allowed_host_is_answered(web_settings) -> None:
    app = create_app(web_settings, allowed_hosts=["scarwise.lan"])
    with TestClient(app, base_url="http://scarwise.lan") as c:
        assert c.get("/api/v1/health").status_code == 200


def test_openapi_documents_the_contract_paths(client: TestClient) -> None:
    doc = client.get("/api/v1/openapi.json").json()
    assert {
        "/api/v1/health",
        "/api/v1/score/{scale}",
        "/api/v1/plan",
        "/api/v1/analyze",
        "/api/v1/analyze3d",
    } <= set(doc["paths"])
    assert not any(not path.startswith("/api/v1/") for path in doc["paths"])  # pages are not API
    analyze = doc["paths"]["/api/v1/analyze"]["post"]
    assert "413" in analyze["responses"]
    assert "multipart/form-data" in analyze["requestBody"]["content"]


def test_no_swagger_ui_from_a_cdn(client: TestClient) -> None:
    assert client.get("/docs").status_code == 404
    assert client.get("/redoc").status_code == 404


PROFILE = {
    "age": 27,
    "fitzpatrick": 4,
    "scars": {"icepick": 12, "boxcar_shallow": 5, "boxcar_deep": 2, "rolling": 8},
    "marks": {"erythema": True},
    "isotretinoin": "stopped_within_6_months",
    "budget_usd": 3000,
    "max_downtime_days": 7,
}


def test_plan_returns_the_cli_object(client: TestClient) -> None:
    response = client.post("/api/v1/plan", json=PROFILE)
    assert response.status_code == 200
    body = response.json()
    assert body == scarwise.plan(PROFILE).to_json_dict()
    assert body["schema"] == "plan/1" and body["disclaimer"]
    excluded = {e["treatment"] for e in body["excluded"]}
    planned = {r["treatment"] for phase in body["phases"] for r in phase["recommendations"]}
    assert "fully-ablative-laser" in excluded and not excluded & planned  # isotretinoin rule


def test_plan_of_a_different_profile_is_not_served_from_the_cache(client: TestClient) -> None:
    first = client.post("/api/v1/plan", json=PROFILE).json()
    other = {**PROFILE, "isotretinoin": "never", "fitzpatrick": 2}
    second = client.post("/api/v1/plan", json=other).json()
    assert second == scarwise.plan(other).to_json_dict()
    assert second != first


def test_plan_invalid_profile_lists_every_problem(client: TestClient) -> None:
    response = client.post(
        "/api/v1/plan", json={"age": 5, "fitzpatrick": 9, "avoids": ["magic-cream"], "typo": 1}
    )
    error = _assert_error(response, 422, "invalid_input")
    fields = {row["field"] for row in error["errors"]}
    assert {"age", "fitzpatrick", "typo"} <= fields
    assert any(f.startswith("avoids") for f in fields)
    assert error["message"].startswith("profile.")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "a profile (a JSON object)"),
        (b'{"age": ', "well-formed JSON"),
        (b"[1]", "an object"),
        (b"\xff\xfe", "well-formed JSON"),
    ],
)
def test_plan_bad_bodies_are_invalid_input(
    client: TestClient, content: bytes, expected: str
) -> None:
    response = client.post(
        "/api/v1/plan", content=content, headers={"content-type": "application/json"}
    )
    error = _assert_error(response, 422, "invalid_input")
    assert error["errors"][0]["field"] == "body"
    assert error["errors"][0]["expected"] == expected


def test_openapi_documents_the_profile_body(client: TestClient) -> None:
    doc = client.get("/api/v1/openapi.json").json()
    schema = doc["paths"]["/api/v1/plan"]["post"]["requestBody"]["content"]["application/json"][
        "schema"
    ]
    assert {"age", "fitzpatrick", "scars"} <= set(schema["properties"])
    assert "$ref" not in str(schema)
