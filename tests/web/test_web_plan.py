"""``POST /api/v1/plan`` is the library's planner over HTTP, behind the same guard as every route.

The answer is the ``plan/1`` object ``scarwise.planner.plan`` gives (what ``scarwise plan --json``
prints) for any profile; an invalid profile gets the library's error object; and the guard's
refusals (foreign Host, too large a body) come as the contract's error object, with the
security headers on every answer. Some cases need exact ASGI messages (a declared length, a
body in chunks), so they call the app directly.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scarwise.config import Settings
from scarwise.errors import ProfileError, to_payload
from scarwise.planner import plan
from scarwise.testing.profiles import profiles, vignette
from scarwise.web import create_app

PLAN = "/api/v1/plan"
_RID = re.compile(r"[0-9a-f]{16}")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    data = tmp_path_factory.mktemp("plan") / "data"
    return create_app(Settings(data_dir=data, database_url=None, max_upload_bytes=2_000_000))


@pytest.fixture(scope="module")
def api(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://127.0.0.1:8000", raise_server_exceptions=False) as c:
        yield c


def _secured(headers: Any) -> None:
    """The guard's headers, on success and error alike."""
    assert "default-src 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["cache-control"] == "no-store"
    assert _RID.fullmatch(headers["x-request-id"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profile=profiles())
def test_the_answer_is_the_librarys_plan(api: TestClient, profile: dict[str, Any]) -> None:
    response = api.post(PLAN, json=profile)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body == plan(profile).to_json_dict()
    assert body["ok"] is True and body["schema"] == "plan/1"
    _secured(response.headers)


_odd_values = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 200), st.floats(allow_nan=False), st.text(max_size=5),
    st.lists(st.sampled_from(["face", "back", "nope"]), max_size=3),
)  # fmt: skip
_fields = st.sampled_from(
    ["age", "fitzpatrick", "budget_usd", "regions", "sex", "max_downtime_days", "extra"]
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles(), st.dictionaries(_fields, _odd_values, max_size=3))
def test_any_profile_gets_the_librarys_plan_or_its_errors(
    api: TestClient, profile: dict[str, Any], changes: dict[str, Any]
) -> None:
    changed = {**profile, **changes}
    response = api.post(PLAN, content=json.dumps(changed).encode())
    try:
        json.dumps(changed, allow_nan=False)
    except ValueError:  # Infinity is not JSON: the body is refused before any planning
        assert response.status_code == 422
        assert response.json()["error"]["errors"][0]["field"] == "body"
        return
    try:
        expected = plan(changed).to_json_dict()
    except ProfileError as err:
        error = response.json()["error"]
        assert response.status_code == 422
        assert error.pop("request_id") == response.headers["x-request-id"]
        assert {"ok": False, "error": error} == to_payload(err)
    else:
        assert response.status_code == 200 and response.json() == expected


def test_an_invalid_profile_lists_every_problem(api: TestClient) -> None:
    response = api.post(PLAN, json={"age": -3, "fitzpatrick": 9, "scars": {}})
    error = response.json()["error"]
    assert response.status_code == 422 and error["code"] == "invalid_input"
    assert {e["field"] for e in error["errors"]} >= {"age", "fitzpatrick"}
    _secured(response.headers)


def _call(
    app: FastAPI, chunks: list[bytes], headers: list[tuple[bytes, bytes]]
) -> tuple[int, dict[bytes, bytes], bytes]:
    """One ASGI ``POST /api/v1/plan`` with the body in ``chunks``: status, headers, body."""
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": PLAN, "raw_path": PLAN.encode(), "root_path": "",
        "query_string": b"", "headers": headers, "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }  # fmt: skip
    incoming = [
        {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1}
        for i, c in enumerate(chunks)
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], dict(start["headers"]), body


def _headers(length: int | None, host: bytes = b"127.0.0.1:8000") -> list[tuple[bytes, bytes]]:
    out = [(b"host", host), (b"content-type", b"application/json")]
    if length is not None:
        out.append((b"content-length", str(length).encode()))
    return out


def _contract_error(status: int, headers: dict[bytes, bytes], body: bytes, code: str) -> dict:
    assert headers[b"content-type"] == b"application/json"
    payload = json.loads(body)
    assert payload["ok"] is False and payload["error"]["code"] == code
    assert payload["error"]["request_id"] == headers[b"x-request-id"].decode()
    assert headers[b"cache-control"] == b"no-store"
    assert b"frame-ancestors 'none'" in headers[b"content-security-policy"]
    assert headers[b"x-content-type-options"] == b"nosniff"
    return dict(payload["error"])


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(_headers(2, host=b"evil.example"), id="foreign host"),
        pytest.param([(b"content-length", b"2")], id="no host"),
        pytest.param([*_headers(2), (b"host", b"evil.example")], id="a second host, foreign"),
    ],
)
def test_a_foreign_host_is_refused_with_the_error_object(
    app: FastAPI, headers: list[tuple[bytes, bytes]]
) -> None:
    status, answer, body = _call(app, [b"{}"], headers)
    assert status == 400
    error = _contract_error(status, answer, body, "usage")
    assert error["errors"][0]["field"] == "Host"


@pytest.mark.parametrize(
    ("chunks", "declared"),
    [
        pytest.param([b"{}"], 1024 * 1024 + 1, id="declared length over the limit"),
        pytest.param(
            [b"{" + b" " * (600 * 1024), b" " * (600 * 1024) + b"}"], 2, id="longer than declared"
        ),
        pytest.param([b"{" + b" " * (600 * 1024), b" " * (600 * 1024) + b"}"], None, id="chunked"),
    ],
)
def test_too_large_a_body_is_413_with_the_error_object(
    app: FastAPI, chunks: list[bytes], declared: int | None
) -> None:
    status, answer, body = _call(app, chunks, _headers(declared))
    assert status == 413
    error = _contract_error(status, answer, body, "invalid_input")
    assert "1048576 bytes" in error["message"]


def test_a_chunked_body_is_planned(app: FastAPI) -> None:
    profile = vignette(scars={"rolling": 3})
    body = json.dumps(profile).encode()
    chunks = [body[:10], body[10:40], body[40:]]
    status, headers, answer = _call(app, chunks, _headers(None))
    assert status == 200 and json.loads(answer) == plan(profile).to_json_dict()
    assert headers[b"cache-control"] == b"no-store"
