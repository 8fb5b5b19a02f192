"""``scarwise serve``: a real process on a free loopback port, and the warning for other hosts."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from scarwise.cli.main import run
from scarwise.web.api import plan_json


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(args: list[str], tmp_path: Path) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "SCARWISE_DATA_DIR": str(tmp_path / "data"),
        "XDG_DATA_HOME": str(tmp_path / "xdg"),
    }
    env.pop("SCARWISE_DATABASE_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "scarwise", "serve", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(url: str, proc: subprocess.Popen[str]) -> httpx.Response:
    deadline = time.monotonic() + 30
    while True:
        assert proc.poll() is None, proc.communicate()
        try:
            return httpx.get(url, timeout=1)
        except httpx.TransportError:
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)


@pytest.mark.slow
def test_serve_answers_on_loopback_with_the_sqlite_store(tmp_path: Path) -> None:
    port = _free_port()
    proc = _serve(["--port", str(port)], tmp_path)
    try:
        response = _wait_for(f"http://127.0.0.1:{port}/api/v1/health", proc)
        assert response.json()["store"] == "sqlite"
        people = httpx.get(f"http://127.0.0.1:{port}/people", timeout=5)
        assert people.status_code == 200
        assert (tmp_path / "data" / "scarwise.db").is_file()  # the default store, in the data dir
        # plans over real HTTP: answered by the direct path, errors by the full app
        body = b'{"age": 30, "fitzpatrick": 5, "scars": {"rolling": 6, "icepick": 3}}'
        url = f"http://127.0.0.1:{port}/api/v1/plan"
        json_type = {"content-type": "application/json"}
        planned = httpx.post(url, content=body, headers=json_type, timeout=30)
        assert planned.status_code == 200 and planned.content == plan_json.__wrapped__(body)
        assert planned.headers["cache-control"] == "no-store"
        assert "frame-ancestors 'none'" in planned.headers["content-security-policy"]
        invalid = httpx.post(url, content=b'{"age": 3}', headers=json_type, timeout=30)
        assert invalid.status_code == 422 and invalid.json()["error"]["code"] == "invalid_input"
        foreign = httpx.post(url, content=body, headers={**json_type, "host": "evil.example"})
        assert foreign.status_code == 400 and foreign.json()["error"]["code"] == "usage"
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=15)
    assert "WARNING" not in err
    assert f"http://127.0.0.1:{port}/" in err


@pytest.mark.slow
def test_serve_warns_loudly_off_loopback(tmp_path: Path) -> None:
    port = _free_port()
    proc = _serve(
        ["--host", "0.0.0.0", "--port", str(port), "--db", f"sqlite:///{tmp_path}/other.db"],
        tmp_path,
    )
    try:
        response = _wait_for(f"http://127.0.0.1:{port}/api/v1/health", proc)
        assert response.status_code == 200
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=15)
    assert "WARNING" in err and "reachable from other machines" in err


def test_serve_rejects_a_bad_port() -> None:
    assert run(["serve", "--port", "70000"]) == 2


def test_serve_is_listed_in_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--help"]) == 0
    assert "serve" in capsys.readouterr().out
