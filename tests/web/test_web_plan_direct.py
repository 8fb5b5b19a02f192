"""The plan route's direct path answers exactly as the full app does, and only when it should.

``scarwise.web.plan_direct`` answers a successful ``POST /api/v1/plan`` without FastAPI's
middleware stack and router. Every test here sends the same ASGI messages to the app with the
direct path on and off and compares status, headers and body byte for byte (the request id, new
per request, is compared by shape), and checks which of the two paths answered.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scarwise.config import Settings
from scarwise.testing.profiles import profiles, vignette
from scarwise.web import create_app
from scarwise.web.plan_direct import PLAN_PATH

_RID = re.compile(rb"[0-9a-f]{16}")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    data = tmp_path_factory.mktemp("direct") / "data"
    return create_app(Settings(data_dir=data, database_url=None, max_upload_bytes=2_000_000))


@pytest.fixture
def framework_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The paths that reached FastAPI's own ``__call__`` (the full app)."""
    calls: list[str] = []
    full = FastAPI.__call__

    async def counting(self: FastAPI, scope: Any, receive: Any, send: Any) -> None:
        calls.append(scope["path"])
        await full(self, scope, receive, send)

    monkeypatch.setattr(FastAPI, "__call__", counting)
    yield calls


def _call(
    app: FastAPI,
    chunks: list[bytes],
    headers: list[tuple[bytes, bytes]],
    *,
    path: str = PLAN_PATH,
    method: str = "POST",
    then_disconnect: bool = False,
) -> list[dict[str, Any]]:
    """One ASGI HTTP call with the body in ``chunks``; the messages the app sent."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    incoming: list[dict[str, Any]] = [
        {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1}
        for i, c in enumerate(chunks)
    ]
    if then_disconnect:
        incoming[-1]["more_body"] = True
        incoming.append({"type": "http.disconnect"})
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if incoming:
            return incoming.pop(0)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]
    return sent


def _answer(sent: list[dict[str, Any]]) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """Status, headers and body, with the request id (new per request) masked."""
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    rid = dict(start["headers"]).get(b"x-request-id", b"")
    assert _RID.fullmatch(rid), rid
    headers = [(k, b"<id>" if k == b"x-request-id" else v) for k, v in start["headers"]]
    return start["status"], headers, body.replace(rid, b"<id>")


def _both(
    app: FastAPI, chunks: list[bytes], headers: list[tuple[bytes, bytes]], **kw: Any
) -> tuple[
    tuple[int, list[tuple[bytes, bytes]], bytes], tuple[int, list[tuple[bytes, bytes]], bytes]
]:
    direct = _answer(_call(app, chunks, headers, **kw))
    saved, app.plan_direct = app.plan_direct, None  # type: ignore[attr-defined]
    try:
        full = _answer(_call(app, chunks, headers, **kw))
    finally:
        app.plan_direct = saved  # type: ignore[attr-defined]
    return direct, full


def _headers(body: bytes, host: bytes = b"127.0.0.1:8000") -> list[tuple[bytes, bytes]]:
    return [
        (b"host", host),
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profile=profiles(), split=st.integers(min_value=1, max_value=4))
def test_direct_answer_is_the_full_apps_byte_for_byte(
    app: FastAPI, profile: dict[str, Any], split: int
) -> None:
    body = json.dumps(profile).encode()
    step = max(1, len(body) // split)
    chunks = [body[i : i + step] for i in range(0, len(body), step)]
    direct, full = _both(app, chunks, _headers(body))
    assert direct == full
    status, headers, answer = direct
    assert status == 200 and json.loads(answer)["schema"] == "plan/1"
    names = [k for k, _v in headers]
    assert names[:2] == [b"content-length", b"content-type"]
    assert {b"content-security-policy", b"x-content-type-options", b"cache-control"} <= set(names)


def test_a_plan_skips_the_framework_and_the_rest_do_not(
    app: FastAPI, framework_calls: list[str]
) -> None:
    body = json.dumps(vignette(scars={"rolling": 4, "icepick": 2})).encode()
    status, _h, answer = _answer(_call(app, [body], _headers(body)))
    assert status == 200 and json.loads(answer)["phases"]
    assert framework_calls == []
    _call(app, [b"{}"], _headers(b"{}"), path="/api/v1/score")
    _call(app, [body], _headers(body), method="PUT")
    assert framework_calls == ["/api/v1/score", PLAN_PATH]


CASES: dict[str, tuple[list[bytes], list[tuple[bytes, bytes]]]] = {
    "host not allowed": ([b"{}"], _headers(b"{}", host=b"evil.example")),
    "no host": ([b"{}"], [(b"content-length", b"2")]),
    "a second Host, not allowed": (
        [b"{}"],
        [*_headers(b"{}"), (b"host", b"evil.example")],
    ),
    "no content-length (chunked)": (
        [json.dumps(vignette(scars={"rolling": 3})).encode()],
        [(b"host", b"localhost"), (b"transfer-encoding", b"chunked")],
    ),
    "declared length over the limit": ([b"{}"], _headers(b"x" * (1024 * 1024 + 1))),
    "body longer than declared and over the limit": (
        [b"{" + b" " * (600 * 1024), b" " * (600 * 1024) + b"}"],
        _headers(b"{}"),
    ),
    "empty body": ([b""], _headers(b"")),
    "malformed JSON": ([b'{"age": 30,'], _headers(b'{"age": 30,')),
    "not an object": ([b"[1, 2]"], _headers(b"[1, 2]")),
    "invalid profile": (
        [b'{"age": -3, "fitzpatrick": 9, "scars": {}}'],
        _headers(b'{"age": -3, "fitzpatrick": 9, "scars": {}}'),
    ),
    "unknown field": ([b'{"age": 30, "colour": 1}'], _headers(b'{"age": 30, "colour": 1}')),
    "not UTF-8": ([b'{"age": "\xff"}'], _headers(b'{"age": "\xff"}')),
}


@pytest.mark.parametrize("case", list(CASES))
def test_everything_else_is_the_full_apps_answer(
    app: FastAPI, framework_calls: list[str], case: str
) -> None:
    chunks, headers = CASES[case]
    direct, full = _both(app, chunks, headers)
    assert direct == full
    assert direct[0] == 200 if case.startswith("no content-length") else direct[0] >= 400
    assert framework_calls == [PLAN_PATH, PLAN_PATH]  # both went through the full app


def test_expected_errors_keep_their_status_and_object(app: FastAPI) -> None:
    status, _h, body = _answer(_call(app, *CASES["host not allowed"]))
    assert status == 400 and json.loads(body)["error"]["code"] == "usage"
    status, _h, body = _answer(_call(app, *CASES["declared length over the limit"]))
    assert status == 413
    status, _h, body = _answer(_call(app, *CASES["body longer than declared and over the limit"]))
    assert status == 413
    status, _h, body = _answer(_call(app, *CASES["invalid profile"]))
    error = json.loads(body)["error"]
    assert status == 422 and error["code"] == "invalid_input"
    assert {e["field"] for e in error["errors"]} >= {"age", "fitzpatrick"}


def test_a_client_gone_mid_body_reaches_the_full_app_in_order(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []
    full = FastAPI.__call__

    async def watching(self: FastAPI, scope: Any, receive: Any, send: Any) -> None:
        async def recording() -> Any:
            message = await receive()
            seen.append(message["type"] + ("+" if message.get("more_body") else ""))
            return message

        await full(self, scope, recording, send)

    monkeypatch.setattr(FastAPI, "__call__", watching)
    body = json.dumps(vignette(scars={"boxcar_shallow": 2})).encode()
    _call(app, [body[:10]], _headers(body), then_disconnect=True)
    assert seen[:2] == ["http.request+", "http.disconnect"]
