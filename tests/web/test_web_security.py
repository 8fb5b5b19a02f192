"""Web hardening (research/ecosystem-style.md §3.4; STYLE.md §8): one test per requirement."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from scarwise.errors import InvalidInput
from scarwise.web.guard import (
    allowed_hosts_for,
    csrf_matches,
    host_allowed,
    host_allowlist,
    is_loopback,
)

PAGES = ["/", "/learn", "/assess", "/plan", "/analyze", "/people"]


def test_security_headers_on_pages_and_api(client: TestClient) -> None:
    for path in ["/", "/api/v1/health", "/no-such-page"]:
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "default-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-frame-options"] == "DENY"
        assert headers["cache-control"] == "no-store"
        assert re.fullmatch(r"[0-9a-f]{16}", headers["x-request-id"])


def _assert_secured(headers) -> None:
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["cache-control"] == "no-store"
    assert re.fullmatch(r"[0-9a-f]{16}", headers["x-request-id"])


def test_security_headers_on_every_error_answer(web_app: FastAPI, base_url: str) -> None:
    app = _failing_app(web_app, RuntimeError("boom"))
    with TestClient(app, base_url=base_url, raise_server_exceptions=False) as c:
        c.get("/")
        answers = {
            403: c.post("/people", data={"name": "A"}),  # no CSRF token
            405: c.delete("/api/v1/health"),
            413: c.post("/people", content=b"x" * 1_100_000),
            422: c.post("/api/v1/score/ecca", json={"counts": {"typo": 1}}),
            500: c.get("/boom-for-test"),
        }
    with TestClient(app, base_url="http://evil.example") as c:
        answers[400] = c.get("/")
    for status, response in answers.items():
        assert response.status_code == status, response.text[:300]
        _assert_secured(response.headers)


def test_static_files_may_be_cached_but_not_sniffed(client: TestClient) -> None:
    response = client.get("/static/vendor/htmx.min.js")
    assert response.status_code == 200
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "no-store" not in response.headers.get("cache-control", "")


def test_csrf_cookie_is_strict_and_http_only(client: TestClient) -> None:
    cookie = client.get("/").headers["set-cookie"]
    assert "scarwise_csrf=" in cookie
    assert "SameSite=Strict" in cookie and "HttpOnly" in cookie


def test_api_sets_no_cookies(client: TestClient) -> None:
    assert "set-cookie" not in client.get("/api/v1/health").headers


@pytest.mark.parametrize("path", PAGES)
def test_pages_have_no_inline_script_or_style(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, response.text[:500]
    html = response.text
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag, tag
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers
    assert "://" not in " ".join(re.findall(r'(?:src|href)="[^"]*"', html))  # nothing off-site


def test_post_without_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/")
    response = client.post("/people", data={"name": "A"})
    assert response.status_code == 403
    assert "CSRF" in response.text


def test_post_with_wrong_csrf_token_is_refused(client: TestClient, token: str) -> None:
    response = client.post("/people", data={"name": "A", "csrf_token": "x" * 43})
    assert response.status_code == 403


def test_csrf_header_is_accepted_like_the_form_field(client: TestClient, token: str) -> None:
    response = client.post("/assess", data={"step": "0"}, headers={"X-CSRF-Token": token})
    assert response.status_code != 403


def test_csrf_compare() -> None:
    assert csrf_matches("a" * 43, "a" * 43)
    assert not csrf_matches("a" * 43, "b" * 43)
    assert not csrf_matches(None, "a")
    assert not csrf_matches("a", "")


def test_forged_cookie_value_is_replaced(client: TestClient) -> None:
    client.cookies.set("scarwise_csrf", "<script>")
    response = client.get("/")
    assert "scarwise_csrf=" in response.headers["set-cookie"]
    assert "<script>" not in response.text


def _failing_app(web_app: FastAPI, exc: Exception) -> FastAPI:
    @web_app.get("/boom-for-test")
    async def boom() -> None:
        raise exc

    # the test route must come before the pages' catch-nothing routes: move it first
    web_app.router.routes.insert(0, web_app.router.routes.pop())
    return web_app


def test_error_page_has_no_stack_trace_or_data(web_app: FastAPI, base_url: str) -> None:
    app = _failing_app(web_app, RuntimeError("secret patient note"))
    with TestClient(app, base_url=base_url, raise_server_exceptions=False) as c:
        response = c.get("/boom-for-test")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")
    assert "secret" not in response.text and "Traceback" not in response.text
    assert response.headers["x-request-id"] in response.text


def test_error_page_escapes_the_message(web_app: FastAPI, base_url: str) -> None:
    app = _failing_app(web_app, InvalidInput("<script>alert(1)</script> is not a count"))
    with TestClient(app, base_url=base_url) as c:
        response = c.get("/boom-for-test")
    assert response.status_code == 422
    assert "<script>alert" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


def test_loopback_detection() -> None:
    assert (
        is_loopback("127.0.0.1")
        and is_loopback("::1")
        and is_loopback("[::1]")
        and is_loopback("localhost")
    )
    assert (
        not is_loopback("0.0.0.0")
        and not is_loopback("192.168.1.5")
        and not is_loopback("example.org")
    )


def test_binding_everywhere_does_not_allow_every_host() -> None:
    assert "0.0.0.0" not in allowed_hosts_for("0.0.0.0")
    assert "*" not in allowed_hosts_for("0.0.0.0")
    assert "192.168.1.5" in allowed_hosts_for("192.168.1.5")


def test_unknown_host_gets_the_error_object() -> None:
    """DNS rebinding: a foreign Host header is refused with the contract's error object."""
    from fastapi.testclient import TestClient

    from scarwise.web import create_app

    with TestClient(create_app(), base_url="http://evil.example") as client:
        response = client.get("/api/v1/health")
    assert response.status_code == 400
    body = response.json()
    assert body["ok"] is False and body["error"]["code"] == "usage"
    assert body["error"]["errors"][0]["field"] == "Host"
    assert body["error"]["errors"][0]["got"] == "evil.example"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_loopback_hosts_with_ports_are_allowed() -> None:
    allowed = host_allowlist(allowed_hosts_for("127.0.0.1"))

    def allows(header: str) -> bool:
        return host_allowed(allowed, header)

    assert allows("127.0.0.1:8000") and allows("localhost") and allows("[::1]:8000")
    assert not allows("evil.example:8000") and not allows("")


def test_fastapi_telemetry_is_off_whatever_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Newer FastAPI records requests (OpenTelemetry) and exports them when asked to: not ours."""
    import inspect

    from scarwise.config import Settings
    from scarwise.web import create_app

    monkeypatch.setenv("FASTAPI_OTEL_AUTO_CONFIGURE", "true")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9/")
    app = create_app(Settings(data_dir=tmp_path / "data", database_url=None))
    if "telemetry" in inspect.signature(FastAPI.__init__).parameters:
        config = app._telemetry  # type: ignore[attr-defined]
        assert not any(config[k] for k in ("tracing", "metrics", "logs", "auto_configure"))
        assert not app._native_telemetry.enabled()  # type: ignore[attr-defined]
    else:  # an older FastAPI has none to switch off
        assert not hasattr(app, "_telemetry")


def test_a_websocket_from_a_foreign_host_is_closed() -> None:
    """No WebSocket routes exist, but the Host check covers that door too."""
    import asyncio

    from scarwise.web.guard import Guard

    reached: list[str] = []

    async def inner(scope, receive, send) -> None:
        reached.append(scope["type"])

    guard = Guard(inner, allowed_hosts=allowed_hosts_for("127.0.0.1"))
    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    async def receive() -> dict:
        return {"type": "websocket.connect"}

    for host, expected in ((b"evil.example", []), (b"127.0.0.1:8000", ["websocket"])):
        reached.clear()
        sent.clear()
        scope = {"type": "websocket", "path": "/ws", "headers": [(b"host", host)]}
        asyncio.run(guard(scope, receive, send))
        assert reached == expected
        assert sent == ([{"type": "websocket.close", "code": 1008}] if not expected else [])


# --- cross-origin requests and signed CSRF tokens --------------------------------------------

OTHER_PORT = "http://127.0.0.1:9999"  # another server on this computer: same site, other origin


def _people(client: TestClient) -> str:
    return client.get("/people").text


def test_a_form_post_from_another_port_is_refused(client: TestClient, token: str) -> None:
    for headers in (
        {"Origin": OTHER_PORT},
        {"Origin": OTHER_PORT, "Sec-Fetch-Site": "same-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
    ):
        response = client.post(
            "/people",
            data={"name": "Mallory", "csrf_token": token},
            headers=headers,
            follow_redirects=False,
        )
        assert response.status_code == 403, headers
        assert "another web site or another port" in response.text
        _assert_secured(response.headers)
    assert "Mallory" not in _people(client)


def test_a_form_post_from_scarwise_itself_is_accepted(client: TestClient, token: str) -> None:
    for name, headers in (
        ("Ann", {"Origin": "http://127.0.0.1:8000", "Sec-Fetch-Site": "same-origin"}),
        ("Bob", {"Origin": "null", "Sec-Fetch-Site": "same-origin"}),  # Referrer-Policy no-referrer
        ("Cy", {}),  # not a browser: the token decides
    ):
        response = client.post(
            "/people",
            data={"name": name, "csrf_token": token},
            headers=headers,
            follow_redirects=False,
        )
        assert response.status_code == 303, (name, response.text[:300])
    assert all(n in _people(client) for n in ("Ann", "Bob", "Cy"))


def test_the_json_api_refuses_cross_origin_posts(client: TestClient) -> None:
    profile = {"age": 30, "fitzpatrick": 3, "scars": {"rolling": 2}}
    for headers in ({"Origin": OTHER_PORT}, {"Sec-Fetch-Site": "same-site"}):
        response = client.post("/api/v1/plan", json=profile, headers=headers)
        assert response.status_code == 403
        body = response.json()
        assert body["ok"] is False and body["error"]["code"] == "usage"
        assert body["error"]["errors"][0]["field"] == "origin"
    assert client.post("/api/v1/plan", json=profile).status_code == 200  # curl, scripts
    same = {"Origin": "http://127.0.0.1:8000", "Sec-Fetch-Site": "same-origin"}
    assert client.post("/api/v1/plan", json=profile, headers=same).status_code == 200
    assert client.get("/api/v1/health", headers={"Origin": OTHER_PORT}).status_code == 200


def test_a_planted_cookie_is_worthless(web_app: FastAPI, base_url: str) -> None:
    """Another port of 127.0.0.1 can set a cookie for this host; its token is not signed."""
    planted = "p" * 43
    with TestClient(web_app, base_url=base_url) as c:
        c.cookies.set("scarwise_csrf", planted)
        response = c.post(
            "/people", data={"name": "Mallory", "csrf_token": planted}, follow_redirects=False
        )
        assert response.status_code == 403
        forged = "p" * 43 + "." + "q" * 43
        c.cookies.set("scarwise_csrf", forged)
        response = c.post(
            "/people", data={"name": "Mallory", "csrf_token": forged}, follow_redirects=False
        )
        assert response.status_code == 403
        assert "Mallory" not in c.get("/people").text


def test_tokens_are_signed_with_a_secret_of_the_data_dir(tmp_path: Path, base_url: str) -> None:
    import stat

    from scarwise.config import Settings
    from scarwise.web import create_app

    def token_of(app: FastAPI) -> str:
        with TestClient(app, base_url=base_url) as c:
            c.get("/")
            value = c.cookies.get("scarwise_csrf")
            assert value
            return value

    def accepted(app: FastAPI, value: str) -> bool:
        with TestClient(app, base_url=base_url) as c:
            c.cookies.set("scarwise_csrf", value)
            response = c.post(
                "/people", data={"name": "Ann", "csrf_token": value}, follow_redirects=False
            )
            return response.status_code == 303

    mine = Settings(data_dir=tmp_path / "mine", database_url=None)
    theirs = Settings(data_dir=tmp_path / "theirs", database_url=None)
    value = token_of(create_app(mine))
    assert accepted(create_app(mine), value)  # the same data dir after a restart
    assert not accepted(create_app(theirs), value)  # another scarwise's token
    secret = mine.web_secret_file
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600 and len(secret.read_bytes()) == 32


def test_a_second_cookie_with_a_narrower_path_does_not_lock_the_user_out(
    client: TestClient, token: str
) -> None:
    response = client.post(
        "/people",
        data={"name": "Ann", "csrf_token": token},
        headers={"Cookie": f"scarwise_csrf={'p' * 43}; scarwise_csrf={token}"},
        follow_redirects=False,
    )
    assert response.status_code == 303
