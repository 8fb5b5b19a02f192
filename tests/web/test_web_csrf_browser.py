"""The CSRF attack from another port, in a real browser: a page served on another port of
127.0.0.1 plants a cookie (or reads the real one, which its server receives too) and submits a
form to scarwise. Chromium sends the request; scarwise must refuse it."""

from __future__ import annotations

import http.server
import shutil
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from scarwise.config import Settings
from scarwise.web import create_app

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
PLANTED = "p" * 43


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    return sock


@pytest.fixture(scope="module")
def scarwise_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    app = create_app(Settings(data_dir=tmp_path_factory.mktemp("csrf-data"), database_url=None))
    sock = _free_socket()
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", ws="none", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture(scope="module")
def attacker_url(scarwise_url: str) -> Iterator[str]:
    """A page on another port that submits a form to scarwise with the token it can get."""

    class Attacker(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            cookies = dict(
                part.strip().split("=", 1)
                for part in (self.headers.get("Cookie") or "").split(";")
                if "=" in part
            )
            token = cookies.get("scarwise_csrf", PLANTED)  # the real one, when the browser has it
            name = self.path.strip("/") or "Mallory"
            page = f"""<!doctype html><body>
<form id="f" method="post" action="{scarwise_url}/people">
<input name="name" value="{name}"><input name="csrf_token" value="{token}"></form>
<script>
document.cookie = "scarwise_csrf={token}; path=/";
document.getElementById("f").submit();
</script></body>"""
            body = page.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Attacker)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def test_a_form_from_another_port_cannot_add_a_person(scarwise_url: str, attacker_url: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            # 1. a visitor who never opened scarwise: the attacker plants its own cookie
            fresh = browser.new_context()
            page = fresh.new_page()
            with page.expect_navigation(url=f"{scarwise_url}/people**"):
                page.goto(f"{attacker_url}/Zq-Mallory")
            assert "another web site or another port" in page.content()
            fresh.close()
            # 2. a visitor of scarwise: the attacker's server receives the real signed cookie
            visitor = browser.new_context()
            page = visitor.new_page()
            page.goto(f"{scarwise_url}/people")
            assert any(c["name"] == "scarwise_csrf" for c in visitor.cookies())
            with page.expect_navigation(url=f"{scarwise_url}/people**"):
                page.goto(f"{attacker_url}/Zq-Eve")
            assert "another web site or another port" in page.content()
            # 3. scarwise's own form still works in the same browser
            page.goto(f"{scarwise_url}/people")
            page.fill("input[name=name]", "Ann")
            page.locator("form[action='/people'] button[type=submit]").first.click()
            page.wait_for_load_state()
            visitor.close()
        finally:
            browser.close()
    people = httpx.get(f"{scarwise_url}/people", timeout=10).text
    assert "Zq-Mallory" not in people and "Zq-Eve" not in people
    assert "Ann" in people
